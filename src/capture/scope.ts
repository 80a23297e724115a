import YAML from 'yaml';
import type { Cluster, Service } from '../k8s/model.js';

/**
 * The AWS region of the cluster from a Node's providerID `aws:///<az>/i-…`: the AZ without its
 * zone letter (us-west-2a → us-west-2; a Local Zone us-west-2-lax-1a → us-west-2).
 */
export function regionFromNodes(cluster: Cluster): string | undefined {
  for (const n of cluster.nodes) {
    const az = /^aws:\/\/\/([^/]+)\/i-[0-9a-f]+$/.exec(n.providerID ?? '')?.[1];
    const region = az ? /^[a-z]{2}(?:-[a-z]+)+-\d+/.exec(az)?.[0] : undefined;
    if (region) return region;
  }
  return undefined;
}

/** EC2 instance ID of a Node (providerID `aws:///<az>/i-…`). */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  return /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerID ?? '')?.[1];
}

/**
 * Whether a Service's load balancer is (probably) an AWS ELB: its hostname is an ELB name, a TGB
 * binds it, or it is a LoadBalancer Service that names AWS (LBC's class, an aws-load-balancer-*
 * annotation) or runs on EC2 nodes.
 */
export function looksLikeAwsLb(cluster: Cluster, svc: Service): boolean {
  const elbHost = svc.ingress.some((i) => /\.elb\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\.?$/i.test(i.hostname ?? ''));
  const bound = cluster.targetGroupBindings.some((b) => b.namespace === svc.namespace && b.serviceRef.name === svc.name);
  const namesAws = svc.loadBalancerClass?.startsWith('service.k8s.aws/') === true
    || Object.keys(svc.annotations).some((k) => k.startsWith('service.beta.kubernetes.io/aws-load-balancer-'));
  const onEc2 = cluster.nodes.some((n) => instanceIdOf(n.providerID) !== undefined);
  return elbHost || bound || (svc.type === 'LoadBalancer' && (namesAws || onEc2));
}

/** What the AWS phase learned about one Service's load balancer, for picking nodes. */
export interface LbTargets {
  /** Nodes that receive the LB's traffic (instance targets, or the nodes of ip targets). */
  readonly nodes: readonly string[];
  /** The targets could not be listed: every node may be one. */
  readonly unknown: boolean;
}

function endpointNodes(cluster: Cluster, svc: Service): string[] {
  return cluster.endpointSlices
    .filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name)
    .flatMap((s) => s.endpoints.map((e) => e.nodeName).filter((n): n is string => n !== undefined));
}

/** Where traffic from outside reaches nodes when no cloud LB was found (mirrors the trace's arrivals). */
function externalArrivalNodes(cluster: Cluster, svc: Service): string[] {
  const all = cluster.nodes.map((n) => n.name);
  const vips = svc.ingress.some((i) => i.ip !== undefined) || svc.externalIPs.length > 0;
  if (vips) {
    const speakers = cluster.pods.filter((p) => p.namespace === 'metallb-system' && (p.labels['component'] === 'speaker' || p.name.includes('speaker')) && p.nodeName).map((p) => p.nodeName!);
    return speakers.length > 0 ? speakers : all;
  }
  return svc.type === 'NodePort' || svc.type === 'LoadBalancer' ? all : [];
}

/**
 * The nodes whose dumps a trace of `traced` from `from` reads: the nodes of the Services'
 * endpoints, the nodes the load balancer sends to, and the node of a `node:`/`pod:` origin. With no
 * `from` (kpath gather), external arrivals count too.
 */
export function nodesThatMatter(cluster: Cluster, traced: readonly Service[], from: string | undefined, lbs: ReadonlyMap<string, LbTargets>): string[] {
  const known = new Set(cluster.nodes.map((n) => n.name));
  const out = new Set<string>();
  const external = from === undefined || from === 'internet' || from.startsWith('ip:');
  for (const svc of traced) {
    for (const n of endpointNodes(cluster, svc)) out.add(n);
    if (!external) continue;
    const lb = lbs.get(`${svc.namespace}/${svc.name}`);
    const arrivals = lb ? (lb.unknown ? [...known] : lb.nodes) : externalArrivalNodes(cluster, svc);
    for (const n of arrivals) out.add(n);
  }
  if (from?.startsWith('node:')) out.add(from.slice(5));
  if (from?.startsWith('pod:')) {
    const arg = from.slice(4);
    const [ns, name] = arg.includes('/') ? arg.split('/', 2) as [string, string] : ['default', arg];
    const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name);
    if (pod?.nodeName) out.add(pod.nodeName);
  }
  return [...out].filter((n) => known.has(n)).sort();
}

/**
 * kube-proxy's mode as its ConfigMap (kube-system/kube-proxy, config.conf) states it, or undefined
 * when the ConfigMap is missing or leaves the mode empty (the default then depends on the platform).
 */
export function statedKubeProxyMode(docs: readonly { readonly doc: unknown }[]): string | undefined {
  for (const { doc } of docs) {
    const o = doc as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; data?: Record<string, unknown> } | null;
    if (o?.kind !== 'ConfigMap' || o.metadata?.name !== 'kube-proxy' || o.metadata.namespace !== 'kube-system') continue;
    const conf = o.data?.['config.conf'];
    if (typeof conf !== 'string') return undefined;
    try {
      const mode = (YAML.parse(conf) as { mode?: unknown } | null)?.mode;
      return typeof mode === 'string' && mode !== '' ? mode : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
