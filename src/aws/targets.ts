import type { Cluster, Node, Service, ServicePort } from '../k8s/model.js';
import type { AwsData, TargetGroup, TargetHealthDescription } from './model.js';
import type { AwsUnknown } from './settings.js';

/** A registered target of a target group with what kpath knows of it. */
export interface ResolvedTarget {
  readonly id: string;
  /** The address the NLB sends to; undefined when no Node/Pod tells it. */
  readonly ip?: string;
  readonly port?: number;
  readonly az?: string;
  /** AWS TargetHealth.State when captured; otherwise `healthy`/`unhealthy` (derived) or `unknown`. */
  readonly health: string;
  /** Gets new flows while the target group has any such target: healthy, or assumed healthy. */
  readonly isHealthy: boolean;
  /** May still get flows when the group fails open: registered and neither draining nor unused. */
  readonly isRegistered: boolean;
  readonly node?: string;
  readonly pod?: string;
  readonly notes: readonly string[];
}

/** The targets of one target group and where their list and health came from. */
export interface TargetList {
  readonly targets: readonly ResolvedTarget[];
  readonly assumptions: readonly string[];
  readonly unknowns: readonly AwsUnknown[];
}

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
// States that never take new flows, not even when the group fails open: deregistering, or in an
// AZ the LB does not use (aws-nlb.md §2.3, §6 Target.NotInUse).
const NOT_ROUTED = new Set(['draining', 'unhealthy.draining', 'unused']);

/** `aws:///us-west-2a/i-0abc…` → AZ and instance ID (aws-nlb.md §1.2). */
function providerIds(node: Node): { az?: string; instanceId?: string } {
  const m = /^aws:\/\/\/([^/]*)\/(i-[0-9a-f]+)$/.exec(node.providerID ?? '');
  return m ? { az: m[1] || undefined, instanceId: m[2] } : {};
}

function nodeZone(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  return providerIds(node).az ?? ZONE_LABELS.map((k) => node.labels[k]).find((z) => z !== undefined);
}

function internalIp(node: Node): string | undefined {
  return node.addresses.find((a) => a.type === 'InternalIP')?.address;
}

function sliceEndpoints(cluster: Cluster, svc: Service) {
  return cluster.endpointSlices
    .filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name && s.addressType !== 'FQDN')
    .flatMap((s) => s.endpoints.map((e) => ({ slice: s, e })));
}

/** Nodes with ≥1 ready endpoint of the Service: what kube-proxy's healthCheckNodePort counts (aws-nlb.md §2.2). */
function nodesWithLocalEndpoints(cluster: Cluster, svc: Service): Set<string> {
  return new Set(sliceEndpoints(cluster, svc).filter(({ e }) => e.ready && e.nodeName).map(({ e }) => e.nodeName!));
}

function instanceTarget(cluster: Cluster, id: string, port: number | undefined): Omit<ResolvedTarget, 'health' | 'isHealthy' | 'isRegistered' | 'notes'> {
  const node = cluster.nodes.find((n) => providerIds(n).instanceId === id);
  // Instance targets get traffic on the primary private IP of the primary ENI: the Node's InternalIP (aws-nlb.md §1.2).
  return { id, ip: node ? internalIp(node) : undefined, port, az: nodeZone(node), node: node?.name };
}

function ipTarget(cluster: Cluster, svc: Service, id: string, port: number | undefined, az: string | undefined) {
  const pod = cluster.pods.find((p) => !p.hostNetwork && p.ips.includes(id));
  const ep = sliceEndpoints(cluster, svc).find(({ e }) => e.addresses.includes(id))?.e;
  const podName = pod ? `${pod.namespace}/${pod.name}`
    : ep?.targetRef?.kind === 'Pod' ? `${ep.targetRef.namespace ?? svc.namespace}/${ep.targetRef.name}` : undefined;
  const nodeName = pod?.nodeName ?? ep?.nodeName;
  const node = cluster.nodes.find((n) => n.name === nodeName);
  return { id, ip: id, port, az: az ?? ep?.zone ?? nodeZone(node), node: nodeName, pod: podName };
}

function fromTargetHealth(cluster: Cluster, svc: Service, type: 'instance' | 'ip', d: TargetHealthDescription): ResolvedTarget {
  const h = d.targetHealth;
  // For ip targets the data-path port is the target's own Port, never the TG Port (aws-nlb.md §1.3).
  const base = type === 'instance' ? instanceTarget(cluster, d.target.id, d.target.port)
    : ipTarget(cluster, svc, d.target.id, d.target.port, d.target.availabilityZone);
  const detail = [h.reason, h.description].filter((x) => x !== undefined).join(': ');
  return {
    ...base, health: h.state, isHealthy: h.state === 'healthy', isRegistered: !NOT_ROUTED.has(h.state),
    notes: [`target ${d.target.id} is ${h.state}${detail ? ` (${detail})` : ''}`],
  };
}

// LBC's default node selector for instance targets (aws-nlb.md §1.2).
function isExcludedNode(n: Node): boolean {
  const l = n.labels;
  return 'node-role.kubernetes.io/master' in l || 'node.kubernetes.io/exclude-from-external-load-balancers' in l ||
    'alpha.service-controller.kubernetes.io/exclude-balancer' in l || l['eks.amazonaws.com/compute-type'] === 'fargate';
}

