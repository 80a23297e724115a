import { KpathError } from '../../errors.js';
import { formatJsonPath, locateJsonValue, sourceLocAt, type JsonPath } from './json-text.js';

/** What a shape check needs to name the bad value: the text it came from and the error code to use. */
export interface ShapeContext {
  readonly text: string;
  readonly file: string;
  /** E_IPADDR_SHAPE or E_IPROUTE_SHAPE. */
  readonly code: string;
  /** The command whose output this is, for the hint (`ip -j addr show`). */
  readonly command: string;
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** Throws the context's shape error at the value `path` names (or its deepest existing parent). */
export function failShape(ctx: ShapeContext, path: JsonPath, message: string): never {
  const { offset, raw } = locateJsonValue(ctx.text, path);
  const { loc, sourceLine } = sourceLocAt(ctx.text, ctx.file, offset);
  throw new KpathError(ctx.code, `${formatJsonPath(path)}: ${message}`, {
    loc,
    sourceLine,
    token: raw,
    hint: `expected the JSON that \`${ctx.command}\` prints`,
  });
}

export function asObject(ctx: ShapeContext, v: unknown, path: JsonPath): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) failShape(ctx, path, `expected an object, got ${describe(v)}`);
  return v as JsonObject;
}

export function asArray(ctx: ShapeContext, v: unknown, path: JsonPath): readonly unknown[] {
  if (!Array.isArray(v)) failShape(ctx, path, `expected an array, got ${describe(v)}`);
  return v;
}

export function optString(ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') failShape(ctx, [...path, key], `expected a string, got ${describe(v)}`);
  return v;
}

export function reqString(ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath): string {
  const v = optString(ctx, o, key, path);
  if (v === undefined) failShape(ctx, [...path, key], `missing "${key}"`);
  return v;
}

/** A non-negative integer field (ifindex, prefixlen, metric, weight). */
export function optCount(ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    failShape(ctx, [...path, key], `expected a non-negative integer, got ${describe(v)}`);
  }
  return v;
}

export function optBoolean(ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') failShape(ctx, [...path, key], `expected true or false, got ${describe(v)}`);
  return v;
}

export function optStringArray(ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath): readonly string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  return asArray(ctx, v, [...path, key]).map((item, i) => {
    if (typeof item !== 'string') failShape(ctx, [...path, key, i], `expected a string, got ${describe(item)}`);
    return item;
  });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}
