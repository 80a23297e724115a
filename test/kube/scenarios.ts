import type { KubeProxyVersion, ProxierInput, ProxyMode, ServiceSpec } from '../../src/kube/index.js';

// Shared inputs for the renderer tests and the kernel round trip. Conventions follow kube-proxy's own
// tests (kube-proxy.md §5.3): node 192.168.0.2, pods 10.244.0.0/16, external client range 203.0.113.0/24.

/** §1.16's Service: LoadBalancer demo/web:http, eTP=Cluster, one local and one remote endpoint. */
export function demoWeb(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    namespace: 'demo', name: 'web', type: 'LoadBalancer', clusterIP: '10.96.45.10', loadBalancerIPs: ['203.0.113.10'],
    ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31080, targetPort: 8080 }],
    endpoints: [{ ip: '10.244.1.5', nodeName: 'node-a' }, { ip: '10.244.2.7', nodeName: 'node-b' }],
    ...overrides,
  };
}

/** A node-a input around `services`. */
export function nodeA(services: ServiceSpec[], extra: Partial<ProxierInput> = {}): ProxierInput {
  return {
    nodeName: 'node-a', nodeIPs: ['192.168.0.2'], family: 4, mode: 'iptables', version: '1.28',
    clusterCIDR: '10.244.0.0/16', randomFully: true, services, ...extra,
  };
}

/** A mixed bag touching every rule family: policies, affinity, ranges, no endpoints, UDP/SCTP. */
export function mixedServices(): ServiceSpec[] {
  return [
    demoWeb(),
    demoWeb({
      name: 'local', clusterIP: '10.96.45.11', loadBalancerIPs: ['203.0.113.11'], externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32001, loadBalancerSourceRanges: ['198.51.100.0/24', '192.168.0.0/16'],
      sessionAffinity: { timeoutSeconds: 10800 },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31081, targetPort: 8080 }],
      endpoints: [
        { ip: '10.244.1.6', nodeName: 'node-a' }, { ip: '10.244.1.7', nodeName: 'node-a' },
        { ip: '10.244.2.8', nodeName: 'node-b' },
      ],
    }),
    demoWeb({
      name: 'remote-only', clusterIP: '10.96.45.12', loadBalancerIPs: ['203.0.113.12'], externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32002, externalIPs: ['192.168.99.11'], loadBalancerSourceRanges: ['198.51.100.0/25'],
      ports: [{ port: 443, protocol: 'TCP', nodePort: 31443, targetPort: 8443 }],
      endpoints: [{ ip: '10.244.2.9', nodeName: 'node-b' }],
    }),
    {
      namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIP: '10.96.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
      endpoints: [
        { ip: '10.244.1.2', nodeName: 'node-a' }, { ip: '10.244.2.2', nodeName: 'node-b' },
        { ip: '10.244.3.2', nodeName: 'node-c' },
      ],
    },
    {
      namespace: 'demo', name: 'empty', type: 'NodePort', clusterIP: '10.96.45.13', externalIPs: ['192.168.99.12'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31082, targetPort: 8080 }], endpoints: [],
    },
    {
      namespace: 'demo', name: 'itp', type: 'NodePort', clusterIP: '10.96.45.14', internalTrafficPolicy: 'Local',
      ports: [{ name: 'sctp', port: 9000, protocol: 'SCTP', nodePort: 31900, targetPort: 9000 }],
      endpoints: [{ ip: '10.244.2.10', nodeName: 'node-b' }],
    },
    {
      namespace: 'demo', name: 'draining', type: 'NodePort', clusterIP: '10.96.45.15', externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31083, targetPort: 8080 }],
      endpoints: [
        { ip: '10.244.1.20', nodeName: 'node-a', ready: false, serving: true, terminating: true },
        { ip: '10.244.2.20', nodeName: 'node-b' }, { ip: '10.244.2.21', nodeName: 'node-b', ready: false, serving: false },
      ],
    },
  ];
}

/** Every (mode, version) pair the renderer supports. */
export const LAYOUTS: readonly { readonly mode: ProxyMode; readonly version: KubeProxyVersion }[] = [
  { mode: 'iptables', version: '1.19' }, { mode: 'iptables', version: '1.23' },
  { mode: 'iptables', version: '1.28' }, { mode: 'iptables', version: '1.31' },
  { mode: 'ipvs', version: '1.19' }, { mode: 'ipvs', version: '1.23' },
  { mode: 'ipvs', version: '1.28' }, { mode: 'ipvs', version: '1.31' },
];
