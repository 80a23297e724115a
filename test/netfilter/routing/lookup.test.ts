import { describe, expect, test } from 'vitest';
import { parseIp, type Ip } from '../../../src/netfilter/cidr.js';
import type { HostNetwork } from '../../../src/netfilter/host.js';
import {
  buildHostNetwork, isLocalAddress, lookupRoute, parseIpAddrJson, parseIpRouteJson, type LookupOptions, type RouteLookup,
} from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

function node(name: string): HostNetwork {
  const addr = hostFixture(`${name}-addr.json`);
  const route = hostFixture(`${name}-route.json`);
  return buildHostNetwork(parseIpAddrJson(addr.text, addr.file), parseIpRouteJson(route.text, route.file));
}
const ip = (text: string): Ip => parseIp(text)!;

/** The lookup in a form that reads well in a table: kind, the route text, and dev/gateway. */
function summary(r: RouteLookup) {
  if (r.kind === 'none') return { kind: 'none' };
  const base = { kind: r.kind, route: r.route?.text };
  if (r.kind !== 'unicast') return base;
  return { ...base, dev: r.dev, gateway: r.gateway, paths: r.nexthops.map((n) => `${n.gateway ?? '-'}@${n.dev ?? '-'}×${n.weight}`) };
}

describe('lookupRoute on a Calico node', () => {
  const net = node('calico-node');
  const cases = [
    { dst: '10.233.110.5', want: { kind: 'unicast', dev: 'tunl0', gateway: '10.10.4.141', route: '10.233.110.0/24 via 10.10.4.141 dev tunl0 proto bird onlink' } },
    { dst: '10.233.98.39', want: { kind: 'unicast', dev: 'calie1a2b3c4d5e', gateway: undefined, paths: ['-@calie1a2b3c4d5e×1'] } },
    { dst: '10.233.98.77', want: { kind: 'blackhole', route: 'blackhole 10.233.98.0/24 proto bird' } },
    { dst: '10.233.98.0', want: { kind: 'local', route: 'local 10.233.98.0 dev tunl0 table local proto kernel scope host src 10.233.98.0' } },
    { dst: '10.10.4.142', want: { kind: 'local' } },
    { dst: '10.10.4.255', want: { kind: 'broadcast' } },
    { dst: '10.10.4.7', want: { kind: 'unicast', dev: 'eth0', gateway: undefined } },
    { dst: '8.8.8.8', want: { kind: 'unicast', dev: 'eth0', gateway: '10.10.4.1' } },
    { dst: '127.0.0.5', want: { kind: 'local', route: 'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1' } },
    { dst: '255.255.255.255', want: { kind: 'broadcast', route: undefined } },
    { dst: '224.0.0.5', want: { kind: 'multicast' } },
    { dst: '::1', want: { kind: 'local' } },
    { dst: 'fe80::1', want: { kind: 'unicast', dev: 'eth0' } },
    { dst: 'ff02::1', want: { kind: 'multicast' } },
    { dst: '2001:db8::1', want: { kind: 'none' } },
  ];
  test.each(cases)('$dst', ({ dst, want }) => expect(summary(lookupRoute(net, ip(dst)))).toMatchObject(want));
});

describe('lookupRoute on the lab dump', () => {
  const net = node('lab');
  const cases: { dst: string; opts?: LookupOptions; want: object }[] = [
    { dst: '10.50.1.1', want: { kind: 'unicast', dev: undefined, paths: ['10.10.4.1@eth0×1', '172.16.0.1@eth1×3'] } },
    { dst: '10.51.1.1', want: { kind: 'unicast', gateway: '172.16.0.7', dev: 'eth1' } }, // metric 10 beats 20
    { dst: '10.51.3.1', want: { kind: 'unicast', gateway: '10.10.4.8' } }, // the /24 beats both /16s
    { dst: '10.97.0.1', want: { kind: 'none' } }, // throw, and no table default
    { dst: '10.98.0.1', want: { kind: 'prohibit' } },
    { dst: '10.99.0.1', want: { kind: 'unreachable' } },
    { dst: '10.60.0.1', want: { kind: 'unicast', gateway: '10.10.4.1' } }, // table 100 has no rule
    { dst: '10.60.0.1', opts: { table: '100' }, want: { kind: 'unicast', gateway: '10.10.4.7' } },
    { dst: '10.61.0.1', opts: { table: '100' }, want: { kind: 'none' } },
    { dst: '10.100.0.1', want: { kind: 'local', route: 'local 10.96.0.0/12 dev lo table local scope host' } },
    { dst: '10.1.1.2', want: { kind: 'unicast', dev: 'ptp0' } },
    { dst: '10.44.0.9', want: { kind: 'unicast', gateway: '2001:db8::2', dev: 'eth0' } },
    { dst: '1.1.1.1', want: { kind: 'unicast', gateway: '10.10.4.1', dev: 'eth0' } }, // metric 100 beats 200
    { dst: '2001:db8:5::1', want: { kind: 'unicast', paths: ['2001:db8::2@eth0×1', '2001:db8::3@eth0×1'] } },
    { dst: '2001:db8:dead::1', want: { kind: 'blackhole' } },
    { dst: '2001:db8::1', want: { kind: 'local' } },
    { dst: '2001:db8::77', want: { kind: 'unicast', dev: 'eth0', gateway: undefined } },
    { dst: '2600::1', want: { kind: 'unicast', gateway: '2001:db8::fffe' } },
  ];
  test.each(cases)('$dst $opts', ({ dst, opts, want }) => expect(summary(lookupRoute(net, ip(dst), opts))).toMatchObject(want));
});

