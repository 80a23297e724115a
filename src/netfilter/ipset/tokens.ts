import { KpathError, type SourceLoc } from '../../errors.js';

/** One word of an ipset line; `column` is 1-based and points at the first character (the quote, if quoted). */
export interface Token {
  readonly text: string;
  readonly column: number;
  readonly quoted: boolean;
}

/** A line of input with its place in the file, so errors can point into it. */
export interface Line {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Where `column` of `line` is. */
export function locOf(line: Line, column: number): SourceLoc {
  return { file: line.file, line: line.line, column };
}

/** A KpathError pointing at `token` (or at `column` when the token is missing) in `line`. */
export function ipsetError(
  code: string,
  message: string,
  line: Line,
  at: { column: number; token: string },
  hint?: string,
): KpathError {
  return new KpathError(code, message, {
    loc: locOf(line, at.column),
    token: at.token,
    sourceLine: line.text,
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * Splits a line at spaces and tabs. A word that starts with `"` runs to the next `"`: ipset prints
 * comments that way and refuses `"` inside a comment ("\" character is not permitted in comments",
 * ipset 7.17), so there is no escape to undo; a backslash is an ordinary character.
 */
export function tokenize(line: Line, from = 0): Token[] {
  const s = line.text;
  const out: Token[] = [];
  let i = from;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '"') {
      const end = s.indexOf('"', i + 1);
      if (end < 0) {
        throw ipsetError('E_IPSET_BAD_LINE', 'unterminated quoted string', line, { column: i + 1, token: s.slice(i) });
      }
      out.push({ text: s.slice(i + 1, end), column: i + 1, quoted: true });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < s.length && s[j] !== ' ' && s[j] !== '\t') j++;
    out.push({ text: s.slice(i, j), column: i + 1, quoted: false });
    i = j;
  }
  return out;
}
