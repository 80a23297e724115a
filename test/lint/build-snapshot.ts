import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderProxierRules, type ProxyMode, type ServiceSpec } from '../../src/kube/index.js';

// Small whole snapshots for lint, explain and redact tests: Kubernetes objects derived from
// kube-proxy renderer inputs (src/kube), node dumps rendered by the same renderer, so a snapshot
// built from one state is drift-free and one built from two states drifts exactly by their difference.

/** A node of a test cluster. */
export interface TestNode {
  readonly name: string;
  readonly ip: string;
  readonly podCIDR: string;
  readonly zone?: string;
  readonly instance?: string;
}

export const NODES: readonly TestNode[] = [
  { name: 'node-a', ip: '192.168.0.2', podCIDR: '10.244.1.0/24', zone: 'zone-a', instance: 'i-0aaa1111aaaa1111a' },
  { name: 'node-b', ip: '192.168.0.3', podCIDR: '10.244.2.0/24', zone: 'zone-b', instance: 'i-0bbb2222bbbb2222b' },
];

/** demo/web (LoadBalancer, eTP=Cluster, one endpoint per node), shop/cart (ClusterIP, unnamed port), kube-dns. */
export function services(): ServiceSpec[] {
  return [
    {
      namespace: 'demo', name: 'web', type: 'LoadBalancer', clusterIP: '10.96.45.10', loadBalancerIPs: ['172.18.255.10'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31080, targetPort: 8080 }],
      endpoints: [{ ip: '10.244.1.5', nodeName: 'node-a' }, { ip: '10.244.2.7', nodeName: 'node-b' }],
    },
    {
      namespace: 'shop', name: 'cart', type: 'ClusterIP', clusterIP: '10.96.7.20',
      ports: [{ port: 9000, protocol: 'TCP', targetPort: 9090 }],
      endpoints: [{ ip: '10.244.1.9', nodeName: 'node-a' }, { ip: '10.244.2.9', nodeName: 'node-b' }],
    },
    {
      namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIP: '10.96.0.10',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
      endpoints: [{ ip: '10.244.1.2', nodeName: 'node-a' }],
    },
  ];
}

/** The pod name of an endpoint: `<service>-<last two octets>`. */
export function podName(svc: ServiceSpec, ip: string): string {
  return `${svc.name}-${ip.split('.').slice(2).join('-')}`;
}

function nodeObject(n: TestNode): unknown {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...(n.zone ? { 'topology.kubernetes.io/zone': n.zone } : {}) } },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR], ...(n.instance ? { providerID: `aws:///${n.zone ?? ''}/${n.instance}` } : {}) },
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function serviceObjects(svc: ServiceSpec, extra: { hostname?: string; annotations?: Record<string, string> } = {}): unknown[] {
  const ingress = [...(svc.loadBalancerIPs ?? []).map((ip) => ({ ip })), ...(extra.hostname ? [{ hostname: extra.hostname }] : [])];
  const service = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: svc.name, namespace: svc.namespace, labels: { app: svc.name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      type: svc.type, clusterIP: svc.clusterIP, clusterIPs: [svc.clusterIP], selector: { app: svc.name },
      ports: svc.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, targetPort: p.targetPort, ...(p.nodePort ? { nodePort: p.nodePort } : {}) })),
      ...(svc.externalIPs ? { externalIPs: svc.externalIPs } : {}),
      ...(svc.type !== 'ClusterIP' ? { externalTrafficPolicy: svc.externalTrafficPolicy ?? 'Cluster' } : {}),
      internalTrafficPolicy: svc.internalTrafficPolicy ?? 'Cluster',
      ...(svc.healthCheckNodePort ? { healthCheckNodePort: svc.healthCheckNodePort } : {}),
    },
    status: { loadBalancer: ingress.length > 0 ? { ingress } : {} },
  };
  const slice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${svc.name}-x7k2p`, namespace: svc.namespace, labels: { 'kubernetes.io/service-name': svc.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    ports: svc.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.targetPort, protocol: p.protocol })),
    endpoints: svc.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      nodeName: e.nodeName, targetRef: { kind: 'Pod', namespace: svc.namespace, name: podName(svc, e.ip) },
    })),
  };
  const pods = svc.endpoints.map((e) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: podName(svc, e.ip), namespace: svc.namespace, labels: { app: svc.name } },
    spec: { nodeName: e.nodeName, containers: [{ name: 'app', ports: svc.ports.map((p) => ({ containerPort: p.targetPort })) }] },
    status: { phase: 'Running', podIP: e.ip, podIPs: [{ ip: e.ip }] },
  }));
  return [service, slice, ...pods];
}

/** The k8s/ objects of a cluster running `svcs` on `nodes`, in iptables or IPVS mode. */
export function k8sObjects(svcs: readonly ServiceSpec[], opts: { nodes?: readonly TestNode[]; mode?: ProxyMode; extra?: Record<string, { hostname?: string; annotations?: Record<string, string> }> } = {}): unknown {
  const kubeProxy = {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    data: { 'config.conf': `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ${opts.mode ?? 'iptables'}\nclusterCIDR: 10.244.0.0/16\n` },
  };
  return {
    apiVersion: 'v1', kind: 'List',
    items: [...(opts.nodes ?? NODES).map(nodeObject), ...svcs.flatMap((s) => serviceObjects(s, opts.extra?.[`${s.namespace}/${s.name}`])), kubeProxy],
  };
}

/** What kube-proxy on `node` writes for `svcs`. */
export function nodeDumps(node: TestNode, svcs: readonly ServiceSpec[], mode: ProxyMode = 'iptables'): Record<string, string> {
  const r = renderProxierRules({
    nodeName: node.name, nodeIPs: [node.ip], family: 4, mode, version: '1.28', clusterCIDR: '10.244.0.0/16',
    randomFully: true, services: svcs, generatedAt: 'Thu Jan  1 00:00:00 2026',
  });
  return {
    'iptables-save.txt': r.iptablesSave,
    ...(r.ipsetSave ? { 'ipset-save.txt': r.ipsetSave } : {}),
    ...(r.ipvsadmSave ? { 'ipvsadm.txt': r.ipvsadmSave } : {}),
  };
}

/** Writes files (path relative to the snapshot → text) into a new temporary directory. */
export function writeSnapshot(files: Readonly<Record<string, string>>, prefix = 'kpath-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, ...rel.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/**
 * A snapshot whose k8s/ holds `cluster` and whose node `n` holds what kube-proxy wrote for
 * `programmed[n]` (default: `cluster`) — a lagging or stale node when they differ.
 */
export function buildSnapshot(cluster: readonly ServiceSpec[], opts: {
  programmed?: Readonly<Record<string, readonly ServiceSpec[]>>; mode?: ProxyMode; nodes?: readonly TestNode[];
  files?: Readonly<Record<string, string>>; extra?: Record<string, { hostname?: string; annotations?: Record<string, string> }>;
} = {}): Record<string, string> {
  const nodes = opts.nodes ?? NODES;
  const files: Record<string, string> = { 'k8s/cluster.json': `${JSON.stringify(k8sObjects(cluster, { nodes, mode: opts.mode, extra: opts.extra }), null, 2)}\n` };
  for (const n of nodes) {
    for (const [f, text] of Object.entries(nodeDumps(n, opts.programmed?.[n.name] ?? cluster, opts.mode))) files[`nodes/${n.name}/${f}`] = text;
  }
  return { ...files, ...opts.files };
}
