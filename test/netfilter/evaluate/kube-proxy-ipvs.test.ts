// IPVS mode's iptables/ipset side: kube-proxy marks (0x4000) what must be masqueraded and ACCEPTs
// VIP traffic in nat PREROUTING; the VIP is local (kube-ipvs0), so the packet is delivered to the
// node where IPVS picks a real server. Expected decisions: kube-proxy.md §3.3 and §3.5's table
// (ClusterIP: masq iff the source is not a pod; NodePort: unless in KUBE-NODE-PORT-LOCAL-*;
// LB: unless in KUBE-LOAD-BALANCER-LOCAL).
import { describe, expect, test } from 'vitest';
import { renderProxierRules, type ProxierInput, type ServiceSpec } from '../../../src/kube/index.js';
import type { Entry, Packet } from '../../../src/netfilter/trace.js';
import { nodeNetwork } from '../../support/node-net.js';
import { explain, runTrace } from '../../support/summarize.js';

const NODE = '192.168.0.2';

function svc(name: string, n: number, extra: Partial<ServiceSpec>): ServiceSpec {
  return {
    namespace: 'ns', name, type: 'LoadBalancer', clusterIP: `172.30.0.${40 + n}`, loadBalancerIPs: [`192.168.99.${n}`],
    ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3000 + n, targetPort: 80 }],
    endpoints: [{ ip: '10.180.0.1', nodeName: 'node-a' }, { ip: '10.180.1.1', nodeName: 'node-b' }],
    ...extra,
  };
}

const input: ProxierInput = {
  nodeName: 'node-a', nodeIPs: [NODE], family: 4, mode: 'ipvs', version: '1.28', clusterCIDR: '10.0.0.0/8', randomFully: true,
  services: [svc('cluster', 1, {}), svc('local', 2, { externalTrafficPolicy: 'Local', healthCheckNodePort: 30002 })],
};
const rules = renderProxierRules(input);
// Every ClusterIP and LB IP is bound to kube-ipvs0, which makes them local addresses.
const net = nodeNetwork(
  [{ name: 'eth0', addrs: [`${NODE}/24`] }, { name: 'kube-ipvs0', addrs: (rules.kubeIpvs0Addrs ?? []).map((a) => `${a}/32`) }, { name: 'veth-client' }],
  [{ dst: 'default', gateway: '192.168.0.1', dev: 'eth0' }, { dst: '10.0.0.2', dev: 'veth-client', scope: 'link' }],
);

function trace(src: string, dst: string, dport: number, entry: Entry) {
  const packet: Packet = { family: 4, proto: 6, src, sport: 40000, dst, dport };
  return runTrace(rules.iptablesSave, net, packet, entry, rules.ipsetSave);
}

const EXT: Entry = { kind: 'iface', iface: 'eth0' };
const POD: Entry = { kind: 'iface', iface: 'veth-client' };

describe('IPVS mode: nat marks and local delivery of VIP traffic', () => {
  const cases: { name: string; src: string; dst: string; dport: number; entry: Entry; masq: boolean }[] = [
    { name: 'external → LB IP, eTP Cluster: marked for masquerade', src: '203.0.113.2', dst: '192.168.99.1', dport: 80, entry: EXT, masq: true },
    { name: 'external → LB IP, eTP Local: KUBE-LOAD-BALANCER-LOCAL returns before the mark', src: '203.0.113.2', dst: '192.168.99.2', dport: 80, entry: EXT, masq: false },
    { name: 'external → NodePort, eTP Cluster: KUBE-NODE-PORT-TCP marks', src: '203.0.113.2', dst: NODE, dport: 3001, entry: EXT, masq: true },
    { name: 'external → NodePort, eTP Local: KUBE-NODE-PORT-LOCAL-TCP returns', src: '203.0.113.2', dst: NODE, dport: 3002, entry: EXT, masq: false },
    { name: 'pod → ClusterIP: the source is in the cluster CIDR, no mark', src: '10.0.0.2', dst: '172.30.0.41', dport: 80, entry: POD, masq: false },
    { name: 'external → ClusterIP: ! -s clusterCIDR marks', src: '203.0.113.2', dst: '172.30.0.41', dport: 80, entry: EXT, masq: true },
  ];
  test.each(cases)('$name', ({ src, dst, dport, entry, masq }) => {
    const t = trace(src, dst, dport, entry);
    expect(t.outcomes.map((o) => o.disposition), explain(t)).toEqual(['local']);
    const o = t.outcomes[0]!;
    expect((o.mark & 0x4000) !== 0, explain(t)).toBe(masq);
    // No DNAT in iptables: IPVS rewrites the destination later, at LOCAL_IN.
    expect(o.packet.dst).toBe(dst);
  });

  test('a VIP port kube-proxy does not serve is REJECTed by KUBE-IPVS-FILTER (kubernetes#72236)', () => {
    const t = trace('203.0.113.2', '192.168.99.1', 81, EXT);
    expect(t.outcomes.map((o) => [o.disposition, o.mark & 0x4000]), explain(t)).toEqual([['rejected', 0]]);
    expect(t.outcomes[0]!.steps.at(-1)!.chain).toBe('KUBE-IPVS-FILTER');
  });
});
