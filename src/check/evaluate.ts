import type { Cluster } from '../k8s/model.js';
import { cidrContains, parseCidr, parseIp } from '../netfilter/cidr.js';
import type { TracePath, TraceResult } from '../path/model.js';
import { formatShare } from '../path/verdict.js';
import type { AssertionResult, EndpointMatcher, Expectation } from './model.js';
import { matchesLabels } from './selector.js';

/** Shares are sums of exact probabilities; compare them with this slack. */
const EPS = 1e-9;

function sumOf(paths: readonly TracePath[]): number {
  return paths.reduce((s, p) => s + p.probability, 0);
}

/** Share of all traffic per disposition other than delivered, with the first reason of each: "10% dropped (filter …)". */
function undelivered(result: TraceResult): string[] {
  const by = new Map<string, { share: number; reasons: Set<string> }>();
  for (const p of result.paths) {
    if (p.disposition === 'delivered') continue;
    const e = by.get(p.disposition) ?? { share: 0, reasons: new Set<string>() };
    e.share += p.probability;
    if (p.reason) e.reasons.add(p.reason);
    by.set(p.disposition, e);
  }
  return [...by].map(([d, e]) => `${formatShare(e.share)} ${d}${e.reasons.size > 0 ? `: ${[...e.reasons].join('; ')}` : ''}`);
}

function checkReachable(want: boolean, result: TraceResult): AssertionResult {
  const delivered = sumOf(result.paths.filter((p) => p.disposition === 'delivered'));
  const unknown = sumOf(result.paths.filter((p) => p.disposition === 'unknown'));
  const rest = undelivered(result);
  const got = delivered > 0 ? `${formatShare(delivered)} of the traffic is delivered` : 'no path delivers the traffic';
  // "Unreachable" must be shown, not merely unknown: an unknown share fails reachable: false.
  const passed = want ? delivered > 0 : delivered === 0 && unknown < EPS;
  return { key: 'reachable', passed, want: String(want), got, details: rest };
}

function checkClientIp(want: string, result: TraceResult): AssertionResult {
  const v = result.verdict;
  return {
    key: 'clientIp', passed: v.clientIp === want, want, got: `${v.clientIp}: ${v.summary}`,
    details: [...v.reasons, ...(v.fix ? [`fix: ${v.fix}`] : [])],
  };
}

function checkPreservedShare(want: { min?: number; max?: number }, result: TraceResult): AssertionResult {
  const x = result.verdict.preservedShare;
  const passed = (want.min === undefined || x >= want.min - EPS) && (want.max === undefined || x <= want.max + EPS);
  const parts = [want.min !== undefined ? `≥ ${formatShare(want.min)}` : '', want.max !== undefined ? `≤ ${formatShare(want.max)}` : ''].filter(Boolean);
  return {
    key: 'preservedShare', passed, want: parts.join(' and '),
    got: `${formatShare(x)} of delivered traffic keeps the client IP (${result.verdict.clientIp})`, details: passed ? [] : result.verdict.reasons,
  };
}

function matcherText(m: EndpointMatcher): string {
  return m.kind === 'selector' ? m.text : m.pods.join(', ');
}

/** Whether the pod a path ends at is one the expectation names, and what kpath knows of its labels. */
function podMatch(m: EndpointMatcher, pod: string | undefined, cluster: Cluster): { matches: boolean; note: string } {
  if (!pod) return { matches: false, note: 'not a pod' };
  if (m.kind === 'pods') return { matches: m.pods.includes(pod), note: '' };
  const p = cluster.pods.find((x) => `${x.namespace}/${x.name}` === pod);
  if (!p) return { matches: false, note: 'the Pod is not in the snapshot, so its labels are unknown' };
  const labels = Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return { matches: matchesLabels(m.requirements, p.labels), note: `labels ${labels || 'none'}` };
}

