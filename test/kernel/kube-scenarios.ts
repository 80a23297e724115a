import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeProxyVersion, ProxierInput, ServiceSpec } from '../../src/kube/index.js';
import type { NodeDumps } from './node-lab.js';
import type { Probe, ProbeFrom } from './observe.js';

// kube-proxy scenarios for the kernel lab: Services rendered by src/kube/proxier-rules.ts onto nodes
// built from the fixture dumps in fixtures/host (a Calico IPIP node and an AWS VPC CNI–like node).
// Each has endpoints on this node (veth pods) and elsewhere (through tunl0 or the uplink), so that
// MASQUERADE's source choice (node IP or tunl0's /32) is part of every answer.

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../fixtures/host/${name}`, import.meta.url)), 'utf8');

/** One rule set to load into a scenario's node and the probes to send through it. */
export interface KubeLayout {
  readonly label: string;
  readonly input: ProxierInput;
  readonly probes: readonly Probe[];
  /** Attempts for a probe with several outcomes (older layouts use fewer to save time). */
  readonly repeats?: number;
}

export interface KubeScenario {
  readonly name: string;
  readonly dumps: NodeDumps;
  readonly sysctls: readonly string[];
  readonly layouts: readonly KubeLayout[];
  /** IPVS mode: add a kube-ipvs0 link (DOWN, NOARP) holding the rendered VIPs to the dumps. */
  readonly kubeIpvs0?: boolean;
}

// ---- node A: Calico IPIP (fixtures/host/calico-node-*.json) ----
const A_NODE = '10.10.4.142';
const A_TUNL = '10.233.98.0';
const P1 = '10.233.98.39';
const P2 = '10.233.98.40';
const OUT: ProbeFrom = { kind: 'outside' };
const NODE: ProbeFrom = { kind: 'node' };
const pod = (ip: string): ProbeFrom => ({ kind: 'pod', ip });

const local = (ip: string, port = 8080) => ({ ip, port, nodeName: 'node-a' });
const remote = (ip: string, port = 8080) => ({ ip, port, nodeName: 'node-b' });
const tcp80 = (nodePort?: number) => [{ name: 'http', port: 80, protocol: 'TCP' as const, targetPort: 8080, ...(nodePort ? { nodePort } : {}) }];

/** The Service set of node A; `H1` is a hostNetwork endpoint on a node reached through eth0. */
function servicesA(): ServiceSpec[] {
  const H1 = '10.10.4.150';
  return [
    { namespace: 'demo', name: 'web', type: 'LoadBalancer', clusterIP: '10.96.45.10', loadBalancerIPs: ['203.0.113.10'], ports: tcp80(31080),
      endpoints: [local(P1), remote('10.233.110.7'), remote(H1)] },
    { namespace: 'demo', name: 'loc', type: 'LoadBalancer', clusterIP: '10.96.45.11', loadBalancerIPs: ['203.0.113.11'], ports: tcp80(31081),
      externalTrafficPolicy: 'Local', healthCheckNodePort: 32001, endpoints: [local(P2), remote('10.233.110.8')] },
    { namespace: 'demo', name: 'noloc', type: 'LoadBalancer', clusterIP: '10.96.45.12', loadBalancerIPs: ['203.0.113.12'], ports: tcp80(31082),
      externalTrafficPolicy: 'Local', healthCheckNodePort: 32002, endpoints: [remote('10.233.110.9')] },
    { namespace: 'demo', name: 'aff', type: 'ClusterIP', clusterIP: '10.96.45.13', ports: tcp80(), sessionAffinity: { timeoutSeconds: 10800 },
      endpoints: [local(P1), remote('10.233.110.7')] },
    { namespace: 'demo', name: 'fw', type: 'LoadBalancer', clusterIP: '10.96.45.14', loadBalancerIPs: ['203.0.113.14'], ports: tcp80(31084),
      loadBalancerSourceRanges: ['198.51.100.0/24'], endpoints: [local(P2), remote('10.233.110.10')] },
    { namespace: 'demo', name: 'empty', type: 'LoadBalancer', clusterIP: '10.96.45.15', loadBalancerIPs: ['203.0.113.15'], ports: tcp80(31085), endpoints: [] },
    { namespace: 'kube-system', name: 'dns', type: 'ClusterIP', clusterIP: '10.96.0.10',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
      endpoints: [{ ip: P2, nodeName: 'node-a' }, { ip: '10.233.110.11', nodeName: 'node-b' }] },
    { namespace: 'demo', name: 'itp', type: 'ClusterIP', clusterIP: '10.96.45.16', ports: tcp80(), internalTrafficPolicy: 'Local', endpoints: [remote('10.233.110.12')] },
    { namespace: 'demo', name: 'ext', type: 'ClusterIP', clusterIP: '10.96.45.17', externalIPs: ['192.0.2.50'], ports: tcp80(), endpoints: [local(P1)] },
  ];
}

let nextPort = 20000;
function probe(from: ProbeFrom, src: string, dst: string, dport: number, label: string, proto: 'tcp' | 'udp' = 'tcp'): Probe {
  nextPort = nextPort >= 60000 ? 20000 : nextPort + 1;
  return { from, proto, src, sport: nextPort, dst, dport, label };
}

/** Clients of node A: an allowed external client, a blocked one, a pod, the node, and localhost. */
function probesA(): Probe[] {
  const ext = '198.51.100.7';
  const blocked = '100.64.7.7';
  const out: Probe[] = [];
  const svc = (name: string, cip: string, lb?: string, np?: number, hairpinFrom?: string) => {
    const podSrc = hairpinFrom === P1 ? P2 : P1;
    out.push(probe(OUT, ext, cip, 80, `outside → ${name} ClusterIP`));
    out.push(probe(pod(podSrc), podSrc, cip, 80, `pod → ${name} ClusterIP`));
    out.push(probe(NODE, A_NODE, cip, 80, `node → ${name} ClusterIP`));
    if (hairpinFrom) out.push(probe(pod(hairpinFrom), hairpinFrom, cip, 80, `endpoint → own ${name} ClusterIP (hairpin)`));
    if (lb) {
      out.push(probe(OUT, ext, lb, 80, `outside → ${name} LB`));
      out.push(probe(pod(podSrc), podSrc, lb, 80, `pod → ${name} LB`));
      out.push(probe(NODE, A_NODE, lb, 80, `node → ${name} LB`));
    }
    if (np) {
      out.push(probe(OUT, ext, A_NODE, np, `outside → ${name} NodePort on node IP`));
      out.push(probe(OUT, ext, A_TUNL, np, `outside → ${name} NodePort on tunl0 address`));
      out.push(probe(pod(podSrc), podSrc, A_NODE, np, `pod → ${name} NodePort`));
      out.push(probe(NODE, A_NODE, A_NODE, np, `node → ${name} NodePort`));
      out.push(probe(NODE, '127.0.0.1', '127.0.0.1', np, `localhost → ${name} NodePort`));
    }
  };
  svc('web', '10.96.45.10', '203.0.113.10', 31080, P1);
  out.push(probe(OUT, '10.233.110.20', '10.96.45.10', 80, 'remote pod (via uplink) → web ClusterIP'));
  svc('loc', '10.96.45.11', '203.0.113.11', 31081, P2);
  out.push(probe(OUT, ext, A_NODE, 32001, 'outside → loc health check node port'));
  svc('noloc', '10.96.45.12', '203.0.113.12', 31082);
  svc('aff', '10.96.45.13', undefined, undefined, P1);
  svc('fw', '10.96.45.14', '203.0.113.14', 31084, P2);
  out.push(probe(OUT, blocked, '203.0.113.14', 80, 'blocked client → fw LB (loadBalancerSourceRanges)'));
  out.push(probe(OUT, blocked, A_NODE, 31084, 'blocked client → fw NodePort (ranges do not apply)'));
  svc('empty', '10.96.45.15', '203.0.113.15', 31085);
  out.push(probe(OUT, ext, '10.96.0.10', 53, 'outside → dns UDP', 'udp'));
  out.push(probe(pod(P1), P1, '10.96.0.10', 53, 'pod → dns UDP', 'udp'));
  out.push(probe(NODE, A_NODE, '10.96.0.10', 53, 'node → dns UDP', 'udp'));
  out.push(probe(pod(P1), P1, '10.96.0.10', 53, 'pod → dns TCP'));
  out.push(probe(pod(P1), P1, '10.96.0.10', 80, 'pod → dns on a port it does not serve'));
  svc('itp', '10.96.45.16');
  svc('ext', '10.96.45.17', undefined, undefined, P1);
  out.push(probe(OUT, ext, '192.0.2.50', 80, 'outside → ext externalIP'));
  out.push(probe(pod(P2), P2, '192.0.2.50', 80, 'pod → ext externalIP'));
  out.push(probe(OUT, ext, A_NODE, 22, 'outside → node port 22 (no service)'));
  out.push(probe(OUT, ext, '10.233.98.40', 8080, 'outside → pod directly'));
  return out;
}

function inputA(version: KubeProxyVersion, mode: 'iptables' | 'ipvs' = 'iptables'): ProxierInput {
  return { nodeName: 'node-a', nodeIPs: [A_NODE], family: 4, mode, version, clusterCIDR: '10.233.0.0/16', randomFully: true, services: servicesA() };
}

/** Node A with the current layout and the older ones (KUBE-XLB ≤1.23, KUBE-MARK-DROP, 1.19 masquerade rules). */
export function calicoScenario(): KubeScenario {
  const probes = probesA();
  return {
    name: 'calico',
    dumps: { addrJson: fixture('calico-node-addr.json'), routeJson: fixture('calico-node-route.json') },
    sysctls: ['net.ipv4.conf.all.route_localnet=1'],
    layouts: [
      { label: 'iptables 1.31', input: inputA('1.31'), probes },
      { label: 'iptables 1.28', input: inputA('1.28'), probes, repeats: 60 },
      { label: 'iptables 1.23 (KUBE-XLB)', input: inputA('1.23'), probes, repeats: 60 },
      { label: 'iptables 1.19', input: inputA('1.19'), probes, repeats: 60 },
      { label: 'iptables 1.31 masqueradeAll', input: { ...inputA('1.31'), masqueradeAll: true }, probes: probes.filter((p) => /ClusterIP/.test(p.label ?? '')), repeats: 60 },
    ],
  };
}

// ---- node B: AWS VPC CNI–like (fixtures/host/aws-node-*.json): pods in the node subnet, no detector ----
const B_NODE = '10.0.1.10';
const B_POD = '10.0.1.77';

function servicesB(): ServiceSpec[] {
  const ep = (ip: string, nodeName: string) => ({ ip, port: 8080, nodeName });
  return [
    { namespace: 'shop', name: 'api', type: 'LoadBalancer', clusterIP: '172.20.0.10', loadBalancerIPs: ['203.0.113.20'], ports: tcp80(30080),
      endpoints: [ep(B_POD, 'node-b'), ep('10.0.1.88', 'node-c')] },
    { namespace: 'shop', name: 'edge', type: 'LoadBalancer', clusterIP: '172.20.0.11', loadBalancerIPs: ['203.0.113.21'], ports: tcp80(30081),
      externalTrafficPolicy: 'Local', healthCheckNodePort: 30900, endpoints: [ep(B_POD, 'node-b'), ep('10.0.1.89', 'node-c')] },
  ];
}

function probesB(): Probe[] {
  const ext = '198.51.100.8';
  const out: Probe[] = [];
  for (const [name, cip, lb, np] of [['api', '172.20.0.10', '203.0.113.20', 30080], ['edge', '172.20.0.11', '203.0.113.21', 30081]] as const) {
    out.push(probe(OUT, ext, cip, 80, `outside → ${name} ClusterIP`));
    out.push(probe(pod(B_POD), B_POD, cip, 80, `pod → ${name} ClusterIP (hairpin possible)`));
    out.push(probe(NODE, B_NODE, cip, 80, `node → ${name} ClusterIP`));
    out.push(probe(OUT, ext, lb, 80, `outside → ${name} LB`));
    out.push(probe(pod(B_POD), B_POD, lb, 80, `pod → ${name} LB`));
    for (const ip of [B_NODE, '10.0.1.20', '10.0.1.50']) out.push(probe(OUT, ext, ip, np, `outside → ${name} NodePort on ${ip}`));
    out.push(probe(NODE, '10.0.1.20', B_NODE, np, `node (secondary IP) → ${name} NodePort`));
  }
  out.push(probe(OUT, '10.0.1.99', B_POD, 8080, 'VPC peer → pod directly'));
  return out;
}

function inputB(extra: Partial<ProxierInput> = {}): ProxierInput {
  return { nodeName: 'node-b', nodeIPs: [B_NODE], family: 4, mode: 'iptables', version: '1.31', randomFully: true, services: servicesB(), ...extra };
}

/** Node B: no local-traffic detector, then masqueradeAll, then --nodeport-addresses limited to the primary IP. */
export function awsScenario(): KubeScenario {
  const probes = probesB();
  return {
    name: 'aws',
    dumps: { addrJson: fixture('aws-node-addr.json'), routeJson: fixture('aws-node-route.json') },
    sysctls: ['net.ipv4.conf.all.route_localnet=1'],
    layouts: [
      { label: 'iptables 1.31, no detector', input: inputB(), probes },
      { label: 'iptables 1.31, masqueradeAll', input: inputB({ masqueradeAll: true }), probes, repeats: 60 },
      { label: 'iptables 1.31, nodePortAddresses primary only', input: inputB({ nodePortAddresses: [B_NODE] }), probes, repeats: 60 },
    ],
  };
}

// ---- IPVS mode on node A: only the iptables/ipset side (IPVS is not in this kernel) ----
function probesIpvs(): Probe[] {
  const ext = '198.51.100.7';
  return [
    probe(OUT, ext, '10.96.45.10', 80, 'outside → web ClusterIP (kube-ipvs0 address)'),
    probe(pod(P2), P2, '10.96.45.10', 80, 'pod → web ClusterIP'),
    probe(NODE, A_NODE, '10.96.45.10', 80, 'node → web ClusterIP'),
    probe(OUT, ext, '203.0.113.10', 80, 'outside → web LB (KUBE-LOAD-BALANCER marks)'),
    probe(OUT, ext, '203.0.113.11', 80, 'outside → loc LB (eTP=Local: no mark)'),
    probe(OUT, ext, A_NODE, 31080, 'outside → web NodePort (KUBE-NODE-PORT marks)'),
    probe(OUT, ext, A_NODE, 31081, 'outside → loc NodePort (eTP=Local RETURN)'),
    probe(OUT, ext, '203.0.113.14', 80, 'allowed client → fw LB (source-ranges RETURN)'),
    probe(OUT, '100.64.7.7', '203.0.113.14', 80, 'blocked client → fw LB (KUBE-SOURCE-RANGES-FIREWALL DROP)'),
    probe(OUT, ext, '10.96.45.10', 81, 'outside → web ClusterIP, unserved port (KUBE-IPVS-FILTER REJECT)'),
    probe(OUT, ext, A_NODE, 32001, 'outside → loc health check node port (ACCEPT)'),
    probe(OUT, ext, '10.96.0.10', 53, 'outside → dns UDP', 'udp'),
    // After IPVS picked endpoint P1 for a client P1, the packet is P1 → P1:8080; KUBE-LOOP-BACK masquerades it.
    probe(OUT, P1, P1, 8080, 'IPVS hairpin as it leaves IPVS: P1 → P1:8080 (KUBE-LOOP-BACK)'),
    probe(OUT, '10.233.110.20', P2, 8080, 'post-IPVS packet to a local endpoint (no loop-back)'),
  ];
}

/** IPVS mode: rules and sets as kube-proxy writes them, kube-ipvs0 holding every VIP. */
export function ipvsScenario(): KubeScenario {
  const input = inputA('1.31', 'ipvs');
  return {
    name: 'ipvs',
    dumps: { addrJson: fixture('calico-node-addr.json'), routeJson: fixture('calico-node-route.json') },
    sysctls: ['net.ipv4.conf.all.route_localnet=1'],
    layouts: [{ label: 'ipvs 1.31', input, probes: probesIpvs() }],
    kubeIpvs0: true,
  };
}

/**
 * The address dump plus a link as kube-proxy's IPVS mode creates it: `kube-ipvs0`, DOWN and NOARP,
 * every VIP bound as /32 (kube-proxy.md §3.4); it takes the next ifindex, as it would on a node.
 */
export function withKubeIpvs0(addrJson: string, vips: readonly string[]): string {
  const links = JSON.parse(addrJson) as { ifindex: number }[];
  const ifindex = Math.max(...links.map((l) => l.ifindex)) + 1;
  links.push({
    ifindex, ifname: 'kube-ipvs0', flags: ['BROADCAST', 'NOARP'], mtu: 1500, link_type: 'ether', operstate: 'DOWN',
    addr_info: vips.map((local) => ({ family: 'inet', local, prefixlen: 32, scope: 'global', label: 'kube-ipvs0' })),
  } as { ifindex: number });
  return JSON.stringify(links);
}
