import { findServiceNlbs } from '../aws/find.js';
import { eligibleInstanceNodes } from '../aws/targets.js';
import type { AwsData, Listener, TargetGroup, TargetHealthDescription } from '../aws/model.js';
import type { Cluster, Node, Service, ServicePort } from '../k8s/model.js';
import { servicePortName } from '../kube/chain-hash.js';
import type { Finding, NotChecked } from './model.js';

// Target states that no longer take flows and are on their way out (aws-nlb.md §2.3): a target the
// controller has just deregistered is draining, not drift.
const LEAVING = new Set(['draining', 'unhealthy.draining', 'unused']);

function instanceIdOf(n: Node): string | undefined {
  return /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(n.providerID ?? '')?.[1];
}


function forwardedArns(l: Listener): string[] {
  const fwd = l.defaultActions.find((a) => a.type === 'forward');
  const list = fwd?.forwardConfig?.targetGroups.map((t) => t.targetGroupArn) ?? [];
  return list.length > 0 ? list : fwd?.targetGroupArn ? [fwd.targetGroupArn] : [];
}

/** Target groups serving each port of `svc`: via the NLB's listener on the port, or a TargetGroupBinding. */
function groupsOf(aws: AwsData, cluster: Cluster, svc: Service): { tg: TargetGroup; port: ServicePort }[] {
  const out = new Map<string, { tg: TargetGroup; port: ServicePort }>();
  for (const { lb } of findServiceNlbs(aws, cluster, svc)) {
    for (const l of aws.listeners.filter((x) => x.loadBalancerArn === lb.arn)) {
      const port = svc.ports.find((p) => p.port === l.port);
      if (!port) continue;
      for (const arn of forwardedArns(l)) {
        const tg = aws.targetGroups.find((t) => t.arn === arn);
        if (tg && !out.has(tg.arn)) out.set(tg.arn, { tg, port });
      }
    }
  }
  for (const b of cluster.targetGroupBindings) {
    if (b.namespace !== svc.namespace || b.serviceRef.name !== svc.name) continue;
    const tg = aws.targetGroups.find((t) => (b.targetGroupARN !== undefined ? t.arn === b.targetGroupARN : t.name === b.targetGroupName));
    const port = svc.ports.find((p) => p.port === b.serviceRef.port || p.name === b.serviceRef.port);
    if (tg && port && !out.has(tg.arn)) out.set(tg.arn, { tg, port });
  }
  return [...out.values()];
}

interface SliceEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly pod?: string;
}

function sliceEndpoints(cluster: Cluster, svc: Service, port: ServicePort): SliceEndpoint[] {
  return cluster.endpointSlices
    .filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name && s.addressType !== 'FQDN')
    .flatMap((s) => {
      const sp = s.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
      if (sp?.port === undefined) return [];
      return s.endpoints.flatMap((e) => e.addresses.map((ip) => ({
        ip, port: sp.port!, ready: e.ready, ...(e.targetRef?.kind === 'Pod' ? { pod: `${e.targetRef.namespace ?? svc.namespace}/${e.targetRef.name}` } : {}),
      })));
    });
}

const at = (d: TargetHealthDescription): string => `${d.source.file} ${d.source.at}`;