function checkEndpoints(m: EndpointMatcher, minShare: number | undefined, result: TraceResult, cluster: Cluster): AssertionResult {
  const perEndpoint = new Map<string, { share: number; matches: boolean; note: string }>();
  for (const p of result.paths) {
    if (p.disposition !== 'delivered') continue;
    const e = p.endpoint;
    const label = e?.pod ?? `${e?.ip ?? '?'}${e?.port !== undefined ? `:${e.port}` : ''}${e?.node ? ` on ${e.node}` : ''}`;
    const hit = perEndpoint.get(label) ?? { share: 0, ...podMatch(m, e?.pod, cluster) };
    hit.share += p.probability;
    perEndpoint.set(label, hit);
  }
  const matched = [...perEndpoint.values()].filter((x) => x.matches).reduce((s, x) => s + x.share, 0);
  const strays = [...perEndpoint].filter(([, x]) => !x.matches);
  const problems: string[] = [];
  if (strays.length > 0) problems.push(`${formatShare(strays.reduce((s, [, x]) => s + x.share, 0))} is delivered to endpoints that do not match`);
  if (minShare !== undefined && matched < minShare - EPS) problems.push(`${formatShare(matched)} reaches matching pods, below ${formatShare(minShare)}`);
  if (minShare === undefined && matched <= 0) problems.push('no traffic reaches a matching pod');
  const details = [...perEndpoint].sort((a, z) => z[1].share - a[1].share || a[0].localeCompare(z[0]))
    .map(([label, x]) => `${x.matches ? 'matches' : 'does not match'}: ${label} ${formatShare(x.share)}${x.note && !x.matches ? ` (${x.note})` : ''}`);
  if (matched < 1 - EPS) details.push(...undelivered(result));
  const want = `every delivered path ends at ${m.kind === 'selector' ? `a pod with ${m.text}` : `one of ${matcherText(m)}`}${minShare !== undefined ? `, ≥ ${formatShare(minShare)} of all traffic` : ''}`;
  const shares = [...perEndpoint].sort((a, z) => z[1].share - a[1].share || a[0].localeCompare(z[0])).map(([label, x]) => `${label} ${formatShare(x.share)}`);
  const named = shares.length <= 4 ? `: ${shares.join(', ')}` : ` (${shares.length} of them)`;
  const got = problems.length > 0 ? problems.join('; ') : `${formatShare(matched)} of all traffic reaches matching pods${named}`;
  return { key: 'endpoints', passed: problems.length === 0, want, got, details };
}

function checkSources(allowed: readonly string[], result: TraceResult): AssertionResult {
  const cidrs = allowed.map((a) => parseCidr(a)).filter((c) => c !== undefined);
  const seen = new Map<string, number>();
  for (const p of result.paths) {
    if (p.disposition !== 'delivered') continue;
    const ip = p.sourceSeenByEndpoint?.ip ?? '?';
    seen.set(ip, (seen.get(ip) ?? 0) + p.probability);
  }
  const inside = (ip: string) => {
    const a = parseIp(ip);
    return a !== undefined && cidrs.some((c) => cidrContains(c, a));
  };
  const rows = [...seen].sort((a, z) => z[1] - a[1] || a[0].localeCompare(z[0]));
  const outside = rows.filter(([ip]) => !inside(ip));
  const list = (xs: readonly (readonly [string, number])[]) => xs.map(([ip, x]) => `${ip} ${formatShare(x)}`).join(', ');
  const got = seen.size === 0 ? 'nothing is delivered, so no endpoint sees a source'
    : outside.length > 0 ? `endpoints also see ${list(outside)}` : `endpoints see ${list(rows)}`;
  return {
    key: 'sources', passed: seen.size > 0 && outside.length === 0, want: `every endpoint sees a source within ${allowed.join(', ')}`, got,
    details: outside.length > 0 ? [`all sources seen: ${list(rows)}`, ...result.verdict.reasons] : [],
  };
}

/**
 * Checks one expectation against the trace of its query: `reachable` (some path delivers; false
 * needs every path shown undelivered), `clientIp` (the verdict equals), `preservedShare` (within
 * min..max), `endpoints` (every delivered path ends at a matching pod, at least `minShare` of all
 * traffic reaches them), `sources` (every delivered endpoint sees a source inside one of the
 * addresses or CIDRs). Pure: the pods' labels come from the cluster of the same snapshot.
 */
export function checkExpectation(exp: Expectation, result: TraceResult, cluster: Cluster): AssertionResult[] {
  const out: AssertionResult[] = [];
  if (exp.reachable !== undefined) out.push(checkReachable(exp.reachable, result));
  if (exp.clientIp !== undefined) out.push(checkClientIp(exp.clientIp, result));
  if (exp.preservedShare !== undefined) out.push(checkPreservedShare(exp.preservedShare, result));
  if (exp.endpoints !== undefined) out.push(checkEndpoints(exp.endpoints, exp.minShare, result, cluster));
  if (exp.sources !== undefined) out.push(checkSources(exp.sources, result));
  return out;
}
