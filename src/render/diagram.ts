import type { Hop, HopTranslation, TracePath, TraceResult } from '../path/model.js';
import { formatShare } from '../path/verdict.js';

/** What a box of the diagram stands for; the endings other than a pod or socket get their own shapes. */
export type DiagramNodeKind = 'start' | 'client' | 'load-balancer' | 'node' | 'pod' | 'proxy' | 'endpoint' | 'dropped' | 'rejected' | 'no-route' | 'unknown';

export interface DiagramNode {
  /** Safe in Mermaid and DOT: [A-Za-z0-9_], starts with a letter, never a keyword. */
  readonly id: string;
  readonly kind: DiagramNodeKind;
  /** Label lines, unescaped; each renderer escapes and joins them. */
  readonly lines: readonly string[];
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  /** Part of all traffic that takes this edge (0..1): the sum over the paths that share it. */
  readonly share: number;
  /** Rewrites done at the `from` hop on these paths, and what the endpoint sees on a last edge. */
  readonly lines: readonly string[];
}

/** A trace as a graph: hops are boxes, merged by hop; edges are merged when they say the same thing. */
export interface Diagram {
  readonly title: string;
  readonly verdict: string;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

/** Label lines wrap at this width, at most MAX_WRAPS lines each; a whole iptables rule in a drop reason is cut with "…". */
const WIDTH = 64;
const MAX_WRAPS = 3;

/** Wraps one label line at spaces (a word is never split unless it is longer than two lines), cutting what does not fit. */
function wrap(s: string): string[] {
  const words = s.split(' ').flatMap((w) => (w.length > 2 * WIDTH ? w.match(new RegExp(`.{1,${WIDTH}}`, 'g')) ?? [w] : [w]));
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    if (line !== '' && line.length + 1 + w.length > WIDTH) {
      out.push(line);
      line = w;
    } else {
      line = line === '' ? w : `${line} ${w}`;
    }
  }
  out.push(line);
  if (out.length <= MAX_WRAPS) return out;
  const kept = out.slice(0, MAX_WRAPS);
  kept[MAX_WRAPS - 1] = `${kept[MAX_WRAPS - 1]!.slice(0, WIDTH - 1)}…`;
  return kept;
}

function wrapAll(lines: readonly string[]): string[] {
  return lines.flatMap(wrap);
}

const ID_PREFIX: Readonly<Record<DiagramNodeKind, string>> = {
  start: 'start', client: 'client', 'load-balancer': 'lb', node: 'node', pod: 'pod', proxy: 'proxy', endpoint: 'ep',
  dropped: 'dropped', rejected: 'rejected', 'no-route': 'noroute', unknown: 'unknown',
};

/** "203.0.113.10:40000" and "10.0.1.10 (random port)" → the address without the port note. */
function addr(s: string): string {
  return s.replace(/ \(random port\)$/, '');
}

/** One rewrite as an edge line: "DNAT 10.0.1.10:30080 → 10.0.1.57:8000", "MASQUERADE → 10.0.1.10". */
export function translationLine(t: HopTranslation, client: string | undefined): string {
  if (t.type === 'MASQUERADE' || t.type === 'SNAT') return `${t.type} → ${addr(t.to)}`;
  if (t.type === 'LB') {
    // The NLB either picks a target (from is its DNS name:port) or rewrites the client's source address.
    if (client !== undefined && t.from === client) return `LB source ${t.from} → ${addr(t.to)}`;
    if (!/^[0-9a-fA-F:.[\]]+$/.test(t.from)) return `LB → ${addr(t.to)}`;
  }
  return `${t.type} ${t.from} → ${addr(t.to)}`;
}

class Builder {
  readonly nodes: DiagramNode[] = [];
  readonly edges: (DiagramEdge & { share: number })[] = [];
  private readonly byKey = new Map<string, string>();
  private readonly ids = new Set<string>();
  private readonly edgeByKey = new Map<string, { share: number }>();
  private readonly endCount = new Map<string, number>();

  node(key: string, kind: DiagramNodeKind, lines: readonly string[], idHint: string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    const hint = idHint.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'x';
    // The prefix keeps ids clear of DOT keywords (node, edge, graph) and Mermaid's `end`.
    const base = `${ID_PREFIX[kind]}_${hint}`;
    let id = base;
    for (let n = 2; this.ids.has(id); n++) id = `${base}_${n}`;
    this.ids.add(id);
    this.byKey.set(key, id);
    this.nodes.push({ id, kind, lines: wrapAll(lines) });
    return id;
  }

  /** An ending (dropped, unknown…): one box per distinct reason, numbered rather than named after it. */
  ending(kind: 'dropped' | 'rejected' | 'no-route' | 'unknown', reason: string | undefined): string {
    const key = `${kind}|${reason ?? ''}`;
    const n = this.byKey.has(key) ? 0 : (this.endCount.get(kind) ?? 0) + 1;
    if (n > 0) this.endCount.set(kind, n);
    return this.node(key, kind, [kind, ...(reason ? [reason] : [])], String(n));
  }

  edge(from: string, to: string, share: number, lines: readonly string[]): void {
    const key = JSON.stringify([from, to, lines]);
    const e = this.edgeByKey.get(key);
    if (e) {
      e.share += share;
      return;
    }
    const added = { from, to, share, lines: wrapAll(lines) };
    this.edges.push(added);
    this.edgeByKey.set(key, added);
  }
}

