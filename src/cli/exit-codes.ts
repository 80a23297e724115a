/** Exit codes scripts can rely on (also listed in --help and README). */
export const EXIT = {
  /** The command did its work (a trace was printed, whatever it found). */
  ok: 0,
  /** A check failed: an expectation did not hold, or `diff` found a change. */
  checkFailed: 1,
  /** Usage or input error: bad flags, unreadable snapshot, a dump kpath cannot read. */
  badInput: 2,
  /** Capture failed: the cluster, AWS or a node could not be reached at all. */
  captureFailed: 3,
} as const;

export const EXIT_HELP = `Exit codes:
  0  done (the trace was printed, whatever it found)
  1  a check failed (kpath check: an expectation did not hold; kpath diff: outcomes changed)
  2  usage or input error (bad flag, missing snapshot, a dump kpath cannot read: file:line:col)
  3  capture failed (cluster, AWS or nodes unreachable)`;
