// Evaluator tables over kube-proxy iptables-mode rule sets. The rule sets are rendered the way
// kube-proxy writes them (src/kube, round-trip tested against iptables-legacy); the expected
// answers are kube-proxy's documented behaviour: the TestInternalExternalMasquerade matrix
// (shared/reference/kube-proxy.md §1.14) and the §5.4 scenario families.
import { describe, expect, test } from 'vitest';
import { renderProxierRules, type ProxierInput, type ServiceSpec } from '../../../src/kube/index.js';
import type { Entry, Packet } from '../../../src/netfilter/trace.js';
import { nodeNetwork } from '../../support/node-net.js';
import { explain, runTrace, summarize, type Outcome } from '../../support/summarize.js';

const NODE = '192.168.0.2';
const LOCAL_EP = '10.180.0.1';
const REMOTE_EP = '10.180.1.1';
const POD = '10.0.0.2';
const EXTERNAL = '203.0.113.2';

// node-a: eth0 192.168.0.2/24 (default via 192.168.0.1); a local endpoint pod on a veth (no
// address, like cali*/eni*), the client pod on another veth; node-b's pods via 192.168.0.3.
const net = nodeNetwork(
  [{ name: 'eth0', addrs: [`${NODE}/24`] }, { name: 'veth-ep' }, { name: 'veth-client' }],
  [
    { dst: 'default', gateway: '192.168.0.1', dev: 'eth0' },
    { dst: LOCAL_EP, dev: 'veth-ep', scope: 'link' },
    { dst: POD, dev: 'veth-client', scope: 'link' },
    { dst: '10.180.1.0/24', gateway: '192.168.0.3', dev: 'eth0' },
  ],
);

function svc(name: string, n: number, extra: Partial<ServiceSpec>): ServiceSpec {
  return {
    namespace: 'ns', name, type: 'LoadBalancer', clusterIP: `172.30.0.${40 + n}`, loadBalancerIPs: [['1.2.3.4', '5.6.7.8', '9.10.11.12'][n - 1]!],
    ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3000 + n, targetPort: 80 }],
    endpoints: [{ ip: LOCAL_EP, nodeName: 'node-a' }, { ip: REMOTE_EP, nodeName: 'node-b' }],
    ...extra,
  };
}

const base: ProxierInput = {
  nodeName: 'node-a', nodeIPs: [NODE], family: 4, mode: 'iptables', version: '1.28', clusterCIDR: '10.0.0.0/8', randomFully: true,
  services: [
    svc('svc1', 1, {}),
    svc('svc2', 2, { externalTrafficPolicy: 'Local', healthCheckNodePort: 30002 }),
    svc('svc3', 3, { internalTrafficPolicy: 'Local' }),
  ],
};

type From = 'pod' | 'node' | 'external';
type To = 'clusterIP' | 'nodePort' | 'lb';

function packetFor(from: From, to: To, n: number): { packet: Packet; entry: Entry } {
  const src = from === 'pod' ? POD : from === 'node' ? NODE : EXTERNAL;
  const dst = to === 'clusterIP' ? `172.30.0.${40 + n}` : to === 'nodePort' ? NODE : ['1.2.3.4', '5.6.7.8', '9.10.11.12'][n - 1]!;
  const dport = to === 'nodePort' ? 3000 + n : 80;
  const entry: Entry = from === 'node' ? { kind: 'local' } : { kind: 'iface', iface: from === 'pod' ? 'veth-client' : 'eth0' };
  return { packet: { family: 4, proto: 6, src, sport: 40000, dst, dport }, entry };
}

/** "both"/"local" endpoints and masquerade yes/no, as the upstream matrix states them. */
function expected(eps: 'both' | 'local', masq: boolean, from: From): Outcome[] {
  const original = from === 'pod' ? POD : from === 'node' ? NODE : EXTERNAL;
  // Masquerade takes eth0's primary address: toward node-b it leaves on eth0; toward the local
  // veth (no address) the kernel falls back to the first global address in interface order.
  const src = masq ? NODE : original;
  if (eps === 'local') return [{ to: `${LOCAL_EP}:80`, share: 1, src }];
  return [{ to: `${LOCAL_EP}:80`, share: 0.5, src }, { to: `${REMOTE_EP}:80`, share: 0.5, src }];
}

function check(input: ProxierInput, from: From, to: To, n: number, want: Outcome[]): void {
  const { packet, entry } = packetFor(from, to, n);
  const t = runTrace(renderProxierRules(input).iptablesSave, net, packet, entry);
  const got = summarize(t).map((o) => ({ ...o, share: Math.round(o.share * 1e6) / 1e6 }));
  expect(got, explain(t)).toEqual(want);
}

