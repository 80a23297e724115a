import { KpathError } from '../errors.js';
import type { Cluster, Service, ServicePort } from '../k8s/model.js';
import { distributeFlows, type FlowPart } from './distribute.js';
import { findServiceNlbs } from './find.js';
import type { AwsData, Listener, LoadBalancer, TargetGroup } from './model.js';
import { resolveTargetGroupSettings, type AwsUnknown, type TargetGroupSettings } from './settings.js';
import { resolveTargets } from './targets.js';

/** One way a client connection crosses the NLB: which AZ node, which target, with what source. */
export interface NlbBranch {
  /** Part of ALL client connections to this Service port taking this branch; branches sum to 1. */
  readonly share: number;
  readonly lb: { readonly name: string; readonly arn: string; readonly dnsName: string };
  readonly listener: { readonly port: number; readonly protocol: string; readonly arn: string };
  readonly targetGroup: { readonly name: string; readonly arn: string; readonly targetType: 'instance' | 'ip'; readonly protocol: string; readonly port: number };
  /** AZ of the NLB node that handles the flow. */
  readonly az: string;
  /** That NLB node's private IPv4 (network-interfaces.json or LoadBalancerAddresses), if known. */
  readonly nlbIp?: string;
  readonly target: {
    readonly id: string; readonly ip: string; readonly port: number; readonly az?: string; readonly health: string;
    /** Instance target: the Node whose spec.providerID names it; ip target: the pod's node. */
    readonly node?: string;
    /** ns/name for ip targets, via Pods/EndpointSlices. */
    readonly pod?: string;
  };
  /** L4 source leaving the NLB toward the target; known=false when it is a placeholder. */
  readonly sourceAfter: { readonly ip: string; readonly known: boolean };
  readonly clientIpPreserved: boolean;
  readonly proxyProtocol: boolean;
  readonly notes: readonly string[];
  /** The attributes that decide the source address. */
  readonly reasons: readonly string[];
  readonly assumptions: readonly string[];
}

/** The NLB hop of a Service port: its branches, what the snapshot did not say, and how the NLB was found. */
export interface NlbHop {
  readonly found: boolean;
  readonly branches: readonly NlbBranch[];
  readonly unknowns: readonly AwsUnknown[];
  readonly how?: string;
}

// Listener protocols that carry a Service port's protocol (aws-nlb.md §6 listener Protocol).
const CARRIES: Readonly<Record<ServicePort['protocol'], ReadonlySet<string>>> = {
  TCP: new Set(['TCP', 'TLS', 'TCP_UDP', 'TCP_QUIC']),
  UDP: new Set(['UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC']),
  SCTP: new Set(),
};

const isV6 = (ip: string) => ip.includes(':');

function forwardedGroups(l: Listener): { arn: string; weight: number; weighted: boolean }[] {
  const fwd = l.defaultActions.find((a) => a.type === 'forward');
  const list = fwd?.forwardConfig?.targetGroups ?? [];
  // A single forward may come as TargetGroupArn only; weighted ones sit in ForwardConfig (aws-nlb.md §6).
  if (list.length > 0) return list.map((t) => ({ arn: t.targetGroupArn, weight: t.weight ?? 1, weighted: list.length > 1 }));
  return fwd?.targetGroupArn ? [{ arn: fwd.targetGroupArn, weight: 1, weighted: false }] : [];
}

