/** Where a piece of input text came from. Lines and columns are 1-based. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The one error class of kpath. `code` is stable (tests assert it); `loc` and `token` point at
 * the text that could not be read; `hint` says what would have been accepted.
 */
export class KpathError extends Error {
  readonly code: string;
  readonly loc: SourceLoc | undefined;
  readonly token: string | undefined;
  readonly hint: string | undefined;
  /** The whole source line, for the code frame the CLI prints. */
  readonly sourceLine: string | undefined;

  constructor(
    code: string,
    message: string,
    opts: { loc?: SourceLoc; token?: string; hint?: string; sourceLine?: string } = {},
  ) {
    super(message);
    this.name = 'KpathError';
    this.code = code;
    this.loc = opts.loc;
    this.token = opts.token;
    this.hint = opts.hint;
    this.sourceLine = opts.sourceLine;
  }
}

/** Renders `file:line:col: CODE: message`, then the source line with a caret under the token. */
export function formatKpathError(err: KpathError): string {
  const where = err.loc ? `${err.loc.file}:${err.loc.line}:${err.loc.column}: ` : '';
  const lines = [`${where}${err.code}: ${err.message}`];
  if (err.loc && err.sourceLine !== undefined) {
    const num = String(err.loc.line);
    lines.push(`  ${num} | ${err.sourceLine}`);
    const width = Math.max(1, err.token?.length ?? 1);
    lines.push(`  ${' '.repeat(num.length)} | ${' '.repeat(Math.max(0, err.loc.column - 1))}${'^'.repeat(width)}`);
  }
  if (err.hint) lines.push(`  hint: ${err.hint}`);
  return lines.join('\n');
}
