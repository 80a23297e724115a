import { describe, expect, test } from 'vitest';
import { renderProxierRules } from '../../src/kube/index.js';
import { chainRules, declaredChains } from './dump.js';
import { demoWeb, nodeA } from './scenarios.js';

// The ≤1.23 KUBE-XLB layout (kube-proxy.md §1.15) in its two generations.

const H = 'XRY76EGRC3BSCIIJ';
const local = demoWeb({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 });

describe.each(['1.19', '1.23'] as const)('%s', (version) => {
  const save = renderProxierRules(nodeA([local], { version })).iptablesSave;

  test('eTP=Local: NodePort masquerades localhost and enters KUBE-XLB; the LB VIP goes through KUBE-FW', () => {
    expect(chainRules(save, 'nat', 'KUBE-NODEPORTS')).toEqual([
      '-A KUBE-NODEPORTS -s 127.0.0.0/8 -p tcp -m comment --comment "demo/web:http" -m tcp --dport 31080 -j KUBE-MARK-MASQ',
      `-A KUBE-NODEPORTS -p tcp -m comment --comment "demo/web:http" -m tcp --dport 31080 -j KUBE-XLB-${H}`,
    ]);
    expect(chainRules(save, 'nat', `KUBE-FW-${H}`)).toEqual([
      `-A KUBE-FW-${H} -m comment --comment "demo/web:http loadbalancer IP" -j KUBE-XLB-${H}`,
      `-A KUBE-FW-${H} -m comment --comment "demo/web:http loadbalancer IP" -j KUBE-MARK-DROP`,
    ]);
    expect(declaredChains(save, 'nat')).not.toContain(`KUBE-EXT-${H}`);
  });

  test('KUBE-XLB: pod redirect, LOCAL masquerade and route, then the local endpoint', () => {
    const lastComment = version === '1.19' ? 'Balancing rule 0 for demo/web:http' : 'demo/web:http';
    expect(chainRules(save, 'nat', `KUBE-XLB-${H}`)).toEqual([
      `-A KUBE-XLB-${H} -s 10.244.0.0/16 -m comment --comment "Redirect pods trying to reach external loadbalancer VIP to clusterIP" -j KUBE-SVC-${H}`,
      `-A KUBE-XLB-${H} -m comment --comment "masquerade LOCAL traffic for demo/web:http LB IP" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      `-A KUBE-XLB-${H} -m comment --comment "route LOCAL traffic for demo/web:http LB IP to service chain" -m addrtype --src-type LOCAL -j KUBE-SVC-${H}`,
      `-A KUBE-XLB-${H} -m comment --comment "${lastComment}" -j KUBE-SEP-NW5VICAF3Z2QABHQ`,
    ]);
  });

  test('no local endpoint: KUBE-XLB ends in KUBE-MARK-DROP, which kubelet marks and drops', () => {
    const remote = renderProxierRules(nodeA([{ ...local, endpoints: [{ ip: '10.244.2.7', nodeName: 'node-b' }] }], { version })).iptablesSave;
    expect(chainRules(remote, 'nat', `KUBE-XLB-${H}`).at(-1)).toBe(
      `-A KUBE-XLB-${H} -m comment --comment "demo/web:http has no local endpoints" -j KUBE-MARK-DROP`);
    expect(chainRules(remote, 'nat', 'KUBE-MARK-DROP')).toEqual(['-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000']);
    expect(chainRules(remote, 'filter', 'KUBE-FIREWALL')[0]).toBe(
      '-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP');
  });

  test('source ranges: per-CIDR jumps, then KUBE-MARK-DROP for the rest', () => {
    const ranged = renderProxierRules(nodeA([demoWeb({ loadBalancerSourceRanges: ['198.51.100.0/24'] })], { version })).iptablesSave;
    expect(chainRules(ranged, 'nat', `KUBE-FW-${H}`)).toEqual([
      `-A KUBE-FW-${H} -m comment --comment "demo/web:http loadbalancer IP" -j KUBE-MARK-MASQ`,
      `-A KUBE-FW-${H} -s 198.51.100.0/24 -m comment --comment "demo/web:http loadbalancer IP" -j KUBE-SVC-${H}`,
      `-A KUBE-FW-${H} -m comment --comment "demo/web:http loadbalancer IP" -j KUBE-MARK-DROP`,
    ]);
    expect(declaredChains(ranged, 'filter')).not.toContain('KUBE-PROXY-FIREWALL');
  });
});

test('1.19 masquerades ClusterIP and NodePort traffic in KUBE-SERVICES/KUBE-NODEPORTS; 1.23 in KUBE-SVC', () => {
  const old = renderProxierRules(nodeA([demoWeb()], { version: '1.19' })).iptablesSave;
  expect(chainRules(old, 'nat', 'KUBE-SERVICES')[0]).toBe(
    '-A KUBE-SERVICES ! -s 10.244.0.0/16 -d 10.96.45.10/32 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ');
  expect(chainRules(old, 'nat', 'KUBE-NODEPORTS')[0]).toMatch(/--dport 31080 -j KUBE-MARK-MASQ$/);
  expect(chainRules(old, 'nat', 'KUBE-POSTROUTING')).toEqual([
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE --random-fully',
  ]);
  const newer = renderProxierRules(nodeA([demoWeb()], { version: '1.23' })).iptablesSave;
  expect(chainRules(newer, 'nat', `KUBE-SVC-${H}`).slice(0, 2)).toEqual([
    `-A KUBE-SVC-${H} ! -s 10.244.0.0/16 -d 10.96.45.10/32 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`,
    `-A KUBE-SVC-${H} -p tcp -m comment --comment "demo/web:http" -m tcp --dport 31080 -j KUBE-MARK-MASQ`,
  ]);
  expect(chainRules(newer, 'nat', 'KUBE-POSTROUTING')).toHaveLength(3);
});

test('no endpoints: 1.19 REJECTs LB IPs in filter KUBE-SERVICES, 1.23 in KUBE-EXTERNAL-SERVICES', () => {
  const empty = demoWeb({ endpoints: [] });
  const old = renderProxierRules(nodeA([empty], { version: '1.19' })).iptablesSave;
  expect(chainRules(old, 'filter', 'KUBE-SERVICES')).toHaveLength(2);
  const newer = renderProxierRules(nodeA([empty], { version: '1.23' })).iptablesSave;
  expect(chainRules(newer, 'filter', 'KUBE-SERVICES')).toHaveLength(1);
  expect(chainRules(newer, 'filter', 'KUBE-EXTERNAL-SERVICES')).toHaveLength(2);
  expect(declaredChains(newer, 'nat').filter((c) => c.includes(H))).toEqual([]);
});
