import { describe, expect, test } from 'vitest';
import { formatKpathError, KpathError } from '../../../src/errors.js';
import { formatCidr } from '../../../src/netfilter/cidr.js';
import type { Route } from '../../../src/netfilter/host.js';
import { parseIpRouteJson } from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

const brief = (r: Route) => ({ table: r.table, type: r.type, dst: formatCidr(r.dst) });

describe('parseIpRouteJson on real dumps', () => {
  const { text, file } = hostFixture('lab-route.json');
  const routes = parseIpRouteJson(text, file);

  test('every route is read, in dump order', () => {
    expect(routes).toHaveLength(44);
    expect(brief(routes[0]!)).toEqual({ table: '100', type: 'unicast', dst: '10.60.0.0/16' });
  });

  test('the text form matches `ip route show table all` line for line', () => {
    const lines = hostFixture('lab-route.txt').text
      .replace(/\n\t/g, ' ') // multipath next hops continue on tab-indented lines
      .split('\n').map((l) => l.trim().replace(/ pref medium/, '').replace(/ +/g, ' ')).filter((l) => l !== '');
    expect(routes.map((r) => r.text)).toEqual(lines);
  });

  const cases = [
    { name: 'default route, IPv4 by its gateway', dst: '0.0.0.0/0', table: 'main', want: { gateway: '10.10.4.1', dev: 'eth0', protocol: 'dhcp', metric: 100, scope: 'global' } },
    { name: 'absent metric is 0, absent protocol is boot', dst: '10.51.3.0/24', table: 'main', want: { gateway: '10.10.4.8', metric: 0, protocol: 'boot' } },
    { name: 'a bare dst is a host route', dst: '10.1.1.2/32', table: 'main', want: { dev: 'ptp0', scope: 'link', prefsrc: '10.1.1.1' } },
    { name: 'IPv4 via an IPv6 gateway ("via" object)', dst: '10.44.0.0/16', table: 'main', want: { gateway: '2001:db8::2', dev: 'eth0' } },
    { name: 'throw', dst: '10.97.0.0/16', table: 'main', want: { type: 'throw' } },
    { name: 'local route in table local', dst: '127.0.0.0/8', table: 'local', want: { type: 'local', dev: 'lo', scope: 'host' } },
    { name: 'broadcast', dst: '10.10.4.255/32', table: 'local', want: { type: 'broadcast', scope: 'link' } },
    { name: 'IPv6 default', dst: '::/0', table: 'main', want: { gateway: '2001:db8::fffe', metric: 1024 } },
    { name: 'IPv6 blackhole shows dev lo', dst: '2001:db8:dead::/48', table: 'main', want: { type: 'blackhole', dev: 'lo' } },
    { name: 'IPv6 multicast in table local', dst: 'ff00::/8', table: 'local', want: { type: 'multicast', dev: 'eth0', metric: 256 } },
    {
      name: 'IPv4 multipath with weights',
      dst: '10.50.0.0/16', table: 'main',
      want: { nexthops: [{ gateway: '10.10.4.1', dev: 'eth0', weight: 1, onlink: false }, { gateway: '172.16.0.1', dev: 'eth1', weight: 3, onlink: false }] },
    },
    {
      name: 'IPv6 multipath',
      dst: '2001:db8:5::/48', table: 'main',
      want: { metric: 1024, nexthops: [{ gateway: '2001:db8::2', weight: 1 }, { gateway: '2001:db8::3', weight: 1 }] },
    },
  ];
  test.each(cases)('$name', ({ dst, table, want }) => {
    const r = routes.find((x) => formatCidr(x.dst) === dst && x.table === table);
    expect(r).toMatchObject(want);
  });

  test('Calico: onlink via tunl0, scope-link pod routes, bird blackhole', () => {
    const { text: t, file: f } = hostFixture('calico-node-route.json');
    const calico = parseIpRouteJson(t, f);
    expect(calico.find((r) => formatCidr(r.dst) === '10.233.110.0/24')).toMatchObject({ gateway: '10.10.4.141', dev: 'tunl0', protocol: 'bird', onlink: true });
    expect(calico.find((r) => formatCidr(r.dst) === '10.233.98.39/32')).toMatchObject({ dev: 'calie1a2b3c4d5e', scope: 'link', onlink: false });
    expect(calico.find((r) => formatCidr(r.dst) === '10.233.98.0/24')).toMatchObject({ type: 'blackhole', protocol: 'bird' });
  });

  test('`ip -j route show` (no table key) is all main', () => {
    const main = hostFixture('lab-route-main.json');
    expect(new Set(parseIpRouteJson(main.text, main.file).map((r) => r.table))).toEqual(new Set(['main']));
  });

  test('`ip -6 -j route show`: every route is IPv6', () => {
    const v6 = hostFixture('lab-route6-main.json');
    expect(parseIpRouteJson(v6.text, v6.file).map((r) => r.dst.family)).toEqual(Array(8).fill(6));
  });
});

