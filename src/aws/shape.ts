import { KpathError } from '../errors.js';

/** A position in a parsed JSON file: the file and the JSON path (`$.Listeners[0].Port`). */
export interface JsonAt {
  readonly file: string;
  readonly path: string;
}

type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * The error for a file that parsed as JSON but is not the AWS CLI output it should be. The JSON
 * path goes in `token` (there is no line/column: the snapshot keeps parsed JSON, not its text).
 */
export function shapeError(at: JsonAt, want: string, got: unknown, hint?: string): KpathError {
  return new KpathError('E_AWS_SHAPE', `${at.file}: ${at.path}: expected ${want}, got ${describe(got)}`, {
    token: at.path, ...(hint ? { hint } : {}),
  });
}

/** `at` one member further down. */
export function child(at: JsonAt, key: string | number): JsonAt {
  return { file: at.file, path: typeof key === 'number' ? `${at.path}[${key}]` : `${at.path}.${key}` };
}

/** Narrows to a plain object or throws E_AWS_SHAPE. */
export function expectObject(v: unknown, at: JsonAt, hint?: string): Obj {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
  throw shapeError(at, 'an object', v, hint);
}

/** The array under `key`; absent is `[]` unless `required`. */
export function arrayField(o: Obj, key: string, at: JsonAt, required = false, hint?: string): unknown[] {
  const v = o[key];
  if (v === undefined && !required) return [];
  if (Array.isArray(v)) return v;
  throw shapeError(child(at, key), 'an array', v, hint);
}

/** A required string member. */
export function stringField(o: Obj, key: string, at: JsonAt): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw shapeError(child(at, key), 'a string', v);
}

/** An optional string member: absent or null is undefined, another type is an error. */
export function optString(o: Obj, key: string, at: JsonAt): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw shapeError(child(at, key), 'a string', v);
}

/** An optional finite number member. */
export function optNumber(o: Obj, key: string, at: JsonAt): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw shapeError(child(at, key), 'a number', v);
}

/** A required finite number member. */
export function numberField(o: Obj, key: string, at: JsonAt): number {
  const v = optNumber(o, key, at);
  if (v !== undefined) return v;
  throw shapeError(child(at, key), 'a number', o[key]);
}

/** An optional boolean member. */
export function optBoolean(o: Obj, key: string, at: JsonAt): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  throw shapeError(child(at, key), 'a boolean', v);
}

/** An optional object member. */
export function optObject(o: Obj, key: string, at: JsonAt): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return expectObject(v, child(at, key));
}

/** `[{Key, Value}]` (attributes, tags) into a map; later keys win, as a re-read would. */
export function keyValueList(items: readonly unknown[], at: JsonAt): Map<string, string> {
  const out = new Map<string, string>();
  items.forEach((it, i) => {
    const iat = child(at, i);
    const o = expectObject(it, iat);
    // DescribeTags may omit Value for a tag with an empty value; attributes always carry one.
    out.set(stringField(o, 'Key', iat), optString(o, 'Value', iat) ?? '');
  });
  return out;
}