function lintIpGroup(tg: TargetGroup, spn: string, eps: SliceEndpoint[], ds: readonly TargetHealthDescription[], file: string): Finding[] {
  const out: Finding[] = [];
  const registered = new Map(ds.filter((d) => !LEAVING.has(d.targetHealth.state)).map((d) => [`${d.target.id}:${d.target.port ?? '?'}`, d]));
  const ready = eps.filter((e) => e.ready);
  for (const e of ready) {
    const key = `${e.ip}:${e.port}`;
    if (registered.has(key)) continue;
    out.push({
      severity: 'error', code: 'target-missing', where: file, service: spn, endpoint: key,
      message: `ready endpoint ${key}${e.pod ? ` (pod ${e.pod})` : ''} of ${spn} is not a registered ip target of ${tg.name}: the NLB never sends to it`,
    });
  }
  for (const [key, d] of registered) {
    if (ready.some((e) => `${e.ip}:${e.port}` === key)) continue;
    const known = eps.find((e) => `${e.ip}:${e.port}` === key);
    const sameIp = eps.find((e) => e.ip === d.target.id);
    if (known) {
      out.push({ severity: 'warning', code: 'target-not-ready', where: at(d), service: spn, endpoint: key, message: `ip target ${key} of ${tg.name} (${d.targetHealth.state}) is an endpoint of ${spn} that is not ready` });
    } else if (sameIp) {
      out.push({ severity: 'error', code: 'target-port-mismatch', where: at(d), service: spn, endpoint: key, message: `ip target ${key} of ${tg.name} (${d.targetHealth.state}): the endpoint ${sameIp.ip} of ${spn} listens on ${sameIp.port}` });
    } else {
      out.push({ severity: 'error', code: 'target-stale', where: at(d), service: spn, endpoint: key, message: `ip target ${key} of ${tg.name} (${d.targetHealth.state}) is no endpoint of ${spn}: a pod that no longer exists or moved` });
    }
  }
  return out;
}

function lintInstanceGroup(cluster: Cluster, svc: Service, tg: TargetGroup, spn: string, port: ServicePort, ds: readonly TargetHealthDescription[], file: string): Finding[] {
  const out: Finding[] = [];
  const registered = ds.filter((d) => !LEAVING.has(d.targetHealth.state));
  const eligible = eligibleInstanceNodes(cluster, svc).filter((x) => x.node.ready !== false);
  for (const { node: n, instanceId: id } of eligible) {
    if (registered.some((d) => d.target.id === id)) continue;
    out.push({
      severity: 'warning', code: 'target-missing', node: n.name, where: file, service: spn, endpoint: id,
      message: `node ${n.name} (${id}) is not a registered instance target of ${tg.name}, though the controller registers every eligible node`,
    });
  }
  for (const d of registered) {
    const node = cluster.nodes.find((n) => instanceIdOf(n) === d.target.id);
    const base = { where: at(d), service: spn, endpoint: d.target.id, ...(node ? { node: node.name } : {}) };
    if (!node) {
      out.push({ ...base, severity: 'error', code: 'target-stale', message: `instance target ${d.target.id} of ${tg.name} (${d.targetHealth.state}) is no Node in the snapshot` });
    } else if (port.nodePort !== undefined && d.target.port !== undefined && d.target.port !== port.nodePort) {
      out.push({ ...base, severity: 'error', code: 'target-port-mismatch', message: `instance target ${d.target.id} of ${tg.name} is registered on port ${d.target.port}, but ${spn}'s NodePort is ${port.nodePort}` });
    }
  }
  return out;
}

/**
 * Compares each NLB target group serving a Service with the cluster: ip targets must be exactly the
 * ready endpoints (pod IP and EndpointSlice port), instance targets every eligible Node at the
 * NodePort. Only target groups whose target-health was captured can be checked.
 */
export function lintNlbTargets(aws: AwsData, cluster: Cluster, notChecked: NotChecked[]): { findings: Finding[]; groups: number } {
  const findings: Finding[] = [];
  let groups = 0;
  for (const svc of cluster.services.filter((s) => s.type === 'LoadBalancer' || cluster.targetGroupBindings.some((b) => b.namespace === s.namespace && b.serviceRef.name === s.name))) {
    for (const { tg, port } of groupsOf(aws, cluster, svc)) {
      const spn = servicePortName(svc.namespace, svc.name, port.name);
      const health = aws.targetHealth.get(tg.name);
      if (!health) {
        notChecked.push({ what: `target group ${tg.name} (${spn})`, why: `aws/target-health/${tg.name}.json was not captured` });
        continue;
      }
      groups++;
      if (tg.targetType === 'ip') findings.push(...lintIpGroup(tg, spn, sliceEndpoints(cluster, svc, port), health.descriptions, health.file));
      else if (tg.targetType === 'instance') findings.push(...lintInstanceGroup(cluster, svc, tg, spn, port, health.descriptions, health.file));
      else notChecked.push({ what: `target group ${tg.name}`, why: `target type ${tg.targetType} is not modelled` });
    }
  }
  return { findings, groups };
}