function pickListener(aws: AwsData, cluster: Cluster, svc: Service, port: ServicePort, lb: LoadBalancer): { listener: Listener; how: string } | AwsUnknown {
  const all = aws.listeners.filter((l) => l.loadBalancerArn === lb.arn);
  const where = aws.listenerFiles.get(lb.name) ?? `aws/listeners/${lb.name}.json`;
  if (all.length === 0 && !aws.listenerFiles.has(lb.name)) {
    return { what: `listeners of ${lb.name}`, where, effect: 'not captured: the NLB hop cannot be traced' };
  }
  const ok = (l: Listener) => CARRIES[port.protocol].has(l.protocol);
  // LBC makes one listener per Service port, on the same port number (aws-nlb.md §3).
  const same = all.find((l) => l.port === port.port && ok(l));
  if (same) return { listener: same, how: `listener ${same.protocol}:${same.port} is Service port ${port.port}` };
  // A TargetGroupBinding may bind a hand-made listener on another port to this Service port (aws-nlb.md §3.3).
  const bound = new Set(cluster.targetGroupBindings
    .filter((b) => b.namespace === svc.namespace && b.serviceRef.name === svc.name && (b.serviceRef.port === port.port || b.serviceRef.port === port.name))
    .flatMap((b) => aws.targetGroups.filter((tg) => (b.targetGroupARN !== undefined ? tg.arn === b.targetGroupARN : tg.name === b.targetGroupName)).map((tg) => tg.arn)));
  const viaTgb = all.find((l) => ok(l) && forwardedGroups(l).some((g) => bound.has(g.arn)));
  if (viaTgb) return { listener: viaTgb, how: `listener ${viaTgb.protocol}:${viaTgb.port} forwards to a target group bound to Service port ${port.port} by a TargetGroupBinding` };
  const other = all.find((l) => l.port === port.port);
  return {
    what: `listener of ${lb.name} for Service port ${port.protocol} ${port.port}`, where,
    effect: other ? `the listener on port ${port.port} is ${other.protocol}, which does not carry ${port.protocol}: no NLB path` : `no listener on port ${port.port}: no NLB path for this Service port`,
  };
}

function nlbPrivateIp(aws: AwsData, lb: LoadBalancer, az: string): string | undefined {
  const lbId = lb.arn.split('/').pop();
  const eni = aws.nlbInterfaces.find((i) => i.lbName === lb.name && i.lbId === lbId && i.availabilityZone === az && i.privateIpAddress);
  if (eni) return eni.privateIpAddress;
  // Listed only for static private IPs; [] for auto-assigned ones (aws-nlb.md §1.1).
  return lb.availabilityZones.find((z) => z.zoneName === az)?.loadBalancerAddresses.find((a) => a.privateIPv4Address)?.privateIPv4Address;
}

interface GroupPlan {
  readonly tg: TargetGroup;
  readonly type: 'instance' | 'ip';
  readonly weight: number;
  readonly weighted: boolean;
  readonly settings: TargetGroupSettings;
  readonly parts: readonly FlowPart[];
  readonly notes: readonly string[];
  readonly assumptions: readonly string[];
}

function planGroup(aws: AwsData, cluster: Cluster, svc: Service, port: ServicePort, lb: LoadBalancer, l: Listener,
  g: { arn: string; weight: number; weighted: boolean }): { plan: GroupPlan; unknowns: AwsUnknown[] } | { unknown: AwsUnknown; unknowns: AwsUnknown[] } {
  const tg = aws.targetGroups.find((t) => t.arn === g.arn);
  const where = aws.files.targetGroups ?? 'aws/target-groups.json';
  if (!tg) return { unknown: { what: `target group ${g.arn}`, where, effect: `listener ${l.port} forwards to it but it is not in the snapshot: the NLB hop cannot be traced` }, unknowns: [] };
  if (tg.targetType !== 'instance' && tg.targetType !== 'ip') {
    return { unknown: { what: `target group ${tg.name} of target type ${tg.targetType}`, where: tg.source.file, effect: 'only instance and ip targets are modelled: the NLB hop cannot be traced' }, unknowns: [] };
  }
  const type = tg.targetType;
  const settings = resolveTargetGroupSettings(aws, lb, tg, type, l.protocol);
  const list = resolveTargets(aws, cluster, svc, port, tg, type);
  const unknowns = [...settings.unknowns, ...list.unknowns];
  const dist = distributeFlows(list.targets, lb.availabilityZones.map((z) => z.zoneName), settings.isCrossZone);
  if ('unknown' in dist) {
    return { unknown: { what: `flows of target group ${tg.name}`, where: aws.targetHealth.get(tg.name)?.file ?? tg.source.file, effect: `${dist.unknown}: the NLB hop cannot be traced` }, unknowns };
  }
  return { plan: { tg, type, ...g, settings, parts: dist.parts, notes: dist.notes, assumptions: list.assumptions }, unknowns };
}

