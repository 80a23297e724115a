import { readAwsDumps } from '../aws/index.js';
import type { Cluster } from '../k8s/model.js';
import { parseIp } from '../netfilter/cidr.js';
import { traceNode } from '../netfilter/evaluate/node.js';
import type { Entry, NodeOutcome, Packet } from '../netfilter/trace.js';
import type { Snapshot } from '../snapshot/model.js';
import { arrivalsFor, type Arrival } from './arrivals.js';
import { suggestFix } from './fix.js';
import { TRACE_SCHEMA, type Hop, type TracePath, type TraceResult, type Unknown } from './model.js';
import { loadNodeState, type NodeState } from './node-data.js';
import { indexOwners, nodePath, podByIp, sourceRewriteReasons, type IpOwners } from './node-trace.js';
import { resolveOrigin, resolvePort, resolveService, type ServiceQuery } from './service-query.js';
import { computeVerdict } from './verdict.js';

/** Tunnel devices keep their name across nodes: a packet sent on tunl0 arrives on the peer's tunl0. */
const TUNNEL_TYPES = new Set(['ipip', 'vxlan', 'gre', 'wireguard', 'geneve', 'ip6tnl', 'sit']);

/** A node hop may hand the packet to another node; pods are at most two node hops away. */
const MAX_NODE_HOPS = 3;

interface Ctx {
  readonly snap: Snapshot;
  readonly cluster: Cluster;
  readonly states: Map<string, NodeState>;
  readonly unknowns: Unknown[];
  readonly reasons: string[];
  readonly client: string;
  readonly owners: IpOwners;
}

function stateOf(ctx: Ctx, node: string): NodeState {
  let s = ctx.states.get(node);
  if (!s) {
    s = loadNodeState(ctx.snap.nodes.get(node), ctx.cluster, node, false);
    ctx.states.set(node, s);
    ctx.unknowns.push(...s.unknowns);
    for (const g of ctx.snap.gaps) {
      if (g.what.includes(`nodes/${node}/`)) ctx.unknowns.push({ what: `${g.what} was not gathered`, where: 'kpath-snapshot.json', effect: g.why });
    }
  }
  return s;
}

/**
 * Traces a Service port from an origin through load balancer, nodes and pods: every hop, every
 * branch with its share, each rewrite with the rule or attribute that did it, and the client-IP
 * verdict. Pure, given the loaded snapshot.
 */
export function traceService(snap: Snapshot, cluster: Cluster, q: ServiceQuery): TraceResult {
  const assumptions: string[] = [];
  const svc = resolveService(cluster, q.svc);
  const port = resolvePort(svc, q.port, assumptions);
  const origin = resolveOrigin(cluster, q.from, q.client);
  const unknowns: Unknown[] = [];
  const aws = readAwsDumps(snap.aws);
  const client = origin.kind === 'external' ? origin.client : origin.kind === 'pod' ? origin.pod.ips[0]! : '';
  const ctx: Ctx = { snap, cluster, states: new Map(), unknowns, reasons: [], client, owners: indexOwners(cluster) };
  const { arrivals, ends } = arrivalsFor(cluster, aws, svc, port, origin, unknowns);
  const paths: TracePath[] = ends.map((e) => ({
    probability: e.share, disposition: e.disposition, endpoint: null, sourceSeenByEndpoint: null, clientIpPreserved: null,
    proxyProtocol: false, hops: e.hops, assumptions: [], reason: e.reason,
  }));
  for (const a of arrivals) paths.push(...followArrival(ctx, a));
  const total = paths.reduce((s, p) => s + p.probability, 0);
  if (Math.abs(total - 1) > 1e-9) throw new Error(`internal: path probabilities of ${svc.namespace}/${svc.name} sum to ${total}`);
  paths.sort((a, z) => z.probability - a.probability || pathKey(a).localeCompare(pathKey(z)));
  const clientLabel = origin.kind === 'node' ? `node ${origin.node}` : client;
  const reasons = [...new Set([...arrivals.flatMap((a) => a.reasons), ...ctx.reasons])];
  const verdict = computeVerdict(paths, clientLabel, reasons, suggestFix(svc, paths, arrivals));
  const fromText = origin.kind === 'external' ? `${origin.label} (${origin.client})` : q.from;
  return {
    schema: TRACE_SCHEMA,
    query: {
      title: `${svc.namespace}/${svc.name} port ${port.name ?? port.port} (${port.port}/${port.protocol}) from ${fromText}`,
      service: `${svc.namespace}/${svc.name}`, port: port.name ?? port.port, protocol: port.protocol, from: q.from, client: origin.kind === 'external' ? origin.client : client || undefined,
    },
    verdict,
    paths,
    unknowns: dedupe(unknowns),
    assumptions,
  };
}

