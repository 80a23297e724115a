import { describe, expect, test } from 'vitest';
import { parseIpset, IPSET_TYPES } from '../../../src/netfilter/ipset/index.js';
import type { IpsetMap, IpsetType } from '../../../src/netfilter/model.js';
import { loadFixture } from './fixture.js';

/** A set without what legitimately differs between a save and a later list: locations and timeouts. */
function comparable(map: IpsetMap) {
  return [...map.values()].map((s) => ({
    name: s.name, type: s.type, family: s.family, range: s.range, addrMask: s.addrMask, unmodelled: s.unmodelled, options: s.options,
    entries: s.entries
      .map(({ loc: _loc, timeout: _timeout, ...rest }) => rest)
      .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)),
  })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

const PAIRS = [
  ['kube-proxy-save.txt', 'kube-proxy-list.txt'],
  ['membership-save.txt', 'membership-list.txt'],
  ['extras-save.txt', 'extras-list.txt'],
  ['unverified-save.txt', 'unverified-list.txt'],
] as const;

describe('save and list forms hold the same sets', () => {
  test.each(PAIRS)('%s = %s', (save, list) => {
    expect(comparable(loadFixture(list))).toEqual(comparable(loadFixture(save)));
  });
  test('every type appears in both forms', () => {
    const types = (names: readonly string[]) => new Set(names.flatMap((n) => [...loadFixture(n).values()].map((s) => s.type)));
    const all = Object.keys(IPSET_TYPES) as IpsetType[];
    expect([...types(PAIRS.map((p) => p[0]))].sort()).toEqual([...all].sort());
    expect([...types(PAIRS.map((p) => p[1]))].sort()).toEqual([...all].sort());
  });
});

describe('sets', () => {
  const kp = loadFixture('kube-proxy-save.txt');
  const m = loadFixture('membership-save.txt');
  const x = loadFixture('extras-save.txt');
  const u = loadFixture('unverified-save.txt');
  const cases = [
    { name: 'kube-proxy cluster IPs', map: kp, set: 'KUBE-CLUSTER-IP', want: { type: 'hash:ip,port', family: 4, options: ['family', 'inet', 'hashsize', '1024', 'maxelem', '65536', 'comment', 'bucketsize', '12', 'initval', '0xeeeb8a55'] }, entries: 7 },
    { name: 'kube-proxy node ports', map: kp, set: 'KUBE-NODE-PORT-TCP', want: { type: 'bitmap:port', family: 'any', range: { from: 0, to: 65535 } }, entries: 3 },
    { name: 'kube-proxy empty set', map: kp, set: 'KUBE-EXTERNAL-IP-LOCAL', want: { type: 'hash:ip,port' }, entries: 0 },
    { name: 'kube-proxy hairpin', map: kp, set: 'KUBE-LOOP-BACK', want: { type: 'hash:ip,port,ip', loc: { file: 'fixtures/ipset/kube-proxy-save.txt', line: 37, column: 1 } }, entries: 4 },
    { name: 'netmask 24 becomes a mask', map: m, set: 'SUBNET24', want: { addrMask: 0xffffff00n }, entries: 1 },
    { name: 'bitmask stays a mask', map: m, set: 'BITMASK', want: { addrMask: 0xffff00ffn }, entries: 1 },
    { name: 'bitmap:ip netmask', map: m, set: 'PODS', want: { type: 'bitmap:ip', family: 4, addrMask: 0xffffff00n }, entries: 1 },
    { name: 'small bitmap:port range', map: m, set: 'SMALLRANGE', want: { range: { from: 30000, to: 32767 } }, entries: 1 },
    { name: 'IPv6 hash:ip netmask 64', map: x, set: 'MASK6', want: { family: 6, addrMask: 0xffffffffffffffff0000000000000000n }, entries: 1 },
    { name: 'list:set has no family', map: x, set: 'LIST', want: { type: 'list:set', family: 'any' }, entries: 2 },
    { name: 'hash:mac is kept but unmodelled', map: u, set: 'MACS', want: { type: 'hash:mac', family: 'any', unmodelled: expect.stringContaining('MAC') }, entries: 1 },
    { name: 'hash:ip,mark is kept but unmodelled', map: u, set: 'MARKS', want: { unmodelled: expect.stringContaining('mark') }, entries: 1 },
    { name: 'bitmap:ip,mac is IPv4 and unmodelled', map: u, set: 'BIPMAC', want: { family: 4, unmodelled: expect.any(String) }, entries: 2 },
    { name: 'hash:net,net', map: u, set: 'NETNET', want: { type: 'hash:net,net' }, entries: 3 },
  ];
  test.each(cases)('$name', ({ map, set, want, entries }) => {
    const s = map.get(set);
    expect(s).toMatchObject(want);
    expect(s?.entries).toHaveLength(entries);
  });
  test('modelled types carry no unmodelled reason', () => {
    expect(u.get('NETNET')).not.toHaveProperty('unmodelled');
    expect(kp.get('KUBE-CLUSTER-IP')).not.toHaveProperty('unmodelled');
  });
  test('kube-proxy dump has all 16 sets in dump order', () => {
    expect([...kp.keys()]).toHaveLength(16);
    expect([...kp.keys()][0]).toBe('KUBE-LOAD-BALANCER-SOURCE-CIDR');
  });
});