describe('parseIpRouteJson family of "default"', () => {
  const cases = [
    { name: 'IPv4 blackhole default with no hint', text: '[{"type":"blackhole","dst":"default","flags":[]}]', family: undefined, want: 4 },
    { name: 'blackhole default with an IPv6 hint', text: '[{"type":"blackhole","dst":"default","flags":[]}]', family: 6 as const, want: 6 },
    { name: '"pref" marks IPv6', text: '[{"type":"unreachable","dst":"default","dev":"lo","metric":1024,"flags":[],"pref":"medium"}]', family: undefined, want: 6 },
    { name: 'the gateway wins over the hint', text: '[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]}]', family: 6 as const, want: 4 },
    { name: 'multipath next hops tell it', text: '[{"dst":"default","flags":[],"nexthops":[{"gateway":"fe80::1","dev":"eth0","weight":1,"flags":[]}]}]', family: undefined, want: 6 },
  ];
  test.each(cases)('$name', ({ text, family, want }) => {
    const [r] = parseIpRouteJson(text, 'r.json', family === undefined ? {} : { family });
    expect(r!.dst).toEqual({ family: want, value: 0n, prefix: 0 });
  });

  test('numeric reserved table ids get their names', () => {
    const [r] = parseIpRouteJson('[{"dst":"10.0.0.0/8","dev":"eth0","table":"254","flags":[]}]', 'r.json');
    expect(r!.table).toBe('main');
  });

  test('onlink and linkdown flags: onlink kept, linkdown shown in the text', () => {
    const [r] = parseIpRouteJson('[{"dst":"10.233.98.39","dev":"cali1","scope":"link","flags":["linkdown"]}]', 'r.json');
    expect(r).toMatchObject({ onlink: false, text: '10.233.98.39 dev cali1 scope link linkdown' });
  });
});

describe('parseIpRouteJson errors', () => {
  const cases = [
    { name: 'not an array', text: '{"dst":"default"}', code: 'E_IPROUTE_SHAPE', line: 1, column: 1 },
    { name: 'unknown type', text: '[{"type":"xresolve","dst":"default"}]', code: 'E_IPROUTE_SHAPE', line: 1, column: 10 },
    { name: 'missing dst', text: '[{"dev":"eth0"}]', code: 'E_IPROUTE_SHAPE', line: 1, column: 2 },
    { name: 'bad gateway', text: '[{"dst":"default","gateway":"10.0.0"}]', code: 'E_IPROUTE_SHAPE', line: 1, column: 29 },
    { name: 'metric is negative', text: '[{"dst":"default","metric":-1}]', code: 'E_IPROUTE_SHAPE', line: 1, column: 28 },
    { name: 'nexthops is not an array', text: '[{"dst":"default","nexthops":{}}]', code: 'E_IPROUTE_SHAPE', line: 1, column: 30 },
    { name: 'gateway of the other family', text: '[{"dst":"10.0.0.0/8","gateway":"fe80::1"}]', code: 'E_IPROUTE_SHAPE', line: 1, column: 32 },
    { name: 'unterminated string', text: '[{"dst":"defa', code: 'E_JSON_BAD', line: 1, column: 14 },
  ];
  test.each(cases)('$name', ({ text, code, line, column }) => {
    let err: KpathError | undefined;
    try { parseIpRouteJson(text, 'r.json'); } catch (e) { err = e as KpathError; }
    expect(err).toBeInstanceOf(KpathError);
    expect({ code: err!.code, line: err!.loc?.line, column: err!.loc?.column }).toEqual({ code, line, column });
  });

  test.each(['bad-dst-route.json', 'bad-trailing-comma-route.json'])('%s prints a stable error', async (name) => {
    const { text, file } = hostFixture(name);
    let err: KpathError | undefined;
    try { parseIpRouteJson(text, file); } catch (e) { err = e as KpathError; }
    await expect(`${formatKpathError(err!)}\n`).toMatchFileSnapshot(`golden/${name.replace(/\.json$/, '.txt')}`);
  });
});
