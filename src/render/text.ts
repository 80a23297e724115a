import type { Hop, TracePath, TraceResult } from '../path/model.js';
import { formatShare } from '../path/verdict.js';
import type { Style } from './style.js';

function endpointLine(p: TracePath): string {
  const e = p.endpoint;
  if (!e) return '';
  const where = [e.pod, e.node ? `on ${e.node}` : undefined].filter(Boolean).join(' ');
  return `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}${where ? ` (${where})` : ''}`;
}

function pathTitle(p: TracePath, i: number, s: Style): string {
  const share = s.bold(formatShare(p.probability).padStart(6));
  const head = `${s.bold(`Path ${i + 1}`)} ${share}  `;
  switch (p.disposition) {
    case 'delivered': {
      const src = p.sourceSeenByEndpoint ? `${p.sourceSeenByEndpoint.ip}${p.sourceSeenByEndpoint.port !== undefined ? `:${p.sourceSeenByEndpoint.port}` : ''}` : '?';
      const seen = p.clientIpPreserved ? s.green(`sees ${src} (client IP kept)`) : p.proxyProtocol ? s.yellow(`sees ${src}; client IP in PROXY v2 header`) : s.red(`sees ${src} (client IP lost)`);
      return `${head}delivered to ${s.cyan(endpointLine(p))}, ${seen}`;
    }
    case 'dropped': return `${head}${s.red('dropped')}${p.reason ? ` — ${p.reason}` : ''}`;
    case 'rejected': return `${head}${s.red('rejected')}${p.reason ? ` — ${p.reason}` : ''}`;
    case 'no-route': return `${head}${s.red('no route')}${p.reason ? ` — ${p.reason}` : ''}`;
    default: return `${head}${s.yellow('unknown')}${p.reason ? ` — ${p.reason}` : ''}`;
  }
}

function hopLines(h: Hop, s: Style, labelChain?: (chain: string) => string | undefined): string[] {
  const out = [`    ${s.bold(`[${h.kind}]`)} ${h.name}`];
  for (const n of h.notes ?? []) out.push(`      ${s.dim(n)}`);
  let prevChain = '';
  for (const st of h.steps) {
    const loc = st.rule > 0 ? `${st.table} ${st.chain} #${st.rule}` : `${st.table} ${st.chain}`;
    // kube-proxy's hashed chains get their Service port (and endpoint) once per run of steps.
    const label = st.chain !== prevChain ? labelChain?.(st.chain) : undefined;
    prevChain = st.chain;
    const isNat = /^(DNAT|SNAT|MASQUERADE|REDIRECT)/.test(st.verdict);
    const verdict = isNat ? s.magenta(st.verdict) : /DROP|REJECT/.test(st.verdict) ? s.red(st.verdict) : st.verdict;
    out.push(`      ${s.dim(loc.padEnd(44))} ${verdict}${label ? s.dim(`  [${label}]`) : ''}`);
  }
  for (const t of h.translations) {
    if (h.steps.some((st) => st.verdict.startsWith(t.type) && st.verdict.includes(t.to))) continue;
    out.push(`      ${s.magenta(`${t.type} ${t.from} → ${t.to}`)}${t.by ? s.dim(`  (${t.by})`) : ''}`);
  }
  return out;
}

/**
 * Text for a person at 3 a.m.: the verdict first, then each path hop by hop with the rules it
 * matched and the rewrites highlighted, then assumptions and unknowns, and a last line saying
 * what happened.
 */
export function renderText(r: TraceResult, s: Style, opts: { verbose?: boolean; labelChain?: (chain: string) => string | undefined } = {}): string {
  const lines: string[] = [];
  const q = r.query;
  lines.push(s.bold(`kpath trace ${String(q.title ?? '')}`.trim()));
  lines.push('');
  const v = r.verdict;
  const colour = v.clientIp === 'preserved' ? s.green : v.clientIp === 'lost' ? s.red : s.yellow;
  lines.push(`${s.bold('Client IP:')} ${colour(v.clientIp.toUpperCase())} ${s.dim(`(preserved for ${formatShare(v.preservedShare)} of delivered traffic)`)}`);
  lines.push(`  ${v.summary}`);
  for (const reason of v.reasons) lines.push(`  · ${reason}`);
  if (v.fix) lines.push(`  ${s.bold('fix:')} ${v.fix}`);
  lines.push('');
  r.paths.forEach((p, i) => {
    lines.push(pathTitle(p, i, s));
    for (const h of p.hops) {
      if (!opts.verbose && h.kind === 'client') continue;
      lines.push(...hopLines(h, s, opts.labelChain));
    }
    lines.push('');
  });
  const assumptions = [...new Set([...r.assumptions, ...r.paths.flatMap((p) => p.assumptions)])];
  if (assumptions.length > 0) {
    lines.push(s.bold('Assumptions:'));
    for (const a of assumptions) lines.push(`  - ${a}`);
    lines.push('');
  }
  if (r.unknowns.length > 0) {
    lines.push(s.bold(s.yellow('Unknown:')));
    for (const u of r.unknowns) lines.push(`  - ${u.what} (${u.where}): ${u.effect}`);
    lines.push('');
  }
  lines.push(summaryLine(r));
  return `${lines.join('\n')}\n`;
}

function summaryLine(r: TraceResult): string {
  const by = new Map<string, number>();
  for (const p of r.paths) by.set(p.disposition, (by.get(p.disposition) ?? 0) + p.probability);
  const parts = [...by].sort((a, z) => z[1] - a[1]).map(([d, x]) => `${formatShare(x)} ${d}`);
  const n = r.paths.length;
  return `${n} path${n === 1 ? '' : 's'}: ${parts.join(', ')}; client IP ${r.verdict.clientIp}.`;
}
