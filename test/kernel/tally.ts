import type { ProbeResult } from './diff-run.js';

/** Counts over a whole suite run, for the one summary line. */
export class Tally {
  probes = 0;
  agreed = 0;
  attempts = 0;
  readonly reports: string[] = [];
  readonly notes: string[] = [];

  add(r: ProbeResult, label = ''): void {
    if (process.env['KPATH_KDIFF_VERBOSE']) {
      console.log(`${r.agreed ? 'agree' : 'DISAGREE'} ${label}\n${[...r.verdict.seen].map(([s, k]) => `    ${k}× ${s}`).join('\n')}`);
    }
    this.probes++;
    this.attempts += r.attempts;
    if (r.agreed) this.agreed++;
    else if (r.report) {
      this.reports.push(r.report);
      // Printed at once so a long run shows its disagreements as they happen.
      console.log(r.report);
    }
  }

  /** Adds another tally's counts (one per suite part). */
  merge(t: Tally): void {
    this.probes += t.probes;
    this.agreed += t.agreed;
    this.attempts += t.attempts;
    this.reports.push(...t.reports);
    this.notes.push(...t.notes);
  }
}
