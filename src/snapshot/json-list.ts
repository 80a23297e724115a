import { KpathError } from '../errors.js';
import { parseJsonText, positionOf } from './json-text.js';

/** One element of a List's `items` array: where its text is, and its own `kind` when it has one. */
export interface JsonListItem {
  /** Offsets of the item's `{` and just past its `}`. */
  readonly start: number;
  readonly end: number;
  /** The item's own top-level `kind` (the last one, as JSON.parse keeps), when it is a string. */
  readonly kind: string | undefined;
  /** The item has its own top-level `items` key (a List inside the List). */
  readonly hasItems: boolean;
}

/** A document whose top level is an object with one `items` array (kubectl's `List`). */
export interface JsonListScan {
  /** The top-level `kind` (List, ServiceList …), when it is a string. */
  readonly kind: string | undefined;
  /** The object elements of `items`, in order (other elements are not objects and carry nothing). */
  readonly items: readonly JsonListItem[];
}

const enum Ctx { Object = 1, Array = 2 }
const enum Want { Value, ValueOrClose, KeyOrClose, Key, Colon, CommaOrClose }

const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

/**
 * Finds the items of a `kubectl get … -o json` List without building them, so that a caller can
 * JSON.parse only the items it needs (a trace of one Service in a 10,000-Service snapshot).
 * The whole text is checked as JSON structure — brackets, commas, colons, keys, literals and
 * numbers, string ends — and a fault throws E_JSON_BAD with its line and column. The insides of
 * strings (escapes, raw control characters) are checked everywhere except in items the caller
 * then skips: a bad escape in an object a trace does not use is not reported by that trace
 * (`kpath lint` and every whole read still report it).
 * Returns undefined when the top level is not an object with an `items` array.
 */
export function scanJsonList(text: string, file: string): JsonListScan | undefined {
  const n = text.length;
  const stack = new Uint8Array(64);
  let stackCap = 64;
  let ctx = stack;
  let depth = 0;
  let want: Want = Want.Value;
  let key: string | undefined; // the current key, kept only at depth 1 and at item depth (3)
  let listKind: string | undefined;
  let itemsSeen = 0;
  let inItems = false; // inside the top-level items array
  let itemStart = -1;
  let itemKind: string | undefined;
  let itemHasItems = false;
  const items: JsonListItem[] = [];
  let topIsObject = false;

  const fail = (at: number, what: string): never => {
    const { line, column } = positionOf(text, at);
    throw new KpathError('E_JSON_BAD', `not valid JSON: ${what}`, {
      loc: { file, line, column }, token: at < n ? text.slice(at, at + 1) : '(end of file)', sourceLine: text.split('\n')[line - 1],
    });
  };
  const push = (c: Ctx): void => {
    if (depth === stackCap) {
      stackCap *= 2;
      const bigger = new Uint8Array(stackCap);
      bigger.set(ctx);
      ctx = bigger;
    }
    ctx[depth++] = c;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) { i++; continue; }
    if (depth === 0 && want === Want.CommaOrClose) fail(i, 'text after the end of the document');
    if (c === 34 /* " */) {
      if (want !== Want.Value && want !== Want.ValueOrClose && want !== Want.KeyOrClose && want !== Want.Key) fail(i, want === Want.Colon ? "expected ':' after a key" : "expected ',' or a closing bracket");
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) fail(i, 'a string is not closed');
        let k = j - 1;
        while (text.charCodeAt(k) === 92 /* \ */) k--;
        if (((j - 1 - k) & 1) === 0) break;
        j = text.indexOf('"', j + 1);
      }
      // Strings outside the items (the List's own kind, metadata …) are never parsed later: check
      // their insides here. They are few.
      if (!(inItems && depth >= 3)) checkString(text, i, j, fail);
      const isKey = want === Want.KeyOrClose || want === Want.Key;
      if (isKey) {
        if (depth === 1 || (inItems && depth === 3)) {
          key = text.slice(i + 1, j);
          if (key.includes('\\')) key = stringValue(text, i, j); // "kin\u0064" is "kind" to JSON.parse
        }
        if (depth === 3 && inItems && key === 'items') itemHasItems = true;
        want = Want.Colon;
      } else {
        if (depth === 1 && key === 'kind') listKind = stringValue(text, i, j);
        else if (inItems && depth === 3 && key === 'kind') itemKind = stringValue(text, i, j);
        want = Want.CommaOrClose; // a complete value (at depth 0: the document is complete)
      }
      i = j + 1;
      continue;
    }
    switch (c) {
      case 123: /* { */
      case 91: /* [ */ {
        if (want !== Want.Value && want !== Want.ValueOrClose) fail(i, want === Want.Colon ? "expected ':' after a key" : want === Want.CommaOrClose ? "expected ',' or a closing bracket" : 'expected a key (a string)');
        if (depth === 0) topIsObject = c === 123;
        if (c === 91 && depth === 1 && key === 'items') {
          itemsSeen++;
          inItems = true;
        }
        if (c === 123 && inItems && depth === 2) {
          itemStart = i;
          itemKind = undefined;
          itemHasItems = false;
        }
        push(c === 123 ? Ctx.Object : Ctx.Array);
        want = c === 123 ? Want.KeyOrClose : Want.ValueOrClose;
        i++;
        continue;
      }
      case 125: /* } */
      case 93: /* ] */ {
        const open = depth > 0 ? ctx[depth - 1] : 0;
        if (c === 125 ? open !== Ctx.Object : open !== Ctx.Array) fail(i, depth === 0 ? 'a closing bracket with nothing open' : `'${String.fromCharCode(c)}' closes a${open === Ctx.Object ? 'n object' : 'n array'} that is not one`);
        if (want !== Want.CommaOrClose && want !== Want.KeyOrClose && want !== Want.ValueOrClose) fail(i, want === Want.Colon ? "expected ':' after a key" : 'expected a value after the comma');
        depth--;
        if (c === 125 && inItems && depth === 2) items.push({ start: itemStart, end: i + 1, kind: itemKind, hasItems: itemHasItems });
        if (c === 93 && inItems && depth === 1) inItems = false;
        want = Want.CommaOrClose;
        i++;
        continue;
      }
      case 58: /* : */
        if (want !== Want.Colon) fail(i, "unexpected ':'");
        want = Want.Value;
        i++;
        continue;
      case 44: /* , */
        if (want !== Want.CommaOrClose || depth === 0) fail(i, "unexpected ','");
        want = ctx[depth - 1] === Ctx.Object ? Want.Key : Want.Value;
        i++;
        continue;
      default: {
        // true, false, null or a number: up to the next delimiter.
        if (want !== Want.Value && want !== Want.ValueOrClose) fail(i, want === Want.Colon ? "expected ':' after a key" : want === Want.CommaOrClose ? "expected ',' or a closing bracket" : 'expected a key (a string)');
        let j = i + 1;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9 || d === 58 || d === 34 || d === 123 || d === 91) break;
        }
        const token = text.slice(i, j);
        if (!LITERAL.test(token)) fail(i, `"${token.length > 20 ? `${token.slice(0, 20)}…` : token}" is not a JSON value`);
        if (depth === 1 && key === 'kind') listKind = undefined;
        else if (inItems && depth === 3 && key === 'kind') itemKind = undefined;
        want = Want.CommaOrClose;
        i = j;
        continue;
      }
    }
  }
  if (depth > 0) fail(n, `the document ends inside a${ctx[depth - 1] === Ctx.Object ? 'n object' : 'n array'}`);
  if (want !== Want.CommaOrClose) fail(n, 'the document is empty');
  // Anything but one object with exactly one items array is left to JSON.parse as a whole.
  if (!topIsObject || itemsSeen !== 1) return undefined;
  return { kind: listKind, items };
}

