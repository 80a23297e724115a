import type { AwsData, NlbBranch } from '../aws/index.js';
import { modelNlbHop } from '../aws/index.js';
import type { Cluster, Service, ServicePort } from '../k8s/model.js';
import type { Entry, Packet } from '../netfilter/trace.js';
import { PROTO } from '../netfilter/trace.js';
import type { Hop, Unknown } from './model.js';
import { nodeAddresses } from './node-data.js';
import type { Origin } from './service-query.js';

/** Where traffic first touches a node: the share of it, the packet as it arrives, and the hops before. */
export interface Arrival {
  readonly share: number;
  readonly node: string;
  readonly packet: Packet;
  /** How the packet enters: 'route' = the interface the node routes the source to. */
  readonly entry: Entry | 'route';
  readonly hops: readonly Hop[];
  readonly proxyProtocol: boolean;
  /** What the endpoint would see if no node rewrites the source (LB placeholders included). */
  readonly sourceLabel: string;
  readonly assumptions: readonly string[];
  readonly reasons: readonly string[];
}

/** A path that ends before any node (no entry, or a load balancer kpath cannot see). */
export interface EarlyEnd {
  readonly share: number;
  readonly disposition: 'no-route' | 'unknown';
  readonly hops: readonly Hop[];
  readonly reason: string;
}

const PORTS: Readonly<Record<ServicePort['protocol'], number>> = { TCP: PROTO.tcp, UDP: PROTO.udp, SCTP: PROTO.sctp };

/** A client's source port for traced connections (any ephemeral port; kube-proxy rules never test it). */
export const CLIENT_SPORT = 40000;

function packetTo(family: 4 | 6, port: ServicePort, src: string, dst: string, dport: number): Packet {
  return { family, proto: PORTS[port.protocol], src, sport: CLIENT_SPORT, dst, dport };
}

function familyOf(ip: string): 4 | 6 {
  return ip.includes(':') ? 6 : 4;
}

/** MetalLB speakers (metallb-system pods named or labelled speaker) tell which nodes announce VIPs. */
function speakerNodes(cluster: Cluster): string[] {
  const nodes = cluster.pods
    .filter((p) => p.namespace === 'metallb-system' && (p.labels['component'] === 'speaker' || p.name.includes('speaker')) && p.nodeName)
    .map((p) => p.nodeName!);
  return [...new Set(nodes)].sort();
}

/** Nodes with a ready endpoint of the Service (EndpointSlice nodeName). */
export function nodesWithReadyEndpoints(cluster: Cluster, svc: Service): Set<string> {
  const out = new Set<string>();
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== svc.namespace || s.serviceName !== svc.name) continue;
    for (const e of s.endpoints) if (e.ready && e.nodeName) out.add(e.nodeName);
  }
  return out;
}

function clientHop(client: string, label: string): Hop {
  return { kind: 'client', name: `${label} ${client}`, steps: [], translations: [] };
}

/**
 * The ways traffic for a Service port reaches nodes from `origin`: through an AWS NLB (per
 * target, with its shares), to a load-balancer VIP announced by nodes (MetalLB and alike), to
 * NodePorts, or from a node or pod inside the cluster to the ClusterIP.
 */
export function arrivalsFor(cluster: Cluster, aws: AwsData, svc: Service, port: ServicePort, origin: Origin, unknowns: Unknown[]): { arrivals: Arrival[]; ends: EarlyEnd[] } {
  const svcName = `${svc.namespace}/${svc.name}`;
  if (origin.kind === 'node' || origin.kind === 'pod') {
    const clusterIP = svc.clusterIPs[0];
    if (!clusterIP) {
      return { arrivals: [], ends: [{ share: 1, disposition: 'no-route', hops: [], reason: `${svcName} has no ClusterIP (headless or ExternalName): clients resolve pod addresses directly` }] };
    }
    if (origin.kind === 'node') {
      const src = nodeAddresses(cluster, origin.node)[0] ?? '0.0.0.0';
      return {
        arrivals: [{
          share: 1, node: origin.node, packet: packetTo(familyOf(clusterIP), port, src, clusterIP, port.port), entry: { kind: 'local' },
          hops: [], proxyProtocol: false, sourceLabel: src, assumptions: [`the connection starts on ${origin.node} with source ${src} (its InternalIP)`], reasons: [],
        }],
        ends: [],
      };
    }
    const pod = origin.pod;
    const src = pod.ips[0]!;
    return {
      arrivals: [{
        share: 1, node: pod.nodeName!, packet: packetTo(familyOf(clusterIP), port, src, clusterIP, port.port), entry: pod.hostNetwork ? { kind: 'local' } : 'route',
        hops: [{ kind: 'pod', name: `${pod.namespace}/${pod.name}`, steps: [], translations: [], notes: [`source ${src} on ${pod.nodeName}`] }],
        proxyProtocol: false, sourceLabel: src, assumptions: [], reasons: [],
      }],
      ends: [],
    };
  }
  const client = origin.client;
  const nlb = modelNlbHop(aws, cluster, svc, port, { ip: client });
  const vipsKnown = svc.ingress.some((i) => i.ip) || svc.externalIPs.length > 0;
  // Missing aws/ dumps only matter when nothing else says how traffic arrives (an on-prem VIP does).
  if (nlb.found || !vipsKnown) unknowns.push(...nlb.unknowns);
  if (nlb.found) {
    if (nlb.branches.length === 0) {
      return { arrivals: [], ends: [{ share: 1, disposition: 'unknown', hops: [clientHop(client, origin.label)], reason: `the NLB of ${svcName} has no listener or target for port ${port.port}` }] };
    }
    return { arrivals: nlb.branches.map((b) => nlbArrival(b, client, origin.label, port)), ends: [] };
  }
  const vips = [...svc.ingress.map((i) => i.ip).filter((x): x is string => !!x), ...svc.externalIPs];
  const hostnames = svc.ingress.map((i) => i.hostname).filter((x): x is string => !!x);
  if (vips.length === 0 && hostnames.length > 0) {
    return { arrivals: [], ends: [{ share: 1, disposition: 'unknown', hops: [clientHop(client, origin.label)], reason: `load balancer ${hostnames.join(', ')} of ${svcName} is not in the snapshot's aws/ dumps` }] };
  }
  if (vips.length > 0) return { arrivals: vipArrivals(cluster, svc, port, vips[0]!, client, origin.label, vips.length > 1), ends: [] };
  if (svc.type === 'NodePort' && port.nodePort !== undefined) return { arrivals: nodePortArrivals(cluster, port, client, origin.label), ends: [] };
  return { arrivals: [], ends: [{ share: 1, disposition: 'no-route', hops: [clientHop(client, origin.label)], reason: `${svcName} is type ${svc.type} with no load balancer, external IP or NodePort: not reachable from outside the cluster` }] };
}

