import type { KeyedShare, OutcomeChange, ShareChange, TraceDiff } from '../diff/compare.js';
import { formatShare } from '../path/verdict.js';
import type { Style } from './style.js';

const EPS = 1e-9;

function share(x: number | null): string {
  return x === null ? '-' : formatShare(x);
}

function mark(r: ShareChange): '+' | '-' | '~' | ' ' {
  if (r.before === null) return '+';
  if (r.after === null) return '-';
  return Math.abs(r.before - r.after) > EPS ? '~' : ' ';
}

function colourMark(m: string, s: Style): string {
  return m === '+' ? s.green(m) : m === '-' ? s.red(m) : m === '~' ? s.yellow(m) : m;
}

/** Rows as "  M label   before → after", labels padded to one column. */
function table(rows: readonly { mark: string; label: string; before: number | null; after: number | null; extra?: string[] }[], s: Style): string[] {
  const width = Math.max(0, ...rows.map((r) => r.label.length));
  const out: string[] = [];
  for (const r of rows) {
    out.push(`  ${colourMark(r.mark, s)} ${r.label.padEnd(width)}  ${share(r.before).padStart(6)} → ${share(r.after)}`);
    for (const e of r.extra ?? []) out.push(`        ${s.dim(e)}`);
  }
  return out;
}

function outcomeLabel(o: OutcomeChange): string {
  if (o.disposition !== 'delivered') return `${o.disposition}${o.endpoint !== '-' ? ` at ${o.endpoint}` : ''}`;
  const pp = o.proxyProtocol.after ?? o.proxyProtocol.before ? ', PROXY v2 header' : '';
  return `${o.endpoint} sees ${o.source}${pp}`;
}

function outcomeRows(outcomes: readonly OutcomeChange[]) {
  return outcomes.filter((o) => o.change !== 'same').map((o) => ({
    mark: mark(o),
    label: outcomeLabel(o),
    before: o.before,
    after: o.after,
    extra: o.change === 'added' ? o.via.after.map((v) => `via ${v}`) : o.change === 'removed' ? o.via.before.map((v) => `via ${v}`) : [],
  }));
}

function keyedRows(rows: readonly KeyedShare[]) {
  return rows.map((r) => ({ mark: mark(r), label: r.key, before: r.before, after: r.after }));
}

function verdictLines(d: TraceDiff, s: Style): string[] {
  const v = d.verdict;
  const ps = v.preservedShare;
  const out: string[] = [];
  if (v.clientIp.before === v.clientIp.after && Math.abs(ps.before - ps.after) <= EPS) {
    out.push(`${s.bold('Client IP:')} ${v.clientIp.after.toUpperCase()} ${s.dim(`(unchanged; preserved for ${formatShare(ps.after)} of delivered traffic)`)}`);
  } else {
    out.push(`${s.bold('Client IP:')} ${s.yellow(`${v.clientIp.before.toUpperCase()} → ${v.clientIp.after.toUpperCase()}`)} ${s.dim(`(preserved for ${formatShare(ps.before)} → ${formatShare(ps.after)} of delivered traffic)`)}`);
  }
  if (v.summary.before !== v.summary.after) {
    out.push(`  before: ${v.summary.before}`, `  after:  ${v.summary.after}`);
  }
  for (const r of v.reasons.removed) out.push(`  ${s.red('-')} ${r}`);
  for (const r of v.reasons.added) out.push(`  ${s.green('+')} ${r}`);
  if (v.fix.before !== v.fix.after) {
    if (v.fix.before) out.push(`  ${s.bold('fix before:')} ${v.fix.before}`);
    if (v.fix.after) out.push(`  ${s.bold('fix after:')} ${v.fix.after}`);
  }
  return out;
}

/**
 * The diff for people: the client-IP verdict before → after with the reasons that appeared or went
 * away, then each outcome (endpoint, disposition, source seen) that was added (+), removed (-) or
 * changed share (~) with the rewrites it went through, then delivered shares per endpoint and per
 * source and the share per disposition. Ends with what changed, or "No change".
 */
export function renderDiffText(d: TraceDiff, s: Style): string {
  const lines: string[] = [];
  lines.push(s.bold(`kpath diff ${d.query.after}`));
  if (d.query.before !== d.query.after) lines.push(s.dim(`  before traced ${d.query.before}`));
  lines.push(`  before: ${d.snapshots.before}`, `  after:  ${d.snapshots.after}`, '');
  lines.push(...verdictLines(d, s), '');
  const changedOutcomes = outcomeRows(d.outcomes);
  const same = d.outcomes.length - changedOutcomes.length;
  if (changedOutcomes.length > 0) {
    lines.push(s.bold('Outcomes (endpoint, source it sees):'), ...table(changedOutcomes, s));
    if (same > 0) lines.push(s.dim(`    and ${same} outcome${same === 1 ? '' : 's'} unchanged`));
    lines.push('');
    lines.push(s.bold('Endpoints (delivered share):'), ...table(keyedRows(d.endpoints), s), '');
    lines.push(s.bold('Sources seen by endpoints (delivered share):'), ...table(keyedRows(d.sources), s), '');
    lines.push(s.bold('Dispositions (share of all traffic):'), ...table(keyedRows(d.dispositions), s), '');
  }
  if (d.changed) {
    lines.push(s.yellow(`Changed: ${d.changes.join(', ')}.`));
  } else {
    const n = d.outcomes.length;
    const note = d.verdict.reasons.added.length + d.verdict.reasons.removed.length > 0 ? '; only the reasons above are worded differently (a rule moved or was renamed)' : '';
    lines.push(s.green(`No change: the same ${n} outcome${n === 1 ? '' : 's'} with the same shares and client-IP verdict${note}.`));
  }
  return `${lines.join('\n')}\n`;
}

/** Diff JSON v1 (schema kpath/diff/v1): the TraceDiff as data, two-space indented. */
export function renderDiffJson(d: TraceDiff): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