function sourceAfter(client: { ip: string }, targetIp: string | undefined, s: TargetGroupSettings, az: string, nlbIp: string | undefined) {
  const familyChange = targetIp !== undefined && isV6(client.ip) !== isV6(targetIp);
  // Translated IPv6↔IPv4 flows always carry the NLB's address (aws-nlb.md §1.5).
  const preserved = s.keepsClientIp && !familyChange;
  const reasons = [s.keepsClientIpReason];
  if (s.keepsClientIp && familyChange) reasons.push(`client ${client.ip} and target ${targetIp} differ in IP family: the NLB translates and the source is its own address`);
  if (preserved) return { preserved, reasons, ip: client.ip, known: true };
  const v6Side = familyChange && targetIp !== undefined && isV6(targetIp);
  if (!v6Side && nlbIp) return { preserved, reasons, ip: nlbIp, known: true };
  return { preserved, reasons, ip: `NLB private ${v6Side ? 'IPv6 address' : 'IP'} in ${az} (not captured)`, known: false };
}

function buildBranch(aws: AwsData, lb: LoadBalancer, l: Listener, p: GroupPlan, part: FlowPart, totalWeight: number, client: { ip: string }, common: readonly string[]): NlbBranch {
  const { target, az } = part;
  const s = p.settings;
  const nlbIp = nlbPrivateIp(aws, lb, az);
  const src = sourceAfter(client, target.ip, s, az, nlbIp);
  const notes = [
    `NLB node in ${az}${nlbIp ? ` (${nlbIp})` : ''}`,
    ...(p.weighted ? [`listener forwards ${p.weight}/${totalWeight} of flows to ${p.tg.name}`] : []),
    s.isCrossZone ? `cross-zone on: the ${az} node spreads over targets in every AZ` : `cross-zone off: the ${az} node sends only to targets in ${az}`,
    ...p.notes, ...target.notes,
    ...(l.protocol === 'TLS' ? ['TLS listener: the NLB terminates TLS'] : []),
    ...(s.proxyProtocol ? ['PROXY protocol v2 header carries the client address to the target'] : []),
  ];
  return {
    share: (p.weight * part.num) / (totalWeight * part.den),
    lb: { name: lb.name, arn: lb.arn, dnsName: lb.dnsName },
    listener: { port: l.port, protocol: l.protocol, arn: l.arn },
    targetGroup: { name: p.tg.name, arn: p.tg.arn, targetType: p.type, protocol: p.tg.protocol ?? l.protocol, port: p.tg.port ?? 0 },
    az, ...(nlbIp ? { nlbIp } : {}),
    target: {
      id: target.id, ip: target.ip ?? `${target.id} (no Node with this instance ID)`, port: target.port ?? 0, health: target.health,
      ...(target.az ? { az: target.az } : {}), ...(target.node ? { node: target.node } : {}), ...(target.pod ? { pod: target.pod } : {}),
    },
    sourceAfter: { ip: src.ip, known: src.known },
    clientIpPreserved: src.preserved,
    proxyProtocol: s.proxyProtocol,
    notes,
    reasons: [...src.reasons, ...(s.proxyProtocol ? [`${s.proxyProtocolReason}: the client address travels in the PROXY v2 header`] : [])],
    assumptions: [...common, ...p.assumptions],
  };
}

