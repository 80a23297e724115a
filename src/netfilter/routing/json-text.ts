import { KpathError, type SourceLoc } from '../../errors.js';

/** A path into a JSON document: array indexes and object keys, outermost first. */
export type JsonPath = readonly (string | number)[];

/** Renders a path the way error messages name it: `[3].addr_info[0].local`. */
export function formatJsonPath(path: JsonPath): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(top level)';
}

/** The 1-based line and column of a character offset, plus the whole line for the code frame. */
export function sourceLocAt(text: string, file: string, offset: number): { loc: SourceLoc; sourceLine: string } {
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = text.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = text.length;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (text.charCodeAt(i) === 10) line++;
  return { loc: { file, line, column: at - lineStart + 1 }, sourceLine: text.slice(lineStart, lineEnd).replace(/\r$/, '') };
}

/**
 * JSON.parse, but a syntax error becomes E_JSON_BAD at the file:line:column of the first bad
 * character. Node's own messages differ between versions and often carry no position, so the
 * position comes from our own scan of the text.
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    scanJson(text, file, []);
    // JSON.parse and the scan disagree only on input neither should see; report the end.
    const { loc, sourceLine } = sourceLocAt(text, file, text.length);
    throw new KpathError('E_JSON_BAD', 'not valid JSON', { loc, sourceLine, hint: HINT });
  }
}

const HINT = 'the file should hold the unmodified output of `ip -j …`';

/**
 * Where the value at `path` starts in `text`, or — when the path goes on past what the document
 * holds (a missing key) — where the deepest existing part of it starts. `raw` is the value's text
 * when it is short and on one line (for the caret), else its first character.
 */
export function locateJsonValue(text: string, path: JsonPath): { offset: number; raw: string } {
  const { start, end } = scanJson(text, '', path);
  const raw = text.slice(start, end);
  return { offset: start, raw: raw.length <= 60 && !raw.includes('\n') ? raw : text.charAt(start) };
}

/**
 * A recursive-descent scan of `text` by the RFC 8259 grammar that builds nothing: it throws
 * E_JSON_BAD at the first bad character, and returns the extent of the deepest value on `target`.
 */
function scanJson(text: string, file: string, target: JsonPath): { start: number; end: number } {
  let pos = 0;
  const best = { start: 0, end: 0, depth: -1 };

  const fail = (message: string): never => {
    const { loc, sourceLine } = sourceLocAt(text, file, pos);
    const ch = text[pos];
    throw new KpathError('E_JSON_BAD', message, {
      loc,
      sourceLine,
      ...(ch !== undefined && ch !== '\n' ? { token: ch } : {}),
      hint: HINT,
    });
  };
  const ws = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const onTarget = (path: JsonPath): boolean =>
    path.length <= target.length && path.every((p, i) => p === target[i]);

  const value = (path: JsonPath): void => {
    const start = pos;
    const ch = text[pos];
    if (ch === '{') object(path);
    else if (ch === '[') array(path);
    else if (ch === '"') string();
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else if (text.startsWith('true', pos)) pos += 4;
    else if (text.startsWith('false', pos)) pos += 5;
    else if (text.startsWith('null', pos)) pos += 4;
    else fail(ch === undefined ? 'unexpected end of input, expected a value' : `expected a value, got "${ch}"`);
    if (onTarget(path) && path.length > best.depth) Object.assign(best, { start, end: pos, depth: path.length });
  };

  const object = (path: JsonPath): void => {
    pos++;
    ws();
    if (text[pos] === '}') { pos++; return; }
    for (;;) {
      if (text[pos] !== '"') fail('expected a double-quoted property name');
      const keyStart = pos;
      string();
      const key = JSON.parse(text.slice(keyStart, pos)) as string;
      ws();
      if (text[pos] !== ':') fail('expected ":" after the property name');
      pos++;
      ws();
      value([...path, key]);
      ws();
      const ch = text[pos];
      if (ch === '}') { pos++; return; }
      if (ch !== ',') fail('expected "," or "}" after the property value');
      pos++;
      ws();
    }
  };

  const array = (path: JsonPath): void => {
    pos++;
    ws();
    if (text[pos] === ']') { pos++; return; }
    for (let i = 0; ; i++) {
      value([...path, i]);
      ws();
      const ch = text[pos];
      if (ch === ']') { pos++; return; }
      if (ch !== ',') fail('expected "," or "]" after the array element');
      pos++;
      ws();
    }
  };

  const string = (): void => {
    pos++;
    for (;;) {
      const ch = text[pos];
      if (ch === undefined) fail('unterminated string');
      else if (ch === '"') { pos++; return; }
      else if (ch.charCodeAt(0) < 0x20) fail('control character inside a string');
      else if (ch === '\\') {
        const esc = text[pos + 1];
        if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 6;
        else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) pos += 2;
        else fail('bad escape in string');
      } else pos++;
    }
  };

  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!m) return fail('bad number');
    pos += m[0].length;
    const next = text[pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) fail('bad number');
  };

  ws();
  value([]);
  ws();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return best;
}
