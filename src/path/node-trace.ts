import { KpathError } from '../errors.js';
import { parseIp } from '../netfilter/cidr.js';
import { traceNode } from '../netfilter/evaluate/node.js';
import type { Entry, NodeOutcome, NodeTrace, Packet } from '../netfilter/trace.js';
import { protoNumber } from '../netfilter/values.js';
import type { Cluster } from '../k8s/model.js';
import type { Snapshot } from '../snapshot/model.js';
import { hopSteps, TRACE_SCHEMA, type Hop, type HopTranslation, type PathDisposition, type TracePath, type TraceResult, type Unknown } from './model.js';
import { loadNodeState, type NodeState } from './node-data.js';
import { computeVerdict } from './verdict.js';

/** A node-level question: what does this node do with this packet? */
export interface NodeQuery {
  readonly node: string;
  readonly proto: string;
  readonly src: string;
  readonly sport?: number;
  readonly dst: string;
  readonly dport?: number;
  /** Interface the packet arrives on; default: the interface the node routes the source to. */
  readonly iif?: string;
  /** The packet originates on the node itself (OUTPUT path). */
  readonly local?: boolean;
  readonly mark?: number;
}

/** Who owns an address: a pod (namespace/name) and its node, or a node. */
export type IpOwners = ReadonlyMap<string, { readonly pod?: string; readonly node?: string }>;

/**
 * Indexes address owners once per trace: Pods first, then EndpointSlice targetRefs (for
 * snapshots without Pods), then Nodes; the first owner found for an address wins.
 */
export function indexOwners(cluster: Cluster): IpOwners {
  const m = new Map<string, { pod?: string; node?: string }>();
  for (const p of cluster.pods) {
    if (p.hostNetwork) continue;
    for (const ip of p.ips) if (!m.has(ip)) m.set(ip, { pod: `${p.namespace}/${p.name}`, node: p.nodeName });
  }
  for (const s of cluster.endpointSlices) {
    for (const e of s.endpoints) {
      if (e.targetRef?.kind !== 'Pod') continue;
      for (const ip of e.addresses) if (!m.has(ip)) m.set(ip, { pod: `${e.targetRef.namespace ?? s.namespace}/${e.targetRef.name}`, node: e.nodeName });
    }
  }
  for (const n of cluster.nodes) for (const a of n.addresses) if (!m.has(a.address)) m.set(a.address, { node: n.name });
  return m;
}

/** The owner of an address, or {} when nobody in the snapshot has it. */
export function podByIp(owners: IpOwners, ip: string): { pod?: string; node?: string } {
  return owners.get(ip) ?? {};
}

const DISPOSITION: Readonly<Record<NodeOutcome['disposition'], PathDisposition>> = {
  local: 'delivered', forwarded: 'delivered', dropped: 'dropped', rejected: 'rejected', 'no-route': 'no-route', unknown: 'unknown',
};

/** Why the source was rewritten on this branch, naming the rules (for the verdict's reasons). */
export function sourceRewriteReasons(o: NodeOutcome, node: string): string[] {
  const out: string[] = [];
  for (const t of o.translations) {
    if (t.type !== 'MASQUERADE' && t.type !== 'SNAT') continue;
    const markIdx = o.steps.findIndex((s) => s.verdict.startsWith('MARK') && s.table === 'nat');
    const marker = markIdx > 0 ? o.steps[markIdx - 1] : undefined;
    const markText = marker && marker.verdict.startsWith('jump') ? `${marker.chain} rule ${marker.rule} marks for masquerade (${o.steps[markIdx]!.chain}); ` : '';
    out.push(`${markText}${t.chain} rule ${t.rule} ${t.type} on ${node} → ${t.to.replace(' (random port)', '')}`);
  }
  return out;
}

/** Turns one node outcome into a trace path with one node hop. */
export function nodePath(o: NodeOutcome, state: NodeState, owners: IpOwners, original: Packet, unknowns: Unknown[]): TracePath {
  if (o.disposition === 'local' && state.ipvsMissing && onKubeIpvs0(state, o.packet.dst)) {
    o = { ...o, disposition: 'unknown', unknown: { reason: `${o.packet.dst} is an IPVS virtual address on ${state.name} and its ipvsadm dump is missing`, where: `nodes/${state.name}/ipvsadm.txt` } };
  }
  const disposition = DISPOSITION[o.disposition];
  const delivered = disposition === 'delivered';
  const owner = delivered ? podByIp(owners, o.packet.dst) : {};
  const translations: HopTranslation[] = o.translations.map((t) => ({
    type: t.type, from: t.from, to: t.to, by: `${t.chain} rule ${t.rule}`, ...(t.how ? { how: t.how } : {}),
  }));
  const notes = o.egress?.iface ? [`leaves on ${o.egress.iface}${o.egress.gateway ? ` via ${o.egress.gateway}` : ''}`] : [];
  const hop: Hop = { kind: 'node', name: state.name, steps: hopSteps(o.steps), translations, notes };
  let reason: string | undefined;
  if (o.disposition === 'dropped' || o.disposition === 'rejected') {
    const last = o.steps[o.steps.length - 1];
    reason = last ? `${last.table} ${last.chain}${last.rule ? ` rule ${last.rule}` : ' policy'}: ${last.text}` : undefined;
    if (o.rejectWith) reason = `${reason ?? ''} (${o.rejectWith})`;
  } else if (o.disposition === 'no-route') {
    reason = o.egress?.route;
  } else if (o.unknown) {
    reason = `${o.unknown.reason}${o.unknown.where ? ` at ${o.unknown.where}` : ''}`;
    unknowns.push({ what: o.unknown.reason, where: o.unknown.where ?? state.name, effect: `path with ${(o.probability * 100).toFixed(1)}% of the traffic ends unknown` });
  }
  return {
    probability: o.probability,
    disposition,
    endpoint: delivered ? { ip: o.packet.dst, ...(o.packet.dport !== undefined ? { port: o.packet.dport } : {}), ...owner, ...(o.disposition === 'local' ? { node: state.name } : {}) } : null,
    sourceSeenByEndpoint: delivered ? { ip: o.packet.src, ...(o.packet.sport !== undefined ? { port: o.packet.sport } : {}) } : null,
    clientIpPreserved: delivered ? o.packet.src === original.src : null,
    proxyProtocol: false,
    hops: [hop],
    assumptions: o.assumptions,
    ...(reason ? { reason } : {}),
  };
}

