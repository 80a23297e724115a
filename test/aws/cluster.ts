import type { Cluster, EndpointSlice, Node, Pod, Service, ServicePort, TargetGroupBinding } from '../../src/k8s/model.js';

const SRC = 'test:k8s.json';

/** Three EKS-like nodes: two in us-west-2a, one in us-west-2b, providerID aws:///<az>/<instance-id>. */
export const NODES = {
  a1: { name: 'ip-10-0-1-10.us-west-2.compute.internal', ip: '10.0.1.10', az: 'us-west-2a', instance: 'i-0aaa1111aaaa1111a' },
  a2: { name: 'ip-10-0-1-20.us-west-2.compute.internal', ip: '10.0.1.20', az: 'us-west-2a', instance: 'i-0bbb2222bbbb2222b' },
  b1: { name: 'ip-10-0-2-10.us-west-2.compute.internal', ip: '10.0.2.10', az: 'us-west-2b', instance: 'i-0ccc3333cccc3333c' },
} as const;
export type NodeKey = keyof typeof NODES;

/** The traefik pods of fixtures/aws/nlb-ip, one per node. */
export const TRAEFIK_PODS = {
  a1: { name: 'traefik-6d8f7c9b5-x2k4q', ip: '10.0.1.57' },
  a2: { name: 'traefik-6d8f7c9b5-m7p9z', ip: '10.0.1.88' },
  b1: { name: 'traefik-6d8f7c9b5-c3v8n', ip: '10.0.2.31' },
} as const;

function node(k: NodeKey): Node {
  const n = NODES[k];
  return {
    name: n.name, addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
    providerID: `aws:///${n.az}/${n.instance}`, labels: { 'topology.kubernetes.io/zone': n.az }, podCIDRs: [], ready: true, source: SRC,
  };
}

function service(ns: string, name: string, ports: ServicePort[], hostname: string | null, etp: 'Cluster' | 'Local'): Service {
  return {
    namespace: ns, name, type: 'LoadBalancer', clusterIPs: ['172.20.14.3'], externalIPs: [],
    ingress: hostname ? [{ hostname }] : [], ports, externalTrafficPolicy: etp, internalTrafficPolicy: 'Cluster',
    ...(etp === 'Local' ? { healthCheckNodePort: 32001 } : {}),
    sessionAffinity: 'None', loadBalancerSourceRanges: [], annotations: {}, labels: {}, selector: { app: name }, source: SRC,
  };
}

export const TRAEFIK_WEB: ServicePort = { name: 'web', port: 80, protocol: 'TCP', targetPort: 'web', nodePort: 30080 };
export const TRAEFIK_WEBSECURE: ServicePort = { name: 'websecure', port: 443, protocol: 'TCP', targetPort: 'websecure', nodePort: 30443 };
export const ECHO_HTTP: ServicePort = { port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 31080 };

/** ingress/traefik, the Service of fixtures/aws/nlb-ip. */
export function traefikService(hostname: string | null = 'k8s-ingress-traefik-3c1a7e9f0b-5f2d9c8e7a6b4c3d.elb.us-west-2.amazonaws.com'): Service {
  return service('ingress', 'traefik', [TRAEFIK_WEB, TRAEFIK_WEBSECURE], hostname, 'Cluster');
}

/** web/echo, the Service of fixtures/aws/nlb-instance (instance targets). */
export function echoService(etp: 'Cluster' | 'Local', hostname: string | null = 'k8s-web-echo-9f8e7d6c5b-fedcba0987654321.elb.us-west-2.amazonaws.com'): Service {
  return service('web', 'echo', [ECHO_HTTP], hostname, etp);
}

function traefikSlice(): EndpointSlice {
  return {
    namespace: 'ingress', name: 'traefik-h5k2d', serviceName: 'traefik', addressType: 'IPv4',
    ports: [{ name: 'web', port: 8000, protocol: 'TCP' }, { name: 'websecure', port: 8443, protocol: 'TCP' }],
    endpoints: (Object.keys(TRAEFIK_PODS) as NodeKey[]).map((k) => ({
      addresses: [TRAEFIK_PODS[k].ip], ready: true, serving: true, terminating: false, nodeName: NODES[k].name, zone: NODES[k].az,
      targetRef: { kind: 'Pod', namespace: 'ingress', name: TRAEFIK_PODS[k].name },
    })),
    source: SRC,
  };
}

function traefikPods(): Pod[] {
  return (Object.keys(TRAEFIK_PODS) as NodeKey[]).map((k) => ({
    namespace: 'ingress', name: TRAEFIK_PODS[k].name, ips: [TRAEFIK_PODS[k].ip], nodeName: NODES[k].name,
    hostNetwork: false, labels: { app: 'traefik' }, phase: 'Running', source: SRC,
  }));
}

/** echo endpoints: one ready pod on each listed node (the pod IP is the node's /24 + .100 + index). */
function echoSlice(on: readonly NodeKey[]): EndpointSlice {
  return {
    namespace: 'web', name: 'echo-7xk2p', serviceName: 'echo', addressType: 'IPv4',
    ports: [{ port: 8080, protocol: 'TCP' }],
    endpoints: on.map((k, i) => ({
      addresses: [`${NODES[k].ip.replace(/\.\d+$/, '')}.${100 + i}`], ready: true, serving: true, terminating: false,
      nodeName: NODES[k].name, zone: NODES[k].az, targetRef: { kind: 'Pod', namespace: 'web', name: `echo-5c9d8-${k}` },
    })),
    source: SRC,
  };
}

/** The cluster both fixtures run in; `echoOn` says where echo's ready endpoints are. */
export function cluster(opts: { echoOn?: readonly NodeKey[]; tgbs?: readonly TargetGroupBinding[]; nodes?: readonly NodeKey[] } = {}): Cluster {
  return {
    services: [traefikService(), echoService('Cluster')],
    endpointSlices: [traefikSlice(), echoSlice(opts.echoOn ?? ['a1', 'a2', 'b1'])],
    nodes: (opts.nodes ?? ['a1', 'a2', 'b1']).map(node),
    pods: traefikPods(),
    targetGroupBindings: opts.tgbs ?? [],
    problems: [],
  };
}
