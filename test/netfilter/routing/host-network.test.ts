import { describe, expect, test } from 'vitest';
import { buildHostNetwork, parseIpAddrJson, parseIpRouteJson } from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

function load(node: string) {
  const addr = hostFixture(`${node}-addr.json`);
  const route = hostFixture(`${node}-route.json`);
  return { interfaces: parseIpAddrJson(addr.text, addr.file), routes: parseIpRouteJson(route.text, route.file) };
}

describe('buildHostNetwork', () => {
  test('with a route dump, keeps it as is', () => {
    const { interfaces, routes } = load('calico-node');
    const net = buildHostNetwork(interfaces, routes);
    expect(net).toEqual({ interfaces, routes, hasRouteDump: true });
  });

  // The kernel's own routes (proto kernel) in each real dump are exactly what the addresses imply.
  test.each(['calico-node', 'aws-node', 'lab'])('%s: routes derived from addresses = the dump\'s proto kernel routes', (node) => {
    const { interfaces, routes } = load(node);
    const derived = buildHostNetwork(interfaces, undefined);
    expect(derived.hasRouteDump).toBe(false);
    const texts = (rs: readonly { text: string }[]) => rs.map((r) => r.text.replace(/ pref medium/, '')).sort();
    expect(texts(derived.routes)).toEqual(texts(routes.filter((r) => r.protocol === 'kernel')));
  });

  const cases = [
    {
      name: 'a link that is down keeps only the local route',
      links: [{ ifindex: 2, name: 'eth9', flags: ['BROADCAST', 'MULTICAST'], addrs: [{ family: 4 as const, local: '10.9.9.1', prefixlen: 24, scope: 'global', secondary: false }] }],
      want: ['local 10.9.9.1 dev eth9 table local proto kernel scope host src 10.9.9.1'],
    },
    {
      name: 'a /31 gets a prefix route but no broadcast',
      links: [{ ifindex: 2, name: 'eth0', flags: ['UP'], addrs: [{ family: 4 as const, local: '10.0.0.1', prefixlen: 31, scope: 'global', secondary: false }] }],
      want: [
        '10.0.0.0/31 dev eth0 proto kernel scope link src 10.0.0.1',
        'local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1',
      ],
    },
    {
      name: 'a secondary address gets a local route whose source is its primary',
      links: [{
        ifindex: 2, name: 'eth0', flags: ['UP'], addrs: [
          { family: 4 as const, local: '10.0.1.10', prefixlen: 24, scope: 'global', secondary: false },
          { family: 4 as const, local: '10.0.1.20', prefixlen: 24, scope: 'global', secondary: true },
        ],
      }],
      want: [
        '10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.10',
        'broadcast 10.0.1.255 dev eth0 table local proto kernel scope link src 10.0.1.10',
        'local 10.0.1.10 dev eth0 table local proto kernel scope host src 10.0.1.10',
        'local 10.0.1.20 dev eth0 table local proto kernel scope host src 10.0.1.10',
      ],
    },
  ];
  test.each(cases)('$name', ({ links, want }) => {
    expect(buildHostNetwork(links, undefined).routes.map((r) => r.text).sort()).toEqual(want);
  });
});