// §1.14: [from, to, svc1 (eTP/iTP Cluster), svc2 (eTP Local), svc3 (iTP Local)], each cell [endpoints, masq].
const MATRIX: [From, To, ['both' | 'local', boolean], ['both' | 'local', boolean], ['both' | 'local', boolean]][] = [
  ['pod', 'clusterIP', ['both', false], ['both', false], ['local', false]],
  ['pod', 'nodePort', ['both', true], ['both', false], ['both', true]],
  ['pod', 'lb', ['both', true], ['both', false], ['both', true]],
  ['node', 'clusterIP', ['both', true], ['both', true], ['local', true]],
  ['node', 'nodePort', ['both', true], ['both', true], ['both', true]],
  ['node', 'lb', ['both', true], ['both', true], ['both', true]],
  ['external', 'clusterIP', ['both', true], ['both', true], ['local', true]],
  ['external', 'nodePort', ['both', true], ['local', false], ['both', true]],
  ['external', 'lb', ['both', true], ['local', false], ['both', true]],
];

describe('TestInternalExternalMasquerade matrix (kube-proxy.md §1.14), 1.28 layout', () => {
  for (const [from, to, ...cells] of MATRIX) {
    cells.forEach(([eps, masq], i) => {
      test(`${from} → ${to} of svc${i + 1}: ${eps}, ${masq ? 'masq' : 'no masq'}`, () => check(base, from, to, i + 1, expected(eps, masq, from)));
    });
  }
});

describe('matrix overrides', () => {
  test('no LocalTrafficDetector: external → ClusterIP is not masqueraded', () => {
    check({ ...base, clusterCIDR: undefined }, 'external', 'clusterIP', 1, expected('both', false, 'external'));
  });
  test('no LocalTrafficDetector: pod → LB of an eTP Local service reaches local endpoints only', () => {
    check({ ...base, clusterCIDR: undefined }, 'pod', 'lb', 2, expected('local', false, 'pod'));
  });
  test('masqueradeAll: pod → ClusterIP is masqueraded', () => {
    check({ ...base, masqueradeAll: true }, 'pod', 'clusterIP', 1, expected('both', true, 'pod'));
  });
  test('hairpin: an endpoint reaching its own Service through the ClusterIP is masqueraded (KUBE-SEP rule 1)', () => {
    const input = { ...base, services: [svc('svc1', 1, { endpoints: [{ ip: LOCAL_EP, nodeName: 'node-a' }] })] };
    const t = runTrace(renderProxierRules(input).iptablesSave, net, { family: 4, proto: 6, src: LOCAL_EP, sport: 40000, dst: '172.30.0.41', dport: 80 }, { kind: 'iface', iface: 'veth-ep' });
    expect(summarize(t), explain(t)).toEqual([{ to: `${LOCAL_EP}:80`, share: 1, src: NODE }]);
  });
});

