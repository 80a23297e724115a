import type { CheckReport, CheckResult } from '../check/model.js';
import type { Style } from './style.js';

function where(r: CheckResult): string {
  const l = r.expectation.loc;
  return `${l.file}:${l.line}:${l.column}`;
}

function resultLines(r: CheckResult, s: Style): string[] {
  const head = r.passed ? s.green(s.bold('PASS')) : s.red(s.bold('FAIL'));
  const lines = [`${head}  ${r.expectation.name}  ${s.dim(where(r))}`];
  if (r.expectation.isNamed || r.traced !== r.expectation.name) lines.push(`      ${s.dim(`traced ${r.traced}`)}`);
  for (const a of r.assertions) {
    if (a.passed) {
      lines.push(`      ${s.green('✓')} ${a.key}: ${a.got}`);
      continue;
    }
    lines.push(`      ${s.red('✗')} ${a.key}: want ${a.want}; got ${a.got}`);
    for (const d of a.details) lines.push(`          ${d.startsWith('fix: ') ? `${s.bold('fix:')} ${d.slice(5)}` : `· ${d}`}`);
  }
  return lines;
}

/**
 * The report of `kpath check` for people and CI logs: each expectation with PASS or FAIL, what
 * the trace showed for every assertion, and for a failure why (the verdict's reasons, which
 * endpoints got what share, what was dropped). Ends with a one-line count.
 */
export function renderCheckText(report: CheckReport, s: Style): string {
  const lines = [s.bold(`kpath check ${report.file} against ${report.snapshot}`), ''];
  for (const r of report.results) lines.push(...resultLines(r, s), '');
  const failed = report.results.filter((r) => !r.passed).length;
  const n = report.results.length;
  const tally = `${n} expectation${n === 1 ? '' : 's'}: ${n - failed} passed, ${failed} failed.`;
  lines.push(failed > 0 ? s.red(tally) : s.green(tally));
  return `${lines.join('\n')}\n`;
}
