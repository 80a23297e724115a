import { parseJsonText, textError } from './json-text.js';

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

const OBJECT = 1;
const ARRAY = 2;
// What the scanner expects next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1; // after '['
const KEY_OR_CLOSE = 2; // after '{'
const KEY = 3; // after ',' in an object
const COLON = 4;
const COMMA_OR_CLOSE = 5; // after a complete value (at depth 0: the document is complete)

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
  // The loop runs once per token of a file of megabytes: it only checks and counts; what went
  // wrong is worked out in `fault`, off the loop.
  const n = text.length;
  let ctx = new Uint8Array(64);
  let depth = 0;
  let want = VALUE;
  let key: string | undefined; // the current key, kept only at depth 1 and at item depth (3)
  let listKind: string | undefined;
  let itemsKeys = 0; // top-level "items" keys (JSON.parse keeps the last one's value)
  let itemsSeen = 0; // …whose value is an array
  let inItems = false; // inside the top-level items array
  let inItem = false; // inside one of its object elements
  let itemStart = -1;
  let itemKind: string | undefined;
  let itemHasItems = false;
  const items: JsonListItem[] = [];
  let topIsObject = false;

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      if (want >= COLON) fault(text, file, i, want, depth, ctx);
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) fault(text, file, i, -1, depth, ctx);
        let k = j - 1;
        while (text.charCodeAt(k) === 92 /* \ */) k--;
        if (((j - 1 - k) & 1) === 0) break;
        j = text.indexOf('"', j + 1);
      }
      // Strings outside the object items (the List's own kind, metadata, non-object elements) are
      // never parsed later: check their insides here. They are few.
      if (!inItem) checkString(text, file, i, j);
      if (want >= KEY_OR_CLOSE) {
        if (depth === 1 || (inItem && depth === 3)) {
          key = text.slice(i + 1, j);
          if (key.includes('\\')) key = stringValue(text, i, j); // "kin\u0064" is "kind" to JSON.parse
          if (key === 'items') {
            if (depth === 3) itemHasItems = true;
            else itemsKeys++;
          }
        }
        want = COLON;
      } else {
        if (key === 'kind') {
          if (depth === 1) listKind = stringValue(text, i, j);
          else if (inItem && depth === 3) itemKind = stringValue(text, i, j);
        }
        want = COMMA_OR_CLOSE;
      }
      i = j + 1;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (want > VALUE_OR_CLOSE) fault(text, file, i, want, depth, ctx);
      if (depth === 0) topIsObject = c === 123;
      else if (depth === 1 && c === 91 && key === 'items') {
        itemsSeen++;
        inItems = true;
      } else if (depth === 2 && c === 123 && inItems) {
        inItem = true;
        itemStart = i;
        itemKind = undefined;
        itemHasItems = false;
      }
      if (key === 'kind') {
        // An object or array as the value of "kind": no kind (JSON.parse keeps the last value).
        if (depth === 1) listKind = undefined;
        else if (inItem && depth === 3) itemKind = undefined;
      }
      if (depth === ctx.length) {
        const bigger = new Uint8Array(depth * 2);
        bigger.set(ctx);
        ctx = bigger;
      }
      ctx[depth++] = c === 123 ? OBJECT : ARRAY;
      want = c === 123 ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
      i++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth === 0 || ctx[depth - 1] !== (c === 125 ? OBJECT : ARRAY) || want === VALUE || want === KEY || want === COLON) fault(text, file, i, want, depth, ctx);
      depth--;
      if (depth === 2 && inItem && c === 125) {
        items.push({ start: itemStart, end: i + 1, kind: itemKind, hasItems: itemHasItems });
        inItem = false;
      }
      else if (depth === 1 && inItems && c === 93) inItems = false;
      want = COMMA_OR_CLOSE;
      i++;
    } else if (c === 58 /* : */) {
      if (want !== COLON) fault(text, file, i, want, depth, ctx);
      want = VALUE;
      i++;
    } else if (c === 44 /* , */) {
      if (want !== COMMA_OR_CLOSE || depth === 0) fault(text, file, i, want, depth, ctx);
      want = ctx[depth - 1] === OBJECT ? KEY : VALUE;
      i++;
    } else if (c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
    } else {
      // true, false, null or a number: up to the next delimiter.
      if (want > VALUE_OR_CLOSE) fault(text, file, i, want, depth, ctx);
      const j = literalEnd(text, i + 1);
      if (!LITERAL.test(text.slice(i, j))) fault(text, file, i, -2, depth, ctx, j);
      if (key === 'kind') {
        if (depth === 1) listKind = undefined;
        else if (inItem && depth === 3) itemKind = undefined;
      }
      want = COMMA_OR_CLOSE;
      i = j;
    }
  }
  if (depth > 0 || want !== COMMA_OR_CLOSE) fault(text, file, n, want, depth, ctx);
  // Anything but one object with exactly one items array is left to JSON.parse as a whole.
  if (!topIsObject || itemsKeys !== 1 || itemsSeen !== 1) return undefined;
  return { kind: listKind, items };
}

/** Offset of the delimiter that ends a literal or number starting before `j`. */
function literalEnd(text: string, j: number): number {
  for (; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9 || d === 58 || d === 34 || d === 123 || d === 91) break;
  }
  return j;
}

/**
 * Throws the E_JSON_BAD for a scan that cannot go on at `at`: `want` is what the scanner
 * expected (-1: a string not closed; -2: a bad literal ending at `end`).
 */
function fault(text: string, file: string, at: number, want: number, depth: number, ctx: Uint8Array, end = at + 1): never {
  const c = text.charCodeAt(at);
  const open = depth > 0 ? ctx[depth - 1] : 0;
  const inside = open === OBJECT ? 'an object' : 'an array';
  let what: string;
  if (want === -1) what = 'a string is not closed';
  else if (want === -2) {
    const token = text.slice(at, end);
    what = `"${token.length > 20 ? `${token.slice(0, 20)}…` : token}" is not a JSON value`;
  } else if (at >= text.length) what = depth > 0 ? `the document ends inside ${inside}` : 'the document is empty';
  else if (depth === 0 && want === COMMA_OR_CLOSE) what = 'text after the end of the document';
  else if ((c === 125 || c === 93) && depth === 0) what = 'a closing bracket with nothing open';
  else if ((c === 125 && open !== OBJECT) || (c === 93 && open !== ARRAY)) what = `'${String.fromCharCode(c)}' closes ${inside} that is not one`;
  else if (want === COLON) what = c === 58 ? "unexpected ':'" : "expected ':' after a key";
  else if (c === 58) what = "unexpected ':'";
  else if (c === 44) what = "unexpected ','";
  else if (want === COMMA_OR_CLOSE) what = "expected ',' or a closing bracket";
  else if (want === KEY_OR_CLOSE || (want === KEY && c !== 125)) what = 'expected a key (a string)';
  else if (want === KEY) what = 'expected a key after the comma';
  else what = 'expected a value';
  throw textError('E_JSON_BAD', `not valid JSON: ${what}`, text, file, at, { token: at < text.length ? text.slice(at, at + 1) : '(end of file)' });
}

/** Fails at `i` unless text[i..j] (the quotes' offsets) is a valid JSON string literal. */
function checkString(text: string, file: string, i: number, j: number): void {
  try {
    JSON.parse(text.slice(i, j + 1));
  } catch {
    throw textError('E_JSON_BAD', 'not valid JSON: a string with a bad escape or a raw control character', text, file, i);
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

/** Offsets of every occurrence of `needle` (not empty) in `text`, ascending. */
function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
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
