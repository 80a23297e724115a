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

/**
 * Line starts of a text, filled in by whoever walks the text (the iptables-save parser records
 * each line as it reaches it, in one pass). A line's end is known once the next line is recorded.
 */
export class LineIndex implements DumpLines {
  readonly starts: number[] = [];

  constructor(readonly text: string) {}

  get count(): number {
    return this.starts.length;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    let e = i + 1 < this.starts.length ? this.starts[i + 1]! - 1 : this.text.length;
    if (e > this.starts[i]! && this.text.charCodeAt(e - 1) === 13) e--;
    return e;
  }

  at(i: number): string {
    return this.text.slice(this.starts[i]!, this.end(i));
  }
}
