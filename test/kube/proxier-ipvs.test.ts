import { describe, expect, test } from 'vitest';
import { renderProxierRules } from '../../src/kube/index.js';
import { chainRules, declaredChains } from './dump.js';
import { demoWeb, mixedServices, nodeA } from './scenarios.js';

// IPVS mode (kube-proxy.md §3): ipsets, the few iptables rules around them, virtual servers.

describe('ipsets', () => {
  const r = renderProxierRules(nodeA(mixedServices(), { mode: 'ipvs' }));
  const lines = r.ipsetSave!.split('\n');

  test('every set is created, hash sets inet/1024/65536, bitmaps over 0-65535', () => {
    expect(lines.filter((l) => l.startsWith('create ')).map((l) => l.split(' ')[1])).toEqual([
      'KUBE-LOOP-BACK', 'KUBE-CLUSTER-IP', 'KUBE-EXTERNAL-IP', 'KUBE-EXTERNAL-IP-LOCAL', 'KUBE-LOAD-BALANCER',
      'KUBE-LOAD-BALANCER-FW', 'KUBE-LOAD-BALANCER-LOCAL', 'KUBE-LOAD-BALANCER-SOURCE-IP', 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
      'KUBE-NODE-PORT-TCP', 'KUBE-NODE-PORT-LOCAL-TCP', 'KUBE-NODE-PORT-UDP', 'KUBE-NODE-PORT-LOCAL-UDP',
      'KUBE-NODE-PORT-SCTP-HASH', 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'KUBE-HEALTH-CHECK-NODE-PORT', 'KUBE-IPVS-IPS',
    ]);
    expect(lines).toContain('create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536');
    expect(lines).toContain('create KUBE-NODE-PORT-TCP bitmap:port range 0-65535');
  });

  test('entries: hairpin tuples for local endpoints, VIP tuples, ranges, node ports', () => {
    expect(lines).toContain('add KUBE-LOOP-BACK 10.244.1.5,tcp:8080,10.244.1.5');
    expect(lines.some((l) => l.startsWith('add KUBE-LOOP-BACK 10.244.2.'))).toBe(false);
    expect(lines).toContain('add KUBE-CLUSTER-IP 10.96.0.10,udp:53');
    expect(lines).toContain('add KUBE-LOAD-BALANCER-LOCAL 203.0.113.11,tcp:80');
    expect(lines).toContain('add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.11,tcp:80,198.51.100.0/24');
    expect(lines).toContain('add KUBE-LOAD-BALANCER-SOURCE-IP 203.0.113.11,tcp:80,203.0.113.11');
    expect(lines).toContain('add KUBE-EXTERNAL-IP-LOCAL 192.168.99.11,tcp:443');
    expect(lines).toContain('add KUBE-NODE-PORT-LOCAL-TCP 31081');
    expect(lines).toContain('add KUBE-NODE-PORT-SCTP-HASH 192.168.0.2,sctp:31900');
    expect(lines).toContain('add KUBE-HEALTH-CHECK-NODE-PORT 32001');
  });

  test('kube-ipvs0 holds ClusterIPs, external and LB IPs; KUBE-IPVS-IPS lists them', () => {
    expect(r.kubeIpvs0Addrs).toContain('10.96.45.10');
    expect(r.kubeIpvs0Addrs).toContain('203.0.113.10');
    expect(r.kubeIpvs0Addrs).toContain('192.168.99.11');
    expect(lines.filter((l) => l.startsWith('add KUBE-IPVS-IPS ')).length).toBe(r.kubeIpvs0Addrs!.length);
  });

  test('1.19 has neither the health-check nor the KUBE-IPVS-IPS set', () => {
    const old = renderProxierRules(nodeA(mixedServices(), { mode: 'ipvs', version: '1.19' })).ipsetSave!;
    expect(old).not.toContain('KUBE-HEALTH-CHECK-NODE-PORT');
    expect(old).not.toContain('KUBE-IPVS-IPS');
  });
});

