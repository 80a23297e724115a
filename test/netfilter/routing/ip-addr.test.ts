import { describe, expect, test } from 'vitest';
import { formatKpathError, KpathError } from '../../../src/errors.js';
import { parseIpAddrJson } from '../../../src/netfilter/routing/index.js';
import { hostFixture } from './fixture.js';

function parseError(text: string, file = 'addr.json'): KpathError {
  try {
    parseIpAddrJson(text, file);
  } catch (e) {
    if (e instanceof KpathError) return e;
    throw e;
  }
  throw new Error('expected a KpathError');
}

describe('parseIpAddrJson on real dumps', () => {
  test('Calico node: links in ifindex order, plain names, tunl0 as ipip', () => {
    const { text, file } = hostFixture('calico-node-addr.json');
    const ifs = parseIpAddrJson(text, file);
    expect(ifs.map((i) => [i.ifindex, i.name, i.linkType])).toEqual([
      [1, 'lo', 'loopback'], [2, 'eth0', 'ether'], [3, 'tunl0', 'ipip'],
      [4, 'calie1a2b3c4d5e', 'ether'], [5, 'cali7f00aa11b22', 'ether'],
    ]);
    expect(ifs[2]).toMatchObject({
      flags: ['NOARP', 'UP', 'LOWER_UP'],
      operstate: 'UNKNOWN',
      addrs: [{ family: 4, local: '10.233.98.0', prefixlen: 32, scope: 'global', secondary: false }],
    });
    expect(ifs[3]!.addrs).toEqual([{ family: 6, local: 'fe80::ecee:eeff:feee:eeee', prefixlen: 64, scope: 'link', secondary: false }]);
  });

  test('AWS node: secondary addresses keep their flag and the dump order', () => {
    const { text, file } = hostFixture('aws-node-addr.json');
    const eth0 = parseIpAddrJson(text, file).find((i) => i.name === 'eth0')!;
    expect(eth0.addrs.filter((a) => a.family === 4).map((a) => [a.local, a.secondary])).toEqual([
      ['10.0.1.10', false], ['10.0.1.20', true], ['10.0.1.21', true],
    ]);
  });

  test('lab: point-to-point peer, label, IPv6', () => {
    const { text, file } = hostFixture('lab-addr.json');
    const ifs = parseIpAddrJson(text, file);
    const ptp0 = ifs.find((i) => i.name === 'ptp0')!;
    expect(ptp0.addrs[0]).toEqual({ family: 4, local: '10.1.1.1', prefixlen: 32, scope: 'global', secondary: false, peer: '10.1.1.2' });
    const eth0 = ifs.find((i) => i.name === 'eth0')!;
    expect(eth0.addrs.map((a) => a.local)).toContain('192.168.50.1');
    expect(eth0.addrs.find((a) => a.family === 6 && a.scope === 'global')?.local).toBe('2001:db8::1');
  });
});

describe('parseIpAddrJson on hand-written shapes', () => {
  const cases = [
    {
      name: '`ip -j link show` (no addr_info) is a link without addresses',
      text: '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"]}]',
      want: [{ name: 'lo', ifindex: 1, flags: ['LOOPBACK'], addrs: [] }],
    },
    {
      name: 'old iproute2 `ip -4 -j addr` printed {} for hidden addresses',
      text: '[{"ifindex":2,"ifname":"eth0","addr_info":[{},{"family":"inet","local":"10.0.0.1","prefixlen":8,"scope":"global"}]}]',
      want: [{ name: 'eth0', addrs: [{ local: '10.0.0.1' }] }],
    },
    {
      name: 'a bridge port keeps its master',
      text: '[{"ifindex":7,"ifname":"veth1","master":"cni0","flags":[],"addr_info":[]}]',
      want: [{ name: 'veth1', master: 'cni0' }],
    },
    {
      name: 'IPv6 addresses are normalised',
      text: '[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet6","local":"2001:DB8:0:0::1","prefixlen":64,"scope":"global"}]}]',
      want: [{ addrs: [{ family: 6, local: '2001:db8::1' }] }],
    },
    { name: 'an empty dump', text: '[]', want: [] },
  ];
  test.each(cases)('$name', ({ text, want }) => expect(parseIpAddrJson(text, 'x.json')).toMatchObject(want));
});

describe('parseIpAddrJson errors', () => {
  const cases = [
    { name: 'not JSON', text: 'lo: <LOOPBACK>', code: 'E_JSON_BAD', line: 1, column: 1 },
    { name: 'trailing comma', text: '[{"ifindex":1,\n "ifname":"lo",}]', code: 'E_JSON_BAD', line: 2, column: 16 },
    { name: 'truncated', text: '[{"ifindex":1,\n "ifname":"lo"', code: 'E_JSON_BAD', line: 2, column: 15 },
    { name: 'bad escape', text: '[{"ifname":"e\\q"}]', code: 'E_JSON_BAD', line: 1, column: 14 },
    { name: 'not an array', text: '{"ifindex":1}', code: 'E_IPADDR_SHAPE', line: 1, column: 1, path: '(top level)' },
    { name: 'link without ifname', text: '[\n{"ifindex":1,"ifname":"lo"},\n  {"ifindex":2}]', code: 'E_IPADDR_SHAPE', line: 3, column: 3, path: '[1].ifname' },
    { name: 'ifindex is a string', text: '[{"ifindex":"1","ifname":"lo"}]', code: 'E_IPADDR_SHAPE', line: 1, column: 13, path: '[0].ifindex' },
    {
      name: 'local is not an address',
      text: '[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"10.0.0.300","prefixlen":8}]}]',
      code: 'E_IPADDR_SHAPE', line: 1, column: 67, path: '[0].addr_info[0].local',
    },
    {
      name: 'IPv6 address under family inet',
      text: '[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"::1","prefixlen":8}]}]',
      code: 'E_IPADDR_SHAPE', line: 1, column: 67, path: '[0].addr_info[0].local',
    },
    {
      name: 'prefixlen too long',
      text: '[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":33}]}]',
      code: 'E_IPADDR_SHAPE', line: 1, column: 90, path: '[0].addr_info[0].prefixlen',
    },
    {
      name: 'secondary is not a boolean',
      text: '[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":8,"secondary":"yes"}]}]',
      code: 'E_IPADDR_SHAPE', line: 1, column: 104, path: '[0].addr_info[0].secondary',
    },
  ];
  test.each(cases)('$name', ({ text, code, line, column, path }) => {
    const err = parseError(text);
    expect({ code: err.code, line: err.loc?.line, column: err.loc?.column }).toEqual({ code, line, column });
    if (path) expect(err.message.startsWith(`${path}: `)).toBe(true);
  });

  const bad = ['bad-truncated-addr.json', 'bad-no-ifname-addr.json', 'bad-local-addr.json'];
  test.each(bad)('%s prints a stable error', async (name) => {
    const { text, file } = hostFixture(name);
    let err: KpathError | undefined;
    try { parseIpAddrJson(text, file); } catch (e) { err = e as KpathError; }
    await expect(`${formatKpathError(err!)}\n`).toMatchFileSnapshot(`golden/${name.replace(/\.json$/, '.txt')}`);
  });
});
