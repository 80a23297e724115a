/**
 * A dump's lines without splitting it: line starts only, and a line's text on demand. A 150k-line
 * kube-proxy dump then costs one number per line instead of one string per line.
 */
export interface DumpLines {
  readonly text: string;
  readonly count: number;
  /** Offset where line `i` (0-based) starts. */
  start(i: number): number;
  /** Offset just past line `i`'s last character (its `\n`, or a `\r\n` pair, excluded). */
  end(i: number): number;
  /** The text of line `i`, without its line ending. */
  at(i: number): string;
}

/** Indexes the line starts of `text`. */
export function indexLines(text: string): DumpLines {
  const starts: number[] = [0];
  for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) starts.push(p + 1);
  const end = (i: number): number => {
    let e = i + 1 < starts.length ? starts[i + 1]! - 1 : text.length;
    if (e > starts[i]! && text.charCodeAt(e - 1) === 13) e--;
    return e;
  };
  return {
    text,
    count: starts.length,
    start: (i) => starts[i]!,
    end,
    at: (i) => text.slice(starts[i]!, end(i)),
  };
}
