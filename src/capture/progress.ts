/** One phase of a gather on stderr: a start line, optional counts, and a done line with the time taken. */
export interface Phase {
  readonly step: (done: number, total: number) => void;
  readonly end: (summary: string) => void;
}

/**
 * Progress per phase. Counts are printed at most every 10% so that 100 nodes give ~10 lines,
 * not 100; `now` is injected so the core keeps no clock of its own.
 */
export function startPhase(sink: ((line: string) => void) | undefined, name: string, now: () => number = Date.now): Phase {
  const t0 = now();
  let shown = -1;
  sink?.(`gather: ${name} …`);
  return {
    step(done, total) {
      const tenth = Math.floor((done * 10) / Math.max(1, total));
      if (tenth === shown || done === total) return;
      shown = tenth;
      sink?.(`gather: ${name} ${done}/${total}`);
    },
    end(summary) {
      sink?.(`gather: ${name} done: ${summary} (${((now() - t0) / 1000).toFixed(1)} s)`);
    },
  };
}