function targetUnknowns(branches: readonly NlbBranch[]): AwsUnknown[] {
  const seen = new Set<string>();
  return branches.flatMap((b) => {
    const key = `${b.targetGroup.name} ${b.target.id}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const out: AwsUnknown[] = [];
    if (b.targetGroup.targetType === 'instance' && b.target.node === undefined) {
      out.push({ what: `node of instance target ${b.target.id}`, where: 'k8s/ (Node spec.providerID)', effect: 'no Node has this instance in spec.providerID: its address is unknown' });
    }
    if (b.target.port === 0) out.push({ what: `port of target ${b.target.id}`, where: `aws/target-health/${b.targetGroup.name}.json`, effect: 'the target port is unknown' });
    return out;
  });
}

/**
 * Models the NLB hop for connections from `client` to Service port `port` (aws-nlb.md §1–§3):
 * which NLB, listener and target group(s), which AZ node and target each share of flows reaches,
 * and the source address the target sees. `found: false` when no NLB serves the Service.
 */
export function modelNlbHop(aws: AwsData, cluster: Cluster, svc: Service, port: ServicePort, client: { ip: string }): NlbHop {
  const found = findServiceNlbs(aws, cluster, svc);
  const first = found[0];
  if (!first) {
    const unknowns: AwsUnknown[] = aws.files.loadBalancers ? [] : [{ what: 'load balancers', where: 'aws/load-balancers.json', effect: 'not captured: cannot tell whether an NLB serves this Service' }];
    return { found: false, branches: [], unknowns };
  }
  const { lb, how } = first;
  const unknowns: AwsUnknown[] = found.slice(1).map((o) => ({
    what: `NLB ${o.lb.name} also serves ${svc.namespace}/${svc.name}`, where: o.lb.source.file,
    effect: `not traced: only ${lb.name} (found first) is; clients using ${o.lb.dnsName} are not in these branches`,
  }));
  const none = (u: AwsUnknown, more: readonly AwsUnknown[] = []): NlbHop => ({ found: true, branches: [], unknowns: [...unknowns, ...more, u], how });
  const pick = pickListener(aws, cluster, svc, port, lb);
  if (!('listener' in pick)) return none(pick);
  const l = pick.listener;
  const groups = forwardedGroups(l).filter((g) => g.weight > 0);
  if (groups.length === 0) return none({ what: `forward action of listener ${l.protocol}:${l.port}`, where: l.source.file, effect: 'no target group with a weight above 0: the NLB hop cannot be traced' });
  const plans: GroupPlan[] = [];
  for (const g of groups) {
    const r = planGroup(aws, cluster, svc, port, lb, l, g);
    unknowns.push(...r.unknowns);
    if ('unknown' in r) return none(r.unknown);
    plans.push(r.plan);
  }
  const totalWeight = plans.reduce((a, p) => a + p.weight, 0);
  const common = [
    `clients spread evenly over the DNS addresses of ${lb.name} (one per AZ that has a receiving target, or every AZ with cross-zone on)`,
    'each NLB node spreads flows evenly over its receiving targets (flow hash)',
    ...(plans.length > 1 ? ['with weighted forwarding, each target group\'s AZ availability is taken on its own (unverified: AWS documents DNS failover per load balancer)'] : []),
    ...(lb.state && lb.state.code !== 'active' ? [`load balancer state is ${lb.state.code}${lb.state.reason ? ` (${lb.state.reason})` : ''}`] : []),
  ];
  const branches = plans
    .flatMap((p) => p.parts.map((part) => buildBranch(aws, lb, l, p, part, totalWeight, client, common)))
    .sort((a, b) => b.share - a.share || a.az.localeCompare(b.az) || a.targetGroup.name.localeCompare(b.targetGroup.name) || a.target.id.localeCompare(b.target.id));
  const total = branches.reduce((a, b) => a + b.share, 0);
  if (Math.abs(total - 1) > 1e-9) throw new KpathError('E_INTERNAL_SHARES', `NLB branch shares of ${lb.name} listener ${l.port} sum to ${total}, not 1`);
  const lostSource = branches.some((b) => !b.sourceAfter.known);
  if (lostSource) {
    unknowns.push({ what: `private IPs of NLB ${lb.name}`, where: aws.files.networkInterfaces ?? 'aws/network-interfaces.json', effect: 'the source address targets see is named only by its AZ' });
  }
  return { found: true, branches, unknowns: [...unknowns, ...targetUnknowns(branches)], how: `${how}; ${pick.how}` };
}
