import { describe, expect, test } from 'vitest';
import { parseIp } from '../../../src/netfilter/cidr.js';
import { indexIpsets, parseIpset, testSet } from '../../../src/netfilter/ipset/index.js';
import { loadFixture } from './fixture.js';
import { dirsOf, packet, PROBES } from './probes.js';

const index = indexIpsets(loadFixture('membership-save.txt'));
const indexFromList = indexIpsets(loadFixture('membership-list.txt'));

describe('probes against membership-save.txt', () => {
  test.each(PROBES)('$name', ({ set, dirs, pkt, returnNomatch, want }) => {
    const answer = testSet(index, set, dirsOf(dirs), packet(pkt), { returnNomatch: returnNomatch ?? false });
    expect(answer.result, answer.reason).toBe(want);
  });
  test.each(PROBES)('same answer from the list form: $name', ({ set, dirs, pkt, returnNomatch, want }) => {
    expect(testSet(indexFromList, set, dirsOf(dirs), packet(pkt), { returnNomatch: returnNomatch ?? false }).result).toBe(want);
  });
});

describe('answers name the deciding element', () => {
  test('hash:ip,port entry with its location', () => {
    const a = testSet(index, 'SVC', ['dst', 'dst'], packet('udp 10.0.0.1:1 > 10.96.0.10:53'));
    expect(a).toMatchObject({ result: 'match', set: 'SVC', entry: { text: '10.96.0.10,udp:53', comment: 'kube-dns udp', loc: { file: 'fixtures/ipset/membership-save.txt', line: 9, column: 9 } } });
  });
  test('list:set reports the member set and its element', () => {
    const a = testSet(index, 'ANY', ['dst'], packet('udp 1.1.1.1:1 > 10.1.2.9:53'));
    expect(a).toMatchObject({ result: 'match', set: 'NETS', entry: { text: '10.1.2.0/24' } });
    expect(a.reason).toContain('member NETS of list:set ANY');
  });
  test('list:set with one dir skips SVC (two dimensions) and answers from NETS', () => {
    expect(testSet(index, 'ANY', ['dst'], packet('udp 1.1.1.1:1 > 10.96.0.10:53'))).toMatchObject({ result: 'match', set: 'NETS', entry: { text: '10.0.0.0/8' } });
  });
  test('nomatch element', () => {
    expect(testSet(index, 'NETS', ['dst'], packet('udp 1.1.1.1:1 > 10.1.9.9:53'))).toMatchObject({ result: 'nomatch-entry', entry: { text: '10.1.0.0/16', nomatch: true } });
  });
});

const UNKNOWN_TEXT = `create HOSTS hash:ip family inet hashsize 1024 maxelem 65536
add HOSTS 10.0.0.1
create MACS hash:mac hashsize 1024 maxelem 65536
add MACS 00:11:22:33:44:55
create L list:set size 8
add L GONE
add L HOSTS
create L2 list:set size 8
add L2 GONE
create NESTED list:set size 8
add NESTED L
create SVC hash:ip,port family inet hashsize 1024 maxelem 65536
add SVC 10.96.0.10,udp:53
add SVC 10.96.0.13,icmp:echo-request
create IF hash:net,iface family inet hashsize 1024 maxelem 65536
add IF 10.0.0.0/8,eth0
create NP bitmap:port range 0-65535
add NP 80
`;

