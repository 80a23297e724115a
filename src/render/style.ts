/** Colour functions a renderer uses; the CLI passes chalk's, tests pass `plainStyle`. */
export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly magenta: (s: string) => string;
}

const id = (s: string) => s;

/** No colours: for tests, pipes and NO_COLOR. */
export const plainStyle: Style = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id, magenta: id };