const HOP_TITLE: Readonly<Record<Hop['kind'], string>> = { client: '', 'load-balancer': 'load balancer', node: 'node', pod: 'pod', proxy: 'proxy' };

function hostPort(e: NonNullable<TracePath['endpoint']>): string {
  return `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`;
}

function hopLines(h: Hop): string[] {
  if (h.kind !== 'client') return [`${HOP_TITLE[h.kind]} ${h.name}`];
  // A client hop is named "<origin> <address>"; for --from ip:X that repeats the address.
  return [h.name.replace(/^ip:(\S+) \1$/, 'ip:$1'), ...(h.notes?.slice(0, 1) ?? [])];
}

/** Whether a delivered path's last hop is its endpoint (a pod, or the socket or address kpath appended). */
function lastHopIsEndpoint(p: TracePath): boolean {
  const last = p.hops[p.hops.length - 1];
  if (!last || !p.endpoint) return false;
  if (last.kind === 'pod') return last.name === p.endpoint.pod;
  return last.kind === 'node' && last.steps.length === 0 && last.translations.length === 0 && p.hops.length > 1;
}

function startLines(r: TraceResult): string[] {
  const q = r.query;
  if (typeof q.node === 'string') return [`${String(q.proto ?? '')} ${String(q.src ?? '')} → ${String(q.dst ?? '')}${q.dport !== undefined ? `:${String(q.dport)}` : ''}`.trim()];
  return [`from ${String(q.from ?? '?')}${typeof q.client === 'string' ? ` ${q.client}` : ''}`];
}

/** Where a path ends: a pod or socket (one box per endpoint, whatever the way there) or an ending box. */
function sinkOf(b: Builder, p: TracePath, last: Hop | undefined): string {
  if (p.disposition !== 'delivered') return b.ending(p.disposition, p.reason);
  const e = p.endpoint;
  if (e?.pod) return b.node(`pod|${e.pod}`, 'pod', [`pod ${e.pod}`, hostPort(e)], e.pod);
  const label = e ? hostPort(e) : '?';
  const lines = last && last.kind === 'node' && lastHopIsEndpoint(p) ? [last.name, ...(last.notes?.slice(0, 1) ?? [])] : [label, ...(e?.node ? [`on ${e.node}`] : [])];
  return b.node(`endpoint|${label}|${e?.node ?? ''}`, 'endpoint', lines, label);
}

/**
 * Adds one path. Hops before the endpoint form a prefix tree: two paths share a box for as long as
 * their hops and rewrites are the same, so each box has one way in and shares stay exact; the
 * endpoints and endings are shared by every path that reaches them.
 */
function addPath(b: Builder, r: TraceResult, p: TracePath, client: string | undefined): void {
  const hops = p.disposition === 'delivered' && lastHopIsEndpoint(p) ? p.hops.slice(0, -1) : [...p.hops];
  const ids: string[] = [];
  const edgeLines: string[][] = [];
  let prefix = '';
  if (hops.length === 0 || (hops[0]!.kind !== 'client' && typeof r.query.node === 'string')) {
    prefix = 'start';
    ids.push(b.node(prefix, 'start', startLines(r), 'packet'));
    edgeLines.push([]);
  }
  for (const h of hops) {
    // A box is the hop reached by one way in: the hops before it and what they rewrote.
    prefix = JSON.stringify([prefix, edgeLines[edgeLines.length - 1] ?? [], h.kind, h.name]);
    ids.push(b.node(prefix, h.kind, hopLines(h), h.name));
    edgeLines.push(h.translations.map((t) => translationLine(t, client)));
  }
  ids.push(sinkOf(b, p, p.hops[p.hops.length - 1]));
  for (let i = 0; i + 1 < ids.length; i++) {
    const lines = [...(edgeLines[i] ?? [])];
    if (i + 2 === ids.length && p.disposition === 'delivered' && p.sourceSeenByEndpoint) {
      lines.push(`sees ${p.sourceSeenByEndpoint.ip}${p.proxyProtocol ? ' + PROXY v2 header' : ''}`);
    }
    b.edge(ids[i]!, ids[i + 1]!, p.probability, lines);
  }
}

/**
 * Turns a trace into a graph for the diagram renderers: client → load balancer → node(s) → pod(s).
 * Paths merge for as long as they take the same hops with the same rewrites (shares summed), so a
 * node box reached two ways appears twice; every pod or socket is one box, and each way traffic
 * ends undelivered (dropped, rejected, no route, unknown, with its reason) has a box of its own.
 * Edges carry the share of all traffic and the rewrites done where they start.
 */
export function buildDiagram(r: TraceResult): Diagram {
  const b = new Builder();
  const client = typeof r.query.client === 'string' ? r.query.client : undefined;
  for (const p of r.paths) addPath(b, r, p, client);
  const v = r.verdict;
  return {
    title: String(r.query.title ?? ''),
    verdict: `client IP ${v.clientIp} (preserved for ${formatShare(v.preservedShare)} of delivered traffic): ${v.summary}`,
    nodes: b.nodes,
    edges: b.edges,
  };
}

/** The edge label lines with the share first ("50%"). */
export function edgeLabelLines(e: DiagramEdge): string[] {
  return [formatShare(e.share), ...e.lines];
}