function wantedNodeLabels(svc: Service): [string, string][] {
  const v = svc.annotations['service.beta.kubernetes.io/aws-load-balancer-target-node-labels'];
  if (!v) return [];
  return v.split(',').map((kv) => kv.trim()).filter((kv) => kv !== '').map((kv) => {
    const i = kv.indexOf('=');
    return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
  });
}

/**
 * Nodes LBC may register as instance targets of a Service: its default node selector, the
 * target-node-labels annotation, and an EC2 instance ID in spec.providerID (aws-nlb.md §1.2).
 * Readiness is left to the caller.
 */
export function eligibleInstanceNodes(cluster: Cluster, svc: Service): { node: Node; instanceId: string }[] {
  const labels = wantedNodeLabels(svc);
  return cluster.nodes.flatMap((n) => {
    const id = providerIds(n).instanceId;
    return !isExcludedNode(n) && id !== undefined && labels.every(([k, v]) => n.labels[k] === v) ? [{ node: n, instanceId: id }] : [];
  });
}

/** Instance targets as LBC registers them: every eligible node at the NodePort (aws-nlb.md §1.2). */
function deriveInstanceTargets(cluster: Cluster, svc: Service, port: ServicePort): Omit<ResolvedTarget, 'health' | 'isHealthy' | 'isRegistered' | 'notes'>[] {
  const eligible = eligibleInstanceNodes(cluster, svc).map((x) => x.node);
  // Ready=True nodes, failing open to nodes of unknown readiness when none is Ready (LBC ResolveNodePortEndpoints).
  const ready = eligible.filter((n) => n.ready === true);
  const chosen = ready.length > 0 ? ready : eligible.filter((n) => n.ready === undefined);
  return chosen.map((n) => instanceTarget(cluster, providerIds(n).instanceId!, port.nodePort));
}

/** ip targets as LBC registers them: ready Pod endpoints at the EndpointSlice port (aws-nlb.md §1.3). */
function deriveIpTargets(cluster: Cluster, svc: Service, port: ServicePort) {
  return sliceEndpoints(cluster, svc).flatMap(({ slice, e }) => {
    const sp = slice.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
    if (!e.ready || e.targetRef?.kind !== 'Pod' || sp?.port === undefined) return [];
    return e.addresses.map((a) => ipTarget(cluster, svc, a, sp.port, undefined));
  });
}

/**
 * The registered targets of `tg` with their health. From target-health/<tg>.json when captured;
 * otherwise derived from the cluster the way LBC registers them, with health derived from
 * EndpointSlices for instance targets of an externalTrafficPolicy Local Service, else assumed.
 */
export function resolveTargets(
  aws: AwsData, cluster: Cluster, svc: Service, port: ServicePort, tg: TargetGroup, type: 'instance' | 'ip',
): TargetList {
  const captured = aws.targetHealth.get(tg.name);
  if (captured) {
    return { targets: captured.descriptions.map((d) => fromTargetHealth(cluster, svc, type, d)), assumptions: [], unknowns: [] };
  }
  const where = `aws/target-health/${tg.name}.json`;
  const listNote = type === 'instance'
    ? `registered targets of ${tg.name} derived from the Nodes, as the AWS Load Balancer Controller registers them (every eligible node at NodePort ${port.nodePort ?? '?'})`
    : `registered targets of ${tg.name} derived from the ready Pod endpoints of ${svc.namespace}/${svc.name}`;
  if (type === 'instance' && svc.externalTrafficPolicy === 'Local') {
    const local = nodesWithLocalEndpoints(cluster, svc);
    const targets = deriveInstanceTargets(cluster, svc, port).map((t): ResolvedTarget => {
      const ok = t.node !== undefined && local.has(t.node);
      return {
        ...t, health: ok ? 'healthy' : 'unhealthy', isHealthy: ok, isRegistered: true,
        notes: [`target ${t.id} health derived: kube-proxy's healthCheckNodePort${svc.healthCheckNodePort ? ` ${svc.healthCheckNodePort}` : ''} answers ${ok ? '200 (a local ready endpoint)' : '503 (no local ready endpoint)'}`],
      };
    });
    return {
      targets, assumptions: [listNote],
      unknowns: [{ what: `target health of ${tg.name}`, where, effect: 'health derived from EndpointSlices: nodes with a local ready endpoint pass the healthCheckNodePort check, the others fail' }],
    };
  }
  const raw = type === 'instance' ? deriveInstanceTargets(cluster, svc, port) : deriveIpTargets(cluster, svc, port);
  return {
    targets: raw.map((t) => ({ ...t, health: 'unknown', isHealthy: true, isRegistered: true, notes: [`target ${t.id} health not captured (assumed healthy)`] })),
    assumptions: [listNote, `every registered target of ${tg.name} is assumed healthy`],
    unknowns: [{ what: `target health of ${tg.name}`, where, effect: 'all registered targets assumed healthy' }],
  };
}