function onKubeIpvs0(state: NodeState, ip: string): boolean {
  return state.network?.interfaces.some((i) => i.name === 'kube-ipvs0' && i.addrs.some((a) => a.local === ip)) ?? true;
}

/** Resolves the query's entry point: --local, --iif, or the interface the node routes the source to. */
export function entryFor(q: NodeQuery, state: NodeState, assumptions: string[]): Entry {
  if (q.local) return { kind: 'local' };
  if (q.iif) return { kind: 'iface', iface: q.iif };
  const src = parseIp(q.src);
  const dev = src ? state.routing.ingressFor(src) : undefined;
  if (dev) return { kind: 'iface', iface: dev };
  assumptions.push(`the ingress interface of ${q.src} on ${state.name} is unknown; assumed eth0 (give --iif)`);
  return { kind: 'iface', iface: 'eth0' };
}

/** Traces one packet on one node of a snapshot: pure, given the loaded snapshot. */
export function traceNodeQuery(snap: Snapshot, cluster: Cluster, q: NodeQuery): TraceResult {
  const dumps = snap.nodes.get(q.node);
  if (!dumps && !cluster.nodes.some((n) => n.name === q.node)) {
    const known = [...new Set([...snap.nodes.keys(), ...cluster.nodes.map((n) => n.name)])];
    throw new KpathError('E_NODE_UNKNOWN', `node ${q.node} is not in snapshot ${snap.dir}`, { hint: `known nodes: ${known.join(', ') || 'none'}` });
  }
  const proto = protoNumber(q.proto);
  if (proto === undefined) throw new KpathError('E_USAGE', `--proto wants tcp, udp, sctp or icmp, got "${q.proto}"`);
  const src = parseIp(q.src);
  const dst = parseIp(q.dst);
  if (!src) throw new KpathError('E_USAGE', `--src wants an IP address, got "${q.src}"`);
  if (!dst) throw new KpathError('E_USAGE', `--dst wants an IP address, got "${q.dst}"`);
  if (src.family !== dst.family) throw new KpathError('E_USAGE', `--src and --dst must both be IPv4 or both IPv6`);
  const state = loadNodeState(dumps, cluster, q.node, true);
  const assumptions: string[] = [];
  const packet: Packet = {
    family: src.family, proto, src: q.src, dst: q.dst,
    ...(q.sport !== undefined ? { sport: q.sport } : { sport: 40000 }),
    ...(q.dport !== undefined ? { dport: q.dport } : {}),
    ...(q.mark !== undefined ? { mark: q.mark } : {}),
  };
  if (q.sport === undefined && (proto === 6 || proto === 17 || proto === 132)) assumptions.push('source port 40000 (give --sport to change it)');
  const entry = entryFor(q, state, assumptions);
  const query = {
    title: `${q.proto} ${q.src}:${packet.sport ?? ''} → ${q.dst}${q.dport !== undefined ? `:${q.dport}` : ''} on ${q.node} (${entry.kind === 'local' ? 'from the node itself' : `enters on ${entry.iface}`})`,
    node: q.node, proto: q.proto, src: q.src, sport: packet.sport, dst: q.dst, dport: q.dport,
    entry: entry.kind === 'local' ? 'local' : entry.iface,
  };
  const ruleset = state.rulesets[src.family];
  const unknowns: Unknown[] = [...state.unknowns];
  let trace: NodeTrace | undefined;
  if (ruleset) trace = traceNode({ node: q.node, ruleset, routing: state.routing, testSet: state.testSet, ipvs: state.ipvs, packet, entry });
  const owners = indexOwners(cluster);
  const paths: TracePath[] = trace
    ? trace.outcomes.map((o) => nodePath(o, state, owners, packet, unknowns))
    : [missingRulesPath(q.node, src.family, unknowns)];
  const reasons = [...new Set(trace?.outcomes.flatMap((o) => sourceRewriteReasons(o, q.node)) ?? [])];
  return {
    schema: TRACE_SCHEMA,
    query,
    verdict: computeVerdict(paths, q.src, reasons),
    paths,
    unknowns,
    assumptions: [...assumptions, ...(trace?.assumptions ?? state.routing.assumptions)],
  };
}

function missingRulesPath(node: string, family: 4 | 6, unknowns: Unknown[]): TracePath {
  const file = family === 4 ? 'iptables-save.txt' : 'ip6tables-save.txt';
  unknowns.push({ what: `nodes/${node}/${file} is missing`, where: `nodes/${node}`, effect: 'what netfilter does on this node is unknown' });
  return {
    probability: 1, disposition: 'unknown', endpoint: null, sourceSeenByEndpoint: null, clientIpPreserved: null, proxyProtocol: false,
    hops: [{ kind: 'node', name: node, steps: [], translations: [] }], assumptions: [], reason: `no ${file} for ${node}`,
  };
}