describe('iptables rules', () => {
  test('1.28 nat: hairpin MASQUERADE first in KUBE-POSTROUTING, match-set rules, ACCEPT at the end', () => {
    const { iptablesSave } = renderProxierRules(nodeA([demoWeb()], { mode: 'ipvs' }));
    expect(chainRules(iptablesSave, 'nat', 'KUBE-POSTROUTING')).toEqual([
      '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ]);
    expect(chainRules(iptablesSave, 'nat', 'KUBE-SERVICES')).toEqual([
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER',
      '-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ',
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
      '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
      '-A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT',
    ]);
    expect(chainRules(iptablesSave, 'nat', 'KUBE-NODE-PORT')).toEqual([
      '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
    ]);
    expect(chainRules(iptablesSave, 'filter', 'INPUT')).toEqual([
      '-A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER',
      '-A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL',
      '-A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT',
      '-A INPUT -j KUBE-FIREWALL',
    ]);
  });

  test('without a detector the ClusterIP masquerade matches VIP-sourced traffic (src,dst)', () => {
    const { iptablesSave } = renderProxierRules(nodeA([demoWeb()], { mode: 'ipvs', clusterCIDR: undefined }));
    expect(chainRules(iptablesSave, 'nat', 'KUBE-SERVICES')[1]).toBe(
      '-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ');
  });

  test('source ranges: filter KUBE-SOURCE-RANGES-FIREWALL (1.28) vs nat KUBE-FIREWALL + MARK-DROP (1.23)', () => {
    const svc = demoWeb({ loadBalancerSourceRanges: ['198.51.100.0/24'] });
    const now = renderProxierRules(nodeA([svc], { mode: 'ipvs' })).iptablesSave;
    expect(chainRules(now, 'filter', 'KUBE-SOURCE-RANGES-FIREWALL').at(-1)).toBe('-A KUBE-SOURCE-RANGES-FIREWALL -j DROP');
    const old = renderProxierRules(nodeA([svc], { mode: 'ipvs', version: '1.23' })).iptablesSave;
    expect(chainRules(old, 'nat', 'KUBE-FIREWALL')).toEqual([
      '-A KUBE-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN',
      '-A KUBE-FIREWALL -j KUBE-MARK-DROP',
    ]);
    expect(declaredChains(old, 'filter')).not.toContain('KUBE-SOURCE-RANGES-FIREWALL');
  });

  test('1.31: loopback RETURN first, and node access to range-limited LBs cut in KUBE-IPVS-OUT-FILTER', () => {
    const svc = demoWeb({ loadBalancerSourceRanges: ['198.51.100.0/24'] });
    const { iptablesSave } = renderProxierRules(nodeA([svc], { mode: 'ipvs', version: '1.31' }));
    expect(chainRules(iptablesSave, 'nat', 'KUBE-SERVICES')[0]).toBe('-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN');
    expect(chainRules(iptablesSave, 'filter', 'KUBE-IPVS-OUT-FILTER')).toEqual([
      '-A KUBE-IPVS-OUT-FILTER -s 203.0.113.10/32 -m ipvs --vaddr 203.0.113.10/32 --vproto 6 --vport 80 -j DROP',
    ]);
  });
});

describe('ipvsadm-save', () => {
  test('one virtual server per VIP/port and node IP, NAT real servers of weight 1, affinity as -p', () => {
    const svc = demoWeb({ sessionAffinity: { timeoutSeconds: 10800 } });
    expect(renderProxierRules(nodeA([svc], { mode: 'ipvs' })).ipvsadmSave!.split('\n')).toEqual([
      '-A -t 10.96.45.10:80 -s rr -p 10800',
      '-a -t 10.96.45.10:80 -r 10.244.1.5:8080 -m -w 1', '-a -t 10.96.45.10:80 -r 10.244.2.7:8080 -m -w 1',
      '-A -t 203.0.113.10:80 -s rr -p 10800',
      '-a -t 203.0.113.10:80 -r 10.244.1.5:8080 -m -w 1', '-a -t 203.0.113.10:80 -r 10.244.2.7:8080 -m -w 1',
      '-A -t 192.168.0.2:31080 -s rr -p 10800',
      '-a -t 192.168.0.2:31080 -r 10.244.1.5:8080 -m -w 1', '-a -t 192.168.0.2:31080 -r 10.244.2.7:8080 -m -w 1',
      '',
    ]);
  });

  test('eTP=Local uses local endpoints, but falls back to all when none is local (not in 1.19)', () => {
    const svc = demoWeb({ externalTrafficPolicy: 'Local', endpoints: [{ ip: '10.244.2.7', nodeName: 'node-b' }] });
    const now = renderProxierRules(nodeA([svc], { mode: 'ipvs' })).ipvsadmSave!;
    expect(now).toContain('-a -t 203.0.113.10:80 -r 10.244.2.7:8080 -m -w 1');
    const old = renderProxierRules(nodeA([svc], { mode: 'ipvs', version: '1.19' })).ipvsadmSave!;
    expect(old).not.toContain('-a -t 203.0.113.10:80');
  });
});
