import { describe, expect, test } from 'vitest';
import { parseIp } from '../../../src/netfilter/cidr.js';
import type { HostNetwork } from '../../../src/netfilter/host.js';
import { buildHostNetwork, parseIpAddrJson, selectRedirectAddress } from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

const nets: Record<string, HostNetwork> = Object.fromEntries(['calico-node', 'aws-node', 'lab'].map((n) => {
  const addr = hostFixture(`${n}-addr.json`);
  return [n, buildHostNetwork(parseIpAddrJson(addr.text, addr.file), undefined)];
}));

describe('selectRedirectAddress', () => {
  const cases: { net: string; dev: string | undefined; family: 4 | 6; dst?: string; ip: string | undefined }[] = [
    { net: 'lab', dev: undefined, family: 4, ip: '127.0.0.1' },
    { net: 'lab', dev: undefined, family: 6, ip: '::1' },
    { net: 'lab', dev: 'eth0', family: 4, ip: '10.10.4.142' },
    { net: 'aws-node', dev: 'eth0', family: 4, ip: '10.0.1.10' }, // primaries come before secondaries
    { net: 'calico-node', dev: 'tunl0', family: 4, ip: '10.233.98.0' },
    { net: 'calico-node', dev: 'calie1a2b3c4d5e', family: 4, ip: undefined }, // no address: dropped
    { net: 'lab', dev: 'eth0', family: 6, dst: '2001:db8::1', ip: '2001:db8::1' },
    { net: 'lab', dev: 'eth0', family: 6, dst: 'fe80::ff:fe00:10', ip: 'fe80::ff:fe00:10' }, // same scope only
    { net: 'calico-node', dev: 'calie1a2b3c4d5e', family: 6, dst: '2600::1', ip: 'fe80::ecee:eeff:feee:eeee' },
    { net: 'calico-node', dev: 'tunl0', family: 6, dst: '2600::1', ip: undefined },
  ];
  test.each(cases)('$net in on $dev (IPv$family, dst $dst) → $ip', ({ net, dev, family, dst, ip }) => {
    const got = selectRedirectAddress(nets[net]!, dev, family, dst === undefined ? undefined : parseIp(dst));
    expect(got.ip).toBe(ip);
    expect(got.isKnown).toBe(true);
  });

  test('says why', () => {
    expect(selectRedirectAddress(nets['calico-node']!, 'calie1a2b3c4d5e', 4).how).toBe('calie1a2b3c4d5e has no IPv4 address: REDIRECT drops the packet');
    expect(selectRedirectAddress(nets['lab']!, 'eth0', 4).how).toBe('first IPv4 address of eth0, where the packet came in');
    expect(selectRedirectAddress(nets['lab']!, 'nope', 4).isKnown).toBe(false);
  });
});
