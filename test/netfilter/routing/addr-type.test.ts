import { describe, expect, test } from 'vitest';
import { parseIp, type Ip } from '../../../src/netfilter/cidr.js';
import type { HostNetwork } from '../../../src/netfilter/host.js';
import type { AddrType } from '../../../src/netfilter/model.js';
import {
  addressType, buildHostNetwork, matchAddrType, parseIpAddrJson, parseIpRouteJson,
} from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

function node(name: string): HostNetwork {
  const addr = hostFixture(`${name}-addr.json`);
  const route = hostFixture(`${name}-route.json`);
  return buildHostNetwork(parseIpAddrJson(addr.text, addr.file), parseIpRouteJson(route.text, route.file));
}
const ip = (text: string): Ip => parseIp(text)!;
const nets: Record<string, HostNetwork> = { calico: node('calico-node'), lab: node('lab') };

describe('addressType', () => {
  const cases: { net: string; addr: string; dev?: string; want: AddrType }[] = [
    { net: 'calico', addr: '10.10.4.142', want: 'LOCAL' },
    { net: 'calico', addr: '10.10.4.142', dev: 'eth0', want: 'LOCAL' },
    { net: 'calico', addr: '10.10.4.142', dev: 'tunl0', want: 'UNICAST' }, // --limit-iface: another device's address
    { net: 'calico', addr: '10.233.98.0', dev: 'tunl0', want: 'LOCAL' },
    { net: 'calico', addr: '127.0.0.9', want: 'LOCAL' },
    { net: 'calico', addr: '127.0.0.9', dev: 'lo', want: 'LOCAL' },
    { net: 'calico', addr: '127.0.0.9', dev: 'eth0', want: 'UNICAST' },
    { net: 'calico', addr: '10.10.4.255', want: 'BROADCAST' },
    { net: 'calico', addr: '255.255.255.255', want: 'BROADCAST' },
    // inet_addr_type(): 0.0.0.0/8 is BROADCAST, never UNSPEC.
    { net: 'calico', addr: '0.0.0.0', want: 'BROADCAST' },
    { net: 'calico', addr: '0.1.2.3', want: 'BROADCAST' },
    { net: 'calico', addr: '224.0.0.1', want: 'MULTICAST' },
    { net: 'calico', addr: '8.8.8.8', want: 'UNICAST' },
    // A blackhole/prohibit lookup fails inside fib_table_lookup: the type stays UNICAST.
    { net: 'calico', addr: '10.233.98.77', want: 'UNICAST' },
    { net: 'lab', addr: '10.98.0.1', want: 'UNICAST' },
    { net: 'lab', addr: '10.100.0.1', want: 'LOCAL' }, // `local 10.96.0.0/12 dev lo table local`
    { net: 'lab', addr: '10.100.0.1', dev: 'lo', want: 'LOCAL' },
    { net: 'lab', addr: '10.10.4.200', dev: 'eth0', want: 'LOCAL' }, // a secondary address
    // IPv6: a representative of the set match_type6 works with.
    { net: 'calico', addr: '::', want: 'UNSPEC' },
    { net: 'calico', addr: 'ff02::1', want: 'MULTICAST' },
    { net: 'calico', addr: '::1', want: 'LOCAL' },
    { net: 'calico', addr: '2001:db8::5', want: 'UNREACHABLE' }, // no IPv6 route at all
    { net: 'lab', addr: '2001:db8::1', want: 'LOCAL' },
    { net: 'lab', addr: '2001:db8::1', dev: 'eth1', want: 'UNICAST' },
    { net: 'lab', addr: '2001:db8::77', want: 'UNICAST' },
    { net: 'lab', addr: '2001:db8::', want: 'ANYCAST' }, // subnet-router anycast of 2001:db8::/64
    { net: 'lab', addr: '2001:db8:dead::1', want: 'UNREACHABLE' }, // IPv6 blackhole is a reject route
  ];
  test.each(cases)('$net $addr dev=$dev → $want', ({ net, addr, dev, want }) => {
    expect(addressType(nets[net]!, ip(addr), dev)).toBe(want);
  });

  // Checked on 6.18 with `-m addrtype` counters: a `local` route in main makes an address LOCAL
  // while local and main are merged, but not once a custom rule splits them.
  test('a local route in main counts only while local and main are merged', () => {
    const routes = parseIpRouteJson('[{"type":"local","dst":"10.57.0.0/16","dev":"lo","table":"main","scope":"host","flags":[]}]', 'r.json');
    const net = buildHostNetwork([], routes);
    expect(addressType(net, ip('10.57.0.1'))).toBe('LOCAL');
    expect(addressType(net, ip('10.57.0.1'), undefined, { hasCustomRules: true })).toBe('UNICAST');
  });
});

describe('matchAddrType', () => {
  const cases: { net: string; addr: string; types: AddrType[]; dev?: string; want: boolean }[] = [
    { net: 'calico', addr: '10.10.4.142', types: ['LOCAL'], want: true },
    { net: 'calico', addr: '10.10.4.142', types: ['UNICAST', 'BROADCAST'], want: false },
    { net: 'calico', addr: '10.233.98.77', types: ['BLACKHOLE'], want: false },
    { net: 'calico', addr: '10.233.98.77', types: ['UNICAST'], want: true },
    { net: 'calico', addr: '0.0.0.0', types: ['UNSPEC'], want: false },
    // IPv6: the listed classes must all hold, and the lookup must give one of LOCAL/ANYCAST/UNREACHABLE.
    { net: 'lab', addr: '2001:db8::1', types: ['LOCAL'], want: true },
    { net: 'lab', addr: '2001:db8::1', types: ['UNICAST'], want: true },
    { net: 'lab', addr: '2001:db8::1', types: ['UNICAST', 'LOCAL'], want: true },
    { net: 'lab', addr: '2001:db8::1', types: ['MULTICAST', 'LOCAL'], want: false },
    { net: 'lab', addr: '2001:db8::1', types: ['LOCAL'], dev: 'eth0', want: true },
    { net: 'lab', addr: '2001:db8::1', types: ['LOCAL'], dev: 'eth1', want: false },
    { net: 'lab', addr: '2600::1', types: ['LOCAL'], want: false },
    { net: 'lab', addr: '2600::1', types: ['UNREACHABLE'], want: false },
    { net: 'calico', addr: '2600::1', types: ['UNREACHABLE'], want: true },
    { net: 'calico', addr: '::', types: ['UNSPEC'], want: true },
    { net: 'calico', addr: 'ff02::1', types: ['MULTICAST'], want: true },
  ];
  test.each(cases)('$net $addr $types dev=$dev → $want', ({ net, addr, types, dev, want }) => {
    expect(matchAddrType(nets[net]!, ip(addr), types, dev)).toBe(want);
  });
});
