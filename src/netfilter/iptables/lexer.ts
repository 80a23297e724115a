import { KpathError } from '../../errors.js';

/** A word of an iptables-save line with its 1-based column; `quoted` words were written in "…". */
export interface Token {
  readonly text: string;
  readonly column: number;
  readonly quoted: boolean;
  /** Length in the source, quotes and escapes included (for the caret under an error). */
  readonly width: number;
}

/**
 * Splits one line the way iptables-restore does: words separated by blanks, double quotes group a
 * word, and inside quotes a backslash escapes the next character (iptables-save writes \" and \' in comments).
 */
export function tokenizeLine(line: string, file: string, lineNo: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) { i++; continue; }
    const start = i;
    let text = '';
    let quoted = false;
    while (i < n) {
      const ch = line[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\r') break;
      if (ch === '"') {
        quoted = true;
        i++;
        let closed = false;
        while (i < n) {
          const q = line[i]!;
          // iptables-restore: inside quotes a backslash takes the next character literally (\" \\ \').
          if (q === '\\' && i + 1 < n) {
            text += line[i + 1];
            i += 2;
            continue;
          }
          if (q === '"') { closed = true; i++; break; }
          text += q;
          i++;
        }
        if (!closed) {
          throw new KpathError('E_IPT_UNTERMINATED_QUOTE', 'a quoted word has no closing quote', {
            loc: { file, line: lineNo, column: start + 1 },
            token: line.slice(start),
            sourceLine: line,
            hint: 'iptables-save writes comments as "text", escaping inner quotes as \\"',
          });
        }
        continue;
      }
      text += ch;
      i++;
    }
    tokens.push({ text, column: start + 1, quoted, width: i - start });
  }
  return tokens;
}