// Mirrors a namespace check on 6.18: with only the default rules the kernel merges local and main
// into one trie; one extra `ip rule` splits them and local is searched first.
describe('lookupRoute: merged local+main trie vs custom rules', () => {
  const routes = parseIpRouteJson(JSON.stringify([
    { type: 'local', dst: '10.57.0.0/16', dev: 'lo', table: 'local', scope: 'host', flags: [] },
    { dst: '10.57.1.0/24', gateway: '192.168.77.2', dev: 'va', flags: [] },
    { type: 'throw', dst: '10.60.0.0/16', table: 'local', flags: [] },
    { dst: '10.60.0.0/16', gateway: '192.168.77.3', dev: 'va', flags: [] },
    { type: 'throw', dst: '10.61.0.0/16', flags: [] },
    { dst: '10.61.0.0/16', gateway: '192.168.77.4', dev: 'va', table: 'default', flags: [] },
    { type: 'blackhole', dst: '10.70.0.0/16', flags: [] },
    { dst: '10.0.0.0/8', gateway: '192.168.77.9', dev: 'va', table: 'default', flags: [] },
  ]), 'inline.json');
  const net = buildHostNetwork([], routes);
  const cases = [
    { dst: '10.57.1.5', merged: 'unicast via 192.168.77.2', custom: 'local' },
    { dst: '10.57.2.5', merged: 'local', custom: 'local' },
    { dst: '10.60.0.1', merged: 'unicast via 192.168.77.9', custom: 'unicast via 192.168.77.3' },
    { dst: '10.61.0.1', merged: 'unicast via 192.168.77.4', custom: 'unicast via 192.168.77.4' },
    // An error route is final: table default is not consulted (checked with `ip route get`).
    { dst: '10.70.0.1', merged: 'blackhole', custom: 'blackhole' },
  ];
  const show = (r: RouteLookup) => (r.kind === 'unicast' ? `unicast via ${r.gateway}` : r.kind);
  test.each(cases)('$dst', ({ dst, merged, custom }) => {
    expect(show(lookupRoute(net, ip(dst)))).toBe(merged);
    expect(show(lookupRoute(net, ip(dst), { hasCustomRules: true }))).toBe(custom);
  });
});

describe('isLocalAddress', () => {
  const calico = node('calico-node');
  const derived = buildHostNetwork(calico.interfaces, undefined);
  const cases = [
    { addr: '10.10.4.142', want: true },
    { addr: '10.233.98.0', want: true },
    { addr: '127.0.0.1', want: true },
    { addr: '127.255.0.9', want: true }, // all of 127/8 via `local 127.0.0.0/8 dev lo`
    { addr: '10.233.98.39', want: false }, // a pod behind a cali veth
    { addr: '10.10.4.255', want: false }, // broadcast, not local
    { addr: '::1', want: true },
    { addr: 'fe80::ecee:eeff:feee:eeee', want: true },
    { addr: '10.10.4.141', want: false },
  ];
  test.each(cases)('$addr → $want (route dump)', ({ addr, want }) => expect(isLocalAddress(calico, ip(addr))).toBe(want));
  test.each(cases)('$addr → $want (routes derived from addresses)', ({ addr, want }) => expect(isLocalAddress(derived, ip(addr))).toBe(want));
});