describe('format detection and layout', () => {
  const cases = [
    { name: 'empty text', text: '', sets: [] },
    { name: 'blank lines only', text: '\n\n  \n', sets: [] },
    { name: 'comments and blank lines in save (ipset restore skips them)', text: '# saved\n\ncreate A hash:ip\n  add A 10.0.0.1\n', sets: ['A'] },
    { name: 'CRLF line ends', text: 'create A hash:ip family inet\r\nadd A 10.0.0.1 \r\n', sets: ['A'] },
    { name: 'tabs between words', text: 'create A\thash:ip\tfamily\tinet6\nadd A fd00::1\n', sets: ['A'] },
    { name: 'list without a trailing blank line', text: 'Name: A\nType: hash:ip\nHeader: family inet\nMembers:\n10.0.0.1', sets: ['A'] },
    { name: 'list with several blank lines between sets', text: 'Name: A\nType: hash:ip\nMembers:\n\n\nName: B\nType: hash:ip\nMembers:\n', sets: ['A', 'B'] },
    { name: 'unknown list fields are skipped', text: 'Name: A\nType: hash:ip\nRevision: 6\nFuture field: 7\nMembers:\n', sets: ['A'] },
  ];
  test.each(cases)('$name', ({ text, sets }) => {
    expect([...parseIpset(text, 'x.txt').keys()]).toEqual(sets);
  });
  test('terse list (ipset list -t) keeps the set, marked unmodelled', () => {
    const map = parseIpset('Name: A\nType: hash:ip\nHeader: family inet\nNumber of entries: 3\n\nName: B\nType: bitmap:port\nHeader: range 0-65535\n', 'x.txt');
    expect(map.get('A')).toMatchObject({ entries: [], unmodelled: expect.stringContaining('Members:') });
    expect(map.get('B')).toMatchObject({ range: { from: 0, to: 65535 }, unmodelled: expect.any(String) });
  });
  test('old ipset list: no entry count, protocols as numbers', () => {
    const s = loadFixture('old-list.txt').get('KUBE-CLUSTER-IP')!;
    expect(s.entries.map((e) => e.port)).toEqual([{ proto: 17, port: 53 }, { proto: 6, port: 443 }, { proto: 6, port: 53 }, { proto: 132, port: 80 }]);
    expect(loadFixture('old-list.txt').get('KUBE-NODE-PORT-TCP')?.entries[0]).toMatchObject({ port: { proto: 0, port: 30080 }, loc: { line: 20, column: 1 } });
  });
});
