import type { ClientIpVerdict, PathDisposition, TracePath, TraceResult } from '../path/model.js';

/** Diff JSON (`kpath diff -o json`): add fields freely; bump this when a field's meaning changes. */
export const DIFF_SCHEMA = 'kpath/diff/v1';

/** Shares are sums of exact probabilities; differences below this are rounding. */
const EPS = 1e-9;

/** A share before and after; `null` where the thing does not occur at all. */
export interface ShareChange {
  readonly before: number | null;
  readonly after: number | null;
}

/**
 * One outcome: traffic that ends the same way, as trace-json.md says consumers may merge paths —
 * same endpoint, disposition and source seen by the endpoint, probabilities summed.
 */
export interface OutcomeChange extends ShareChange {
  /** Pod as NAMESPACE/NAME, else ip:port, else "-" (not delivered). */
  readonly endpoint: string;
  readonly disposition: PathDisposition;
  /** Source address the endpoint sees, "-" when not delivered. */
  readonly source: string;
  readonly change: 'added' | 'removed' | 'share' | 'same';
  /** Whether the client address travels in a PROXY v2 header, before and after (null: absent). */
  readonly proxyProtocol: { readonly before: boolean | null; readonly after: boolean | null };
  /** The rewrites and end reasons on this outcome's paths, before and after (the rules that decide). */
  readonly via: { readonly before: readonly string[]; readonly after: readonly string[] };
}

/** A keyed share (endpoint, source or disposition) before and after. */
export interface KeyedShare extends ShareChange {
  readonly key: string;
}

/** Everything `kpath diff` compares, computed from two traces of the same question. */
export interface TraceDiff {
  readonly schema: typeof DIFF_SCHEMA;
  readonly query: { readonly before: string; readonly after: string };
  /** The two snapshots, as the caller names them (directories on the command line). */
  readonly snapshots: { readonly before: string; readonly after: string };
  readonly changed: boolean;
  /** What changed, in words CI logs can grep: endpoints, shares, sources, dispositions, client-ip, preserved-share, proxy-protocol. */
  readonly changes: readonly string[];
  readonly verdict: {
    readonly clientIp: { readonly before: ClientIpVerdict; readonly after: ClientIpVerdict };
    readonly preservedShare: { readonly before: number; readonly after: number };
    readonly summary: { readonly before: string; readonly after: string };
    /** Reasons (rules and attributes that decide the verdict) only before, only after. */
    readonly reasons: { readonly removed: readonly string[]; readonly added: readonly string[] };
    readonly fix: { readonly before: string | null; readonly after: string | null };
  };
  /** Every outcome of either trace, changed or not, in a stable order. */
  readonly outcomes: readonly OutcomeChange[];
  /** Delivered share per endpoint. */
  readonly endpoints: readonly KeyedShare[];
  /** Delivered share per source address seen by endpoints. */
  readonly sources: readonly KeyedShare[];
  /** Share of all traffic per disposition. */
  readonly dispositions: readonly KeyedShare[];
}

function endpointLabel(p: TracePath): string {
  const e = p.endpoint;
  if (!e) return '-';
  return e.pod ?? `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`;
}

/**
 * The rewrites of a path and its end reason, in hop order, as the diff lists them:
 * "k8s-node-1: MASQUERADE 198.51.100.20:40000 → 10.244.40.64 (KUBE-POSTROUTING rule 3)". A load
 * balancer's DNS name is left out of its target choice; the hop name already says which it is.
 */
function viaOf(p: TracePath): string[] {
  const out: string[] = [];
  for (const h of p.hops) {
    for (const t of h.translations) {
      const to = t.to.replace(/ \(random port\)$/, '');
      const from = t.type === 'LB' && !/^[0-9a-fA-F:.[\]]+$/.test(t.from) ? '' : `${t.from} `;
      out.push(`${h.name}: ${t.type} ${from}→ ${to}${t.by ? ` (${t.by})` : ''}`);
    }
  }
  if (p.reason) out.push(p.reason);
  return out;
}

interface Outcome {
  share: number;
  proxyProtocol: boolean;
  via: Set<string>;
  endpoint: string;
  disposition: PathDisposition;
  source: string;
}

function outcomesOf(r: TraceResult): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  for (const p of r.paths) {
    const endpoint = endpointLabel(p);
    const source = p.sourceSeenByEndpoint?.ip ?? '-';
    const key = JSON.stringify([endpoint, p.disposition, source]);
    const o = out.get(key) ?? { share: 0, proxyProtocol: false, via: new Set<string>(), endpoint, disposition: p.disposition, source };
    o.share += p.probability;
    o.proxyProtocol ||= p.proxyProtocol;
    for (const v of viaOf(p)) o.via.add(v);
    out.set(key, o);
  }
  return out;
}

/** Sums of probabilities carry float noise (1/6 × 6 = 0.9999999999999999); reported shares are rounded to 12 places. */
function tidy(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

function sharesBy(r: TraceResult, keyOf: (p: TracePath) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of r.paths) {
    const k = keyOf(p);
    if (k !== undefined) out.set(k, (out.get(k) ?? 0) + p.probability);
  }
  for (const [k, x] of out) out.set(k, tidy(x));
  return out;
}

