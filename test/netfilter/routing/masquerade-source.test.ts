import { describe, expect, test } from 'vitest';
import { parseIp } from '../../../src/netfilter/cidr.js';
import type { HostNetwork, Interface } from '../../../src/netfilter/host.js';
import {
  buildHostNetwork, lookupRoute, parseIpAddrJson, parseIpRouteJson, selectMasqueradeSource,
} from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

function node(name: string): HostNetwork {
  const addr = hostFixture(`${name}-addr.json`);
  const route = hostFixture(`${name}-route.json`);
  return buildHostNetwork(parseIpAddrJson(addr.text, addr.file), parseIpRouteJson(route.text, route.file));
}
const calico = node('calico-node');
const nets: Record<string, HostNetwork> = {
  calico,
  // The same node with tunl0 created before eth0: the fallback answer changes with the order.
  'calico-tunl0-first': { ...calico, interfaces: [calico.interfaces[0]!, calico.interfaces[2]!, calico.interfaces[1]!, ...calico.interfaces.slice(3)] },
  aws: node('aws-node'),
  lab: node('lab'),
  'host-scope-only': buildHostNetwork([
    { name: 'lo', ifindex: 1, flags: ['LOOPBACK', 'UP'], addrs: [{ family: 4, local: '127.0.0.1', prefixlen: 8, scope: 'host', secondary: false }] },
    { name: 'kube-ipvs0', ifindex: 2, flags: ['BROADCAST', 'NOARP'], addrs: [{ family: 4, local: '10.96.0.1', prefixlen: 32, scope: 'host', secondary: false }] },
    { name: 'eth0', ifindex: 3, flags: ['UP'], addrs: [{ family: 4, local: '169.254.1.1', prefixlen: 16, scope: 'link', secondary: false }] },
  ] satisfies Interface[], undefined),
};

describe('selectMasqueradeSource (IPv4: inet_select_addr)', () => {
  const cases = [
    { net: 'calico', dev: 'tunl0', nexthop: '10.10.4.141', ip: '10.233.98.0', how: 'primary address of tunl0 (no subnet of tunl0 holds next hop 10.10.4.141)' },
    {
      net: 'calico', dev: 'calie1a2b3c4d5e', nexthop: '10.233.98.39', ip: '10.10.4.142',
      how: 'calie1a2b3c4d5e has no primary global IPv4 address; first global address in interface order: eth0 10.10.4.142',
    },
    { net: 'calico-tunl0-first', dev: 'calie1a2b3c4d5e', nexthop: '10.233.98.39', ip: '10.233.98.0' },
    { net: 'calico', dev: 'eth0', nexthop: '10.10.4.1', ip: '10.10.4.142', how: "primary address of eth0 on next hop 10.10.4.1's subnet 10.10.4.0/24" },
    { net: 'aws', dev: 'eth0', nexthop: '10.0.1.1', ip: '10.0.1.10' }, // secondaries 10.0.1.20/.21 are never picked
    { net: 'aws', dev: 'eni3c1f0a9b2d4', nexthop: '10.0.1.77', ip: '10.0.1.10' },
    { net: 'aws', dev: 'eth1', nexthop: '10.0.1.1', ip: '10.0.1.50' },
    { net: 'lab', dev: 'eth0', nexthop: '192.168.50.9', ip: '192.168.50.1' }, // second primary, matching subnet
    { net: 'lab', dev: 'eth0', nexthop: '8.8.8.8', ip: '10.10.4.142' }, // no subnet matches: first primary
    { net: 'lab', dev: 'ptp0', nexthop: '10.1.1.2', ip: '10.1.1.1' }, // matched on the peer's subnet
    { net: 'lab', dev: 'lo', nexthop: '127.0.0.2', ip: '10.10.4.142' }, // 127.0.0.1 is scope host
    { net: 'host-scope-only', dev: 'kube-ipvs0', nexthop: '10.96.0.1', ip: undefined, how: 'no interface has a primary global IPv4 address: MASQUERADE drops the packet ("kube-ipvs0 ate my IP address")' },
  ];
  test.each(cases)('$net via $dev to $nexthop → $ip', ({ net, dev, nexthop, ip, how }) => {
    const got = selectMasqueradeSource(nets[net]!, dev, parseIp(nexthop)!);
    expect(got.ip).toBe(ip);
    expect(got.isKnown).toBe(true);
    if (how) expect(got.how).toBe(how);
  });

  test('a device missing from the dump gives no answer, and says so', () => {
    expect(selectMasqueradeSource(calico, 'cali0000', parseIp('10.233.98.50')!)).toEqual({
      how: 'cali0000 is not in the address dump, so its addresses are unknown', isKnown: false,
    });
  });

  test('the next hop comes from the route: a pod reached through tunl0 gets tunl0\'s address', () => {
    const r = lookupRoute(calico, parseIp('10.233.110.7')!);
    if (r.kind !== 'unicast') throw new Error(`expected unicast, got ${r.kind}`);
    expect(selectMasqueradeSource(calico, r.dev!, parseIp(r.gateway!)!).ip).toBe('10.233.98.0');
  });
});

describe('selectMasqueradeSource (IPv6: source address selection)', () => {
  const cases = [
    { net: 'lab', dev: 'eth0', dst: '2600::1', ip: '2001:db8::1' },
    { net: 'lab', dev: 'eth1', dst: '2600::1', ip: 'fd00:1::5' }, // rule 5: the outgoing interface's
    { net: 'lab', dev: 'eth0', dst: 'fd00:1::9', ip: '2001:db8::1' }, // rule 5 comes before the label rule
    { net: 'lab', dev: 'eth0', dst: 'fe80::99', ip: 'fe80::ff:fe00:10' }, // link-local: only eth0's, scope wins
    { net: 'lab', dev: 'eth1', dst: 'ff02::1', ip: 'fe80::ff:fe00:11' },
    { net: 'calico', dev: 'calie1a2b3c4d5e', dst: '2600::1', ip: 'fe80::ecee:eeff:feee:eeee' },
    { net: 'aws', dev: 'eth0', dst: '2001:db8::1', ip: 'fe80::858:3cff:fe10:a' },
  ];
  test.each(cases)('$net via $dev to $dst → $ip', ({ net, dev, dst, ip }) => {
    expect(selectMasqueradeSource(nets[net]!, dev, parseIp(dst)!).ip).toBe(ip);
  });

  test('rule 8: the longest matching prefix decides between two global addresses on the device', () => {
    const net = buildHostNetwork([{
      name: 'eth0', ifindex: 2, flags: ['UP'], addrs: [
        { family: 6, local: '2001:db8:1::10', prefixlen: 64, scope: 'global', secondary: false },
        { family: 6, local: '2001:db8:2::10', prefixlen: 64, scope: 'global', secondary: false },
      ],
    }], undefined);
    expect(selectMasqueradeSource(net, 'eth0', parseIp('2001:db8:2::99')!).ip).toBe('2001:db8:2::10');
    expect(selectMasqueradeSource(net, 'eth0', parseIp('2600::1')!).ip).toBe('2001:db8:1::10'); // tie: first
  });
});