function nlbArrival(b: NlbBranch, client: string, label: string, port: ServicePort): Arrival {
  const assumptions = [...b.assumptions];
  let src = b.sourceAfter.ip;
  if (!b.sourceAfter.known) {
    assumptions.push(`the NLB's private address in ${b.az} is not captured; node rules were evaluated with the client address as source`);
    src = client;
  }
  const translations = [{ type: 'LB' as const, from: `${b.lb.dnsName}:${b.listener.port}`, to: `${b.target.ip}:${b.target.port}`, by: `listener ${b.listener.protocol}:${b.listener.port} → target group ${b.targetGroup.name} (${b.targetGroup.targetType})` }];
  if (!b.clientIpPreserved) {
    translations.push({ type: 'LB' as const, from: client, to: b.sourceAfter.ip, by: `target group ${b.targetGroup.name}: client IP not preserved` });
  }
  const notes = [...b.notes];
  if (b.proxyProtocol) notes.push('adds a PROXY protocol v2 header carrying the client address');
  return {
    share: b.share,
    node: b.target.node ?? '',
    packet: { family: familyOf(b.target.ip), proto: PORTS[port.protocol], src, dst: b.target.ip, dport: b.target.port, ...(b.clientIpPreserved ? { sport: CLIENT_SPORT } : { sport: CLIENT_SPORT }) },
    entry: 'route',
    hops: [clientHop(client, label), { kind: 'load-balancer', name: b.lb.name, steps: [], translations, notes }],
    proxyProtocol: b.proxyProtocol,
    sourceLabel: b.sourceAfter.ip,
    assumptions,
    reasons: b.reasons,
  };
}

function vipArrivals(cluster: Cluster, svc: Service, port: ServicePort, vip: string, client: string, label: string, moreVips: boolean): Arrival[] {
  const speakers = speakerNodes(cluster);
  let nodes = speakers.length > 0 ? speakers : cluster.nodes.map((n) => n.name).sort();
  const assumptions = [
    speakers.length > 0
      ? `VIP ${vip} is announced by the MetalLB speakers on ${speakers.join(', ')}; the router spreads flows over them (BGP ECMP, equal shares). With MetalLB L2 one of these nodes takes all the traffic instead`
      : `VIP ${vip}: how it reaches nodes is not in the snapshot; modelled as equal shares over every node (BGP ECMP)`,
  ];
  if (moreVips) assumptions.push(`${svc.namespace}/${svc.name} has several load-balancer/external IPs; tracing ${vip}`);
  if (svc.externalTrafficPolicy === 'Local') {
    const withEp = nodesWithReadyEndpoints(cluster, svc);
    const eligible = nodes.filter((n) => withEp.has(n));
    assumptions.push(`externalTrafficPolicy Local: only nodes with a ready endpoint announce the VIP (${eligible.join(', ') || 'none'})`);
    if (eligible.length > 0) nodes = eligible;
  }
  const router = { kind: 'client' as const, name: `${label} ${client}`, steps: [], translations: [], notes: [`to ${vip}:${port.port}, routed to a node announcing it`] };
  return nodes.map((node) => ({
    share: 1 / nodes.length, node, packet: packetTo(familyOf(vip), port, client, vip, port.port), entry: 'route' as const,
    hops: [router], proxyProtocol: false, sourceLabel: client, assumptions, reasons: [],
  }));
}

function nodePortArrivals(cluster: Cluster, port: ServicePort, client: string, label: string): Arrival[] {
  const nodes = cluster.nodes.filter((n) => nodeAddresses(cluster, n.name).length > 0);
  return nodes.map((n) => {
    const ip = nodeAddresses(cluster, n.name)[0]!;
    return {
      share: 1 / nodes.length, node: n.name, packet: packetTo(familyOf(ip), port, client, ip, port.nodePort!), entry: 'route' as const,
      hops: [clientHop(client, label)], proxyProtocol: false, sourceLabel: client,
      assumptions: [`no load balancer: clients connect to every node's NodePort ${port.nodePort} in equal shares`], reasons: [],
    };
  });
}