function dedupe(us: readonly Unknown[]): Unknown[] {
  const seen = new Set<string>();
  return us.filter((u) => {
    const k = `${u.what}|${u.where}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function pathKey(p: TracePath): string {
  return `${p.disposition} ${p.endpoint?.pod ?? ''} ${p.endpoint?.ip ?? ''} ${p.hops.map((h) => h.name).join('>')}`;
}

function followArrival(ctx: Ctx, a: Arrival): TracePath[] {
  if (a.node === '') {
    return [{
      probability: a.share, disposition: 'unknown', endpoint: null, sourceSeenByEndpoint: null, clientIpPreserved: null,
      proxyProtocol: a.proxyProtocol, hops: a.hops, assumptions: a.assumptions, reason: `target ${a.packet.dst} belongs to no Node in the snapshot`,
    }];
  }
  const state = stateOf(ctx, a.node);
  let entry: Entry;
  if (a.entry === 'route') {
    const src = parseIp(a.packet.src);
    const dev = src ? state.routing.ingressFor(src) : undefined;
    entry = { kind: 'iface', iface: dev ?? 'eth0' };
  } else {
    entry = a.entry;
  }
  return followNode(ctx, state, a.packet, entry, a.share, a.hops, a, a.sourceLabel, 1);
}

/**
 * Follows the packet through one node; `srcLabel` is the source the endpoint would see if no later
 * node rewrites it (the client, a load balancer's address, or an earlier node's masquerade).
 */
function followNode(ctx: Ctx, state: NodeState, packet: Packet, entry: Entry, share: number, before: readonly Hop[], a: Arrival, srcLabel: string, depth: number): TracePath[] {
  const ruleset = state.rulesets[packet.family];
  if (!ruleset) {
    ctx.unknowns.push({ what: `nodes/${state.name}/${packet.family === 4 ? 'iptables-save.txt' : 'ip6tables-save.txt'} is missing`, where: `nodes/${state.name}`, effect: 'what this node does with the traffic is unknown' });
    return [{
      probability: share, disposition: 'unknown', endpoint: null, sourceSeenByEndpoint: null, clientIpPreserved: null, proxyProtocol: a.proxyProtocol,
      hops: [...before, { kind: 'node', name: state.name, steps: [], translations: [], notes: [`packet ${packet.src} → ${packet.dst}:${packet.dport ?? ''}`] }],
      assumptions: a.assumptions, reason: `no netfilter dump for ${state.name}`,
    }];
  }
  const trace = traceNode({ node: state.name, ruleset, routing: state.routing, testSet: state.testSet, ipvs: state.ipvs, packet, entry });
  const out: TracePath[] = [];
  for (const o of trace.outcomes) {
    const p = nodePath(o, state, ctx.owners, packet, ctx.unknowns);
    const node = p.hops[0]!;
    const hops = [...before, node];
    const prob = share * o.probability;
    const assumptions = [...new Set([...a.assumptions, ...trace.assumptions, ...o.assumptions])];
    ctx.reasons.push(...sourceRewriteReasons(o, state.name));
    if (o.disposition !== 'forwarded' && o.disposition !== 'local') {
      out.push({ ...p, probability: prob, hops, assumptions, proxyProtocol: a.proxyProtocol });
      continue;
    }
    const owner = podByIp(ctx.owners, o.packet.dst);
    const next = owner.node && owner.node !== state.name && o.disposition === 'forwarded' && depth < MAX_NODE_HOPS ? owner.node : undefined;
    if (next) {
      const nextState = stateOf(ctx, next);
      const arrive = arrivalIface(state, o, nextState);
      const fwd: Packet = { ...o.packet, mark: 0 };
      const label = rewrote(o) ? o.packet.src : srcLabel;
      out.push(...followNode(ctx, nextState, fwd, { kind: 'iface', iface: arrive }, prob, hops, a, label, depth + 1));
      continue;
    }
    out.push(delivered(ctx, p, o, hops, prob, assumptions, a, state, srcLabel));
  }
  return out;
}

/** The interface a packet sent by `from` arrives on at `to`: the same tunnel device, else the route back to the sender. */
function arrivalIface(from: NodeState, o: NodeOutcome, to: NodeState): string {
  const dev = o.egress?.iface;
  const sendIf = dev ? from.network?.interfaces.find((i) => i.name === dev) : undefined;
  if (sendIf?.linkType && TUNNEL_TYPES.has(sendIf.linkType) && to.network?.interfaces.some((i) => i.name === sendIf.name)) return sendIf.name;
  const senderIp = parseIp(from.nodeIps[0] ?? '');
  return (senderIp && to.routing.ingressFor(senderIp)) || 'eth0';
}

function rewrote(o: NodeOutcome): boolean {
  return o.translations.some((t) => t.type === 'SNAT' || t.type === 'MASQUERADE');
}

function delivered(ctx: Ctx, p: TracePath, o: NodeOutcome, hops: Hop[], prob: number, assumptions: string[], a: Arrival, state: NodeState, srcLabel: string): TracePath {
  const owner = podByIp(ctx.owners, o.packet.dst);
  const rewritten = rewrote(o);
  // Unless this node rewrote the source, the endpoint sees what reached it (its label may name an uncaptured NLB address).
  const seenIp = rewritten ? o.packet.src : srcLabel;
  const endpointHop: Hop = owner.pod
    ? { kind: 'pod', name: owner.pod, steps: [], translations: [], notes: [`${o.packet.dst}:${o.packet.dport ?? ''} on ${owner.node ?? state.name}, sees ${seenIp}`] }
    : { kind: 'node', name: o.disposition === 'local' ? state.name : o.packet.dst, steps: [], translations: [], notes: [o.disposition === 'local' ? 'delivered to a socket on the node' : `leaves ${state.name} toward ${o.packet.dst} (not a known pod)`] };
  return {
    ...p,
    probability: prob,
    hops: [...hops, endpointHop],
    endpoint: { ip: o.packet.dst, ...(o.packet.dport !== undefined ? { port: o.packet.dport } : {}), ...(owner.pod ? { pod: owner.pod } : {}), node: owner.node ?? state.name },
    sourceSeenByEndpoint: { ip: seenIp, ...(!rewritten && o.packet.sport !== undefined && seenIp === ctx.client ? { port: o.packet.sport } : {}) },
    clientIpPreserved: seenIp === ctx.client && ctx.client !== '',
    proxyProtocol: a.proxyProtocol,
    assumptions,
  };
}