describe('unknown and partial answers', () => {
  const idx = indexIpsets(parseIpset(UNKNOWN_TEXT, 'inline.txt'));
  const cases = [
    { name: 'set missing from the snapshot', set: 'NOPE', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'unknown', reason: 'ipset NOPE not in snapshot' },
    { name: 'unmodelled type', set: 'MACS', dirs: 'src', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'unknown', reason: 'MAC' },
    { name: 'unmodelled type, but too few dirs is still certain', set: 'MACS', dirs: '', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'no-match' },
    { name: 'list:set missing member before a match', set: 'L', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'match' },
    { name: 'list:set missing member and no match', set: 'L', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.2:80', want: 'unknown', reason: 'ipset GONE not in snapshot' },
    { name: 'list:set only a missing member', set: 'L2', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.2:80', want: 'unknown' },
    { name: 'list:set inside list:set', set: 'NESTED', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'unknown', reason: 'refuses' },
    { name: 'no destination port, set has udp elements', set: 'SVC', dirs: 'dst,dst', pkt: 'udp 1.1.1.1 > 10.96.0.10', want: 'unknown', reason: 'destination port' },
    { name: 'no destination port, set has no tcp elements', set: 'SVC', dirs: 'dst,dst', pkt: 'tcp 1.1.1.1 > 10.96.0.10', want: 'no-match' },
    { name: 'no ICMP type, set has icmp elements', set: 'SVC', dirs: 'dst,dst', pkt: 'icmp 1.1.1.1 > 10.96.0.13', want: 'unknown', reason: 'ICMP type' },
    { name: 'no output interface', set: 'IF', dirs: 'dst,dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'unknown', reason: 'output interface' },
    { name: 'no input interface', set: 'IF', dirs: 'dst,src', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80', want: 'unknown', reason: 'input interface' },
    { name: 'input interface given', set: 'IF', dirs: 'dst,src', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1:80 iif eth0', want: 'match' },
    { name: 'bitmap:port without the port', set: 'NP', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.1', want: 'unknown' },
  ];
  test.each(cases)('$name', ({ set, dirs, pkt, want, reason }) => {
    const a = testSet(idx, set, dirs === '' ? [] : dirsOf(dirs), packet(pkt));
    expect(a.result, a.reason).toBe(want);
    if (reason) expect(a.reason).toContain(reason);
  });
});

describe('hash:net,net and hash:net,port,net (format unverified on this kernel)', () => {
  const idx = indexIpsets(loadFixture('unverified-save.txt'));
  const cases = [
    { name: '/16,/24 beats /16,/16 nomatch', set: 'NETNET', dirs: 'src,dst', pkt: 'tcp 10.1.2.3:1 > 192.168.1.9:80', want: 'match' },
    { name: '/16,/16 nomatch beats /8,/16', set: 'NETNET', dirs: 'src,dst', pkt: 'tcp 10.1.2.3:1 > 192.168.7.9:80', want: 'nomatch-entry' },
    { name: '/8,/16', set: 'NETNET', dirs: 'src,dst', pkt: 'tcp 10.7.2.3:1 > 192.168.7.9:80', want: 'match' },
    { name: 'dirs swapped', set: 'NETNET', dirs: 'dst,src', pkt: 'tcp 10.7.2.3:1 > 192.168.7.9:80', want: 'no-match' },
    { name: 'net,port,net', set: 'NETPORTNET', dirs: 'src,dst,dst', pkt: 'tcp 10.7.2.3:1 > 192.168.7.9:80', want: 'match' },
    { name: 'net,port,net other port', set: 'NETPORTNET', dirs: 'src,dst,dst', pkt: 'tcp 10.7.2.3:1 > 192.168.7.9:81', want: 'no-match' },
  ];
  test.each(cases)('$name', ({ set, dirs, pkt, want }) => {
    const a = testSet(idx, set, dirsOf(dirs), packet(pkt));
    expect(a.result, a.reason).toBe(want);
  });
});

describe('per-packet cost does not grow with the set', () => {
  // 50 000 hosts and 2 000 nets over a handful of prefix lengths: a lookup tries one key per prefix length.
  const lines = ['create BIG hash:ip family inet hashsize 65536 maxelem 131072', 'create BIGNET hash:net family inet hashsize 4096 maxelem 65536'];
  for (let i = 0; i < 50_000; i++) lines.push(`add BIG 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  for (let i = 0; i < 2_000; i++) lines.push(`add BIGNET 172.${16 + (i % 4)}.${i & 255}.0/${24 - (i % 4)}`);
  const big = indexIpsets(parseIpset(lines.join('\n'), 'big.txt'));
  test('100 000 lookups stay fast', () => {
    const ip = (s: string) => parseIp(s)!;
    const start = performance.now();
    let hits = 0;
    for (let i = 0; i < 50_000; i++) {
      const pkt = { family: 4 as const, proto: 6, src: ip('1.1.1.1'), dst: ip(`10.0.${(i >> 8) & 255}.${i & 255}`), dport: 80 };
      if (testSet(big, 'BIG', ['dst'], pkt).result === 'match') hits++;
      if (testSet(big, 'BIGNET', ['dst'], { ...pkt, dst: ip(`172.17.${i & 255}.9`) }).result === 'match') hits++;
    }
    expect(hits).toBeGreaterThan(50_000);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});
