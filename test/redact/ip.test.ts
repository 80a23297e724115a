import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseIp } from '../../src/netfilter/cidr.js';
import { createIpMapper, mapAddressText } from '../../src/redact/index.js';

const m = createIpMapper('test-salt');
const map = (s: string): string => mapAddressText(m, s)!;

function commonPrefix(a: bigint, b: bigint, bits: number): number {
  let n = 0;
  while (n < bits && ((a >> BigInt(bits - 1 - n)) & 1n) === ((b >> BigInt(bits - 1 - n)) & 1n)) n++;
  return n;
}

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));

describe('prefix-preserving and one-to-one (Crypto-PAn property)', () => {
  test.each([['IPv4', v4, 32], ['IPv6', v6, 128]] as const)('%s: two addresses share exactly as many leading bits after as before', (_n, arb, bits) => {
    fc.assert(fc.property(arb, arb, (a, b) => {
      const [pa, pb] = [parseIp(a)!, parseIp(b)!];
      const [qa, qb] = [parseIp(map(a))!, parseIp(map(b))!];
      expect(commonPrefix(qa.value, qb.value, bits)).toBe(commonPrefix(pa.value, pb.value, bits));
    }), { numRuns: 300 });
  });

  test('consistent: the same address always maps the same way; another salt maps it elsewhere', () => {
    expect(map('10.0.1.5')).toBe(map('10.0.1.5'));
    expect(mapAddressText(createIpMapper('other'), '10.0.1.5')).not.toBe(map('10.0.1.5'));
  });
});

describe('special-purpose blocks', () => {
  test.each([
    '127.0.0.1', '127.0.0.0/8', '0.0.0.0', '0.0.0.0/0', '255.255.255.255', '255.255.255.0', '169.254.169.254', '224.0.0.1',
    '192.0.2.7', '198.51.100.0/24', '203.0.113.10', '::', '::/0', '::1', '::1/128', 'ff02::1', '2001:db8::5',
  ])('%s stays', (a) => expect(map(a)).toBe(a));

  test.each([
    ['10.0.1.5', /^10\./], ['172.16.5.4', /^172\.(1[6-9]|2\d|3[01])\./], ['192.168.0.2', /^192\.168\./], ['100.64.3.3', /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./],
    ['fd00::1', /^f[cd]/], ['fe80::1c2:3ff:fe04:506', /^fe[89ab]/],
  ])('private %s stays in its block', (a, re) => {
    expect(map(a)).toMatch(re);
    expect(map(a)).not.toBe(a);
  });

  test('a public address never lands in a special block', () => {
    const blocks = [/^0\./, /^10\./, /^127\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./, /^2(2[4-9]|[3-5]\d)\./];
    fc.assert(fc.property(v4, (a) => {
      fc.pre(!blocks.some((b) => b.test(a)) && !/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./.test(a) && !/^198\.1[89]\./.test(a));
      expect(blocks.some((b) => b.test(map(a)))).toBe(false);
    }), { numRuns: 500 });
  });
});

describe('forms', () => {
  test('a CIDR keeps its length and stays a network address of the mapped prefix', () => {
    const net = map('10.244.1.0/24');
    expect(net).toMatch(/^10\.\d+\.\d+\.0\/24$/);
    expect(map('10.244.1.77').startsWith(net.slice(0, net.lastIndexOf('.') + 1))).toBe(true);
  });

  test('an interface address with its prefix keeps its host part', () => {
    expect(map('10.0.1.10/24')).toBe(`${map('10.0.1.10')}/24`);
  });

  test('IPv4-mapped IPv6 maps its IPv4 part; a zone stays', () => {
    expect(map('::ffff:10.0.1.5')).toBe(`::ffff:${map('10.0.1.5')}`);
    expect(map('fe80::1%eth0')).toMatch(/%eth0$/);
  });

  test('not an address: undefined', () => {
    expect(mapAddressText(m, '10.0.1')).toBeUndefined();
    expect(mapAddressText(m, '12:34:56')).toBeUndefined();
  });
});