/** Fails at `i` unless text[i..j] (the quotes' offsets) is a valid JSON string literal. */
function checkString(text: string, i: number, j: number, fail: (at: number, what: string) => never): void {
  try {
    JSON.parse(text.slice(i, j + 1));
  } catch {
    fail(i, 'a string with a bad escape or a raw control character');
  }
}

/** The value of the string literal text[i..j] (the quotes' offsets), escapes decoded. */
function stringValue(text: string, i: number, j: number): string | undefined {
  const raw = text.slice(i + 1, j);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(i, j + 1)) as string;
  } catch {
    return undefined;
  }
}

/** Which items of a List a reader needs (see parseJsonListSelected). */
export interface ListItemSelector {
  /** Items of these kinds are needed only when their text contains `needle`; all others are. */
  readonly kinds: ReadonlySet<string>;
  /** Text that every needed item of those kinds contains, exactly as JSON writes it. */
  readonly needle: string;
}

/** Offsets of every occurrence of `needle` in `text`, ascending. */
function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  if (needle === '') return out;
  for (let p = text.indexOf(needle); p >= 0; p = text.indexOf(needle, p + 1)) out.push(p);
  return out;
}

/**
 * Parses a k8s JSON file, building only the List items `sel` asks for: an item of one of
 * `sel.kinds` is skipped when `sel.needle` does not occur in its text, unless the item holds a
 * `\u` escape (a name could be spelled with one). Items of other kinds, items without a kind and
 * Lists inside the List are all kept. A document that is not a List is parsed whole.
 */
export function parseJsonListSelected(text: string, file: string, sel: ListItemSelector): unknown {
  const scan = scanJsonList(text, file);
  if (!scan) return parseJsonText(text, file);
  // As flattenObjects: items without a kind take it from the List's kind (ServiceList → Service).
  const fromList = scan.kind?.replace(/List$/, '') || undefined;
  // Every item holds the empty string: then nothing is skipped.
  const filtering = sel.kinds.size > 0 && sel.needle !== '';
  const hits = filtering ? occurrences(text, sel.needle) : [];
  const escapes = filtering ? occurrences(text, '\\u') : [];
  let h = 0;
  let e = 0;
  const items: unknown[] = [];
  for (const it of scan.items) {
    const kind = it.kind ?? fromList;
    if (filtering && !it.hasItems && kind !== undefined && sel.kinds.has(kind)) {
      while (h < hits.length && hits[h]! < it.start) h++;
      while (e < escapes.length && escapes[e]! < it.start) e++;
      const mentioned = (h < hits.length && hits[h]! < it.end) || (e < escapes.length && escapes[e]! < it.end);
      if (!mentioned) continue;
    }
    items.push(parseJsonText(text, file, it.start, it.end));
  }
  return { kind: scan.kind, items };
}