describe('§5.4 families', () => {
  const one = (extra: Partial<ServiceSpec>, eps = [{ ip: LOCAL_EP, nodeName: 'node-a' }, { ip: REMOTE_EP, nodeName: 'node-b' }]) =>
    ({ ...base, services: [svc('svc1', 1, { ...extra, endpoints: eps })] });

  test('no endpoints: ClusterIP, NodePort and LB IP are REJECTed (filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES)', () => {
    for (const [from, to] of [['pod', 'clusterIP'], ['external', 'nodePort'], ['external', 'lb']] as const) {
      check(one({}, []), from, to, 1, [{ to: 'REJECTED', share: 1, src: '-' }]);
    }
  });

  test('eTP Local with no local endpoint: external → NodePort and LB are DROPped', () => {
    const input = one({ externalTrafficPolicy: 'Local', healthCheckNodePort: 30001 }, [{ ip: REMOTE_EP, nodeName: 'node-b' }]);
    check(input, 'external', 'nodePort', 1, [{ to: 'DROPPED', share: 1, src: '-' }]);
    check(input, 'external', 'lb', 1, [{ to: 'DROPPED', share: 1, src: '-' }]);
    // …while pods still reach the remote endpoint through the short-circuit, unmasqueraded.
    check(input, 'pod', 'lb', 1, [{ to: `${REMOTE_EP}:80`, share: 1, src: POD }]);
  });

  test('iTP Local with no local endpoint: pod → ClusterIP is DROPped', () => {
    check(one({ internalTrafficPolicy: 'Local' }, [{ ip: REMOTE_EP, nodeName: 'node-b' }]), 'pod', 'clusterIP', 1, [{ to: 'DROPPED', share: 1, src: '-' }]);
  });

  test('loadBalancerSourceRanges: an allowed client is served (masqueraded), a blocked one is DROPped, NodePort bypasses the ranges', () => {
    const input = one({ loadBalancerSourceRanges: ['203.0.113.0/25'] });
    check(input, 'external', 'lb', 1, expected('both', true, 'external'));
    const blocked = { family: 4 as const, proto: 6, src: '203.0.113.130', sport: 40000, dst: '1.2.3.4', dport: 80 };
    const t = runTrace(renderProxierRules(input).iptablesSave, net, blocked, { kind: 'iface', iface: 'eth0' });
    expect(summarize(t), explain(t)).toEqual([{ to: 'DROPPED', share: 1, src: '-' }]);
    const np = runTrace(renderProxierRules(input).iptablesSave, net, { ...blocked, dst: NODE, dport: 3001 }, { kind: 'iface', iface: 'eth0' });
    expect(summarize(np).map((o) => o.to), explain(np)).toEqual([`${LOCAL_EP}:80`, `${REMOTE_EP}:80`]);
  });

  test('three endpoints split exactly 1/3 each (kernel-quantised probabilities)', () => {
    const eps = [{ ip: '10.180.0.1', nodeName: 'node-a' }, { ip: '10.180.1.1', nodeName: 'node-b' }, { ip: '10.180.1.2', nodeName: 'node-b' }];
    const { packet, entry } = packetFor('pod', 'clusterIP', 1);
    const t = runTrace(renderProxierRules(one({}, eps)).iptablesSave, net, packet, entry);
    const shares = summarize(t).map((o) => o.share);
    // 1/3 is stored as 715827883/2^31, the second rule as 1/2 exactly.
    const p1 = 715827883 / 2 ** 31;
    expect(shares[0]).toBeCloseTo(p1, 12);
    expect(shares[1]).toBeCloseTo((1 - p1) / 2, 12);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  test('session affinity: a new client has no recent entry, so the random rules decide (and the SEP rule records it)', () => {
    const { packet, entry } = packetFor('pod', 'clusterIP', 1);
    const t = runTrace(renderProxierRules(one({ sessionAffinity: { timeoutSeconds: 10800 } })).iptablesSave, net, packet, entry);
    expect(summarize(t), explain(t)).toEqual(expected('both', false, 'pod'));
    expect(t.outcomes.every((o) => o.assumptions.some((a) => a.includes('-m recent')))).toBe(true);
  });

  test('pre-1.24 KUBE-XLB layout: eTP Local external → LB reaches the local endpoint unmasqueraded', () => {
    check({ ...base, version: '1.23' }, 'external', 'lb', 2, expected('local', false, 'external'));
  });

  test('pre-1.24 KUBE-XLB layout without a local endpoint: KUBE-MARK-DROP, then kubelet\'s KUBE-FIREWALL drops in INPUT', () => {
    const input = { ...base, version: '1.23' as const, services: [svc('svc2', 2, { externalTrafficPolicy: 'Local', healthCheckNodePort: 30002, endpoints: [{ ip: REMOTE_EP, nodeName: 'node-b' }] })] };
    // The NodePort is a local address, so the marked packet meets KUBE-FIREWALL (hooked from INPUT).
    check(input, 'external', 'nodePort', 2, [{ to: 'DROPPED', share: 1, src: '-' }]);
    // An LB IP that is not local to the node is forwarded, mark 0x8000 and all: KUBE-FIREWALL
    // sits in INPUT/OUTPUT only, so the drop needs the VIP to be local (clouds that bind it on nodes).
    const { packet, entry } = packetFor('external', 'lb', 2);
    const t = runTrace(renderProxierRules(input).iptablesSave, net, packet, entry);
    expect(t.outcomes.map((o) => [o.disposition, o.mark]), explain(t)).toEqual([['forwarded', 0x8000]]);
  });

  test('health check node port is ACCEPTed locally (filter KUBE-NODEPORTS)', () => {
    const input = one({ externalTrafficPolicy: 'Local', healthCheckNodePort: 30001 });
    const t = runTrace(renderProxierRules(input).iptablesSave, net, { family: 4, proto: 6, src: EXTERNAL, sport: 40000, dst: NODE, dport: 30001 }, { kind: 'iface', iface: 'eth0' });
    expect(summarize(t), explain(t)).toEqual([{ to: `LOCAL:${NODE}:30001`, share: 1, src: EXTERNAL }]);
    expect(t.outcomes[0]!.steps.some((s) => s.chain === 'KUBE-NODEPORTS' && s.verdict === 'ACCEPT')).toBe(true);
  });
});