function differs(a: number | null, b: number | null): boolean {
  return a === null || b === null ? a !== b : Math.abs(a - b) > EPS;
}

function keyed(before: Map<string, number>, after: Map<string, number>): KeyedShare[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const rows = keys.map((key) => ({ key, before: before.get(key) ?? null, after: after.get(key) ?? null }));
  return rows.sort((a, z) => (z.after ?? z.before ?? 0) - (a.after ?? a.before ?? 0) || a.key.localeCompare(z.key));
}

function compareOutcomes(before: TraceResult, after: TraceResult): OutcomeChange[] {
  const b = outcomesOf(before);
  const a = outcomesOf(after);
  const rows: OutcomeChange[] = [];
  for (const key of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(key);
    const y = a.get(key);
    const first = (x ?? y)!;
    const change = !x ? 'added' : !y ? 'removed' : differs(x.share, y.share) ? 'share' : 'same';
    rows.push({
      endpoint: first.endpoint, disposition: first.disposition, source: first.source,
      before: x ? tidy(x.share) : null, after: y ? tidy(y.share) : null, change,
      proxyProtocol: { before: x ? x.proxyProtocol : null, after: y ? y.proxyProtocol : null },
      via: { before: x ? [...x.via] : [], after: y ? [...y.via] : [] },
    });
  }
  // Changed outcomes first, grouped by endpoint; within one the removed lines come before the added ones, as in a diff.
  const group = (o: OutcomeChange) => (o.change === 'same' ? 1 : 0);
  const side = (o: OutcomeChange) => (o.change === 'removed' ? 0 : o.change === 'added' ? 2 : 1);
  const size = (o: OutcomeChange) => Math.max(o.before ?? 0, o.after ?? 0);
  return rows.sort((p, q) => group(p) - group(q) || p.endpoint.localeCompare(q.endpoint) || p.disposition.localeCompare(q.disposition)
    || side(p) - side(q) || size(q) - size(p) || p.source.localeCompare(q.source));
}

/**
 * Compares two traces of the same question (a snapshot before and after a change): outcomes keyed
 * by (endpoint, disposition, source seen) with summed shares, delivered share per endpoint and per
 * source, share per disposition, and the client-IP verdict with its reasons. `changed` is about
 * outcomes and the verdict; reasons that differ while outcomes stay the same (a rule moved) are
 * reported but do not count as a change.
 */
export function diffTraces(before: TraceResult, after: TraceResult, snapshots: { before: string; after: string }): TraceDiff {
  const outcomes = compareOutcomes(before, after);
  const delivered = (p: TracePath) => p.disposition === 'delivered';
  const endpoints = keyed(sharesBy(before, (p) => (delivered(p) ? endpointLabel(p) : undefined)), sharesBy(after, (p) => (delivered(p) ? endpointLabel(p) : undefined)));
  const sources = keyed(
    sharesBy(before, (p) => (delivered(p) ? p.sourceSeenByEndpoint?.ip ?? '?' : undefined)),
    sharesBy(after, (p) => (delivered(p) ? p.sourceSeenByEndpoint?.ip ?? '?' : undefined)),
  );
  const dispositions = keyed(sharesBy(before, (p) => p.disposition), sharesBy(after, (p) => p.disposition));
  const vb = before.verdict;
  const va = after.verdict;
  const changes: string[] = [];
  const anyDiff = (rows: readonly ShareChange[]) => rows.some((r) => differs(r.before, r.after));
  if (endpoints.some((r) => (r.before === null) !== (r.after === null))) changes.push('endpoints');
  if (anyDiff(endpoints)) changes.push('shares');
  if (anyDiff(sources)) changes.push('sources');
  if (anyDiff(dispositions)) changes.push('dispositions');
  if (vb.clientIp !== va.clientIp) changes.push('client-ip');
  if (differs(vb.preservedShare, va.preservedShare)) changes.push('preserved-share');
  if (outcomes.some((o) => o.proxyProtocol.before !== null && o.proxyProtocol.after !== null && o.proxyProtocol.before !== o.proxyProtocol.after)) changes.push('proxy-protocol');
  if (changes.length === 0 && outcomes.some((o) => o.change !== 'same')) changes.push('outcomes');
  const reasonsBefore = new Set(vb.reasons);
  const reasonsAfter = new Set(va.reasons);
  return {
    schema: DIFF_SCHEMA,
    query: { before: String(before.query.title ?? ''), after: String(after.query.title ?? '') },
    snapshots: { before: snapshots.before, after: snapshots.after },
    changed: changes.length > 0,
    changes,
    verdict: {
      clientIp: { before: vb.clientIp, after: va.clientIp },
      preservedShare: { before: vb.preservedShare, after: va.preservedShare },
      summary: { before: vb.summary, after: va.summary },
      reasons: { removed: vb.reasons.filter((r) => !reasonsAfter.has(r)), added: va.reasons.filter((r) => !reasonsBefore.has(r)) },
      fix: { before: vb.fix ?? null, after: va.fix ?? null },
    },
    outcomes,
    endpoints,
    sources,
    dispositions,
  };
}
