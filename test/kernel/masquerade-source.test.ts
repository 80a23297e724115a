// Kernel check: the source address MASQUERADE really writes equals selectMasqueradeSource's answer
// computed from `ip -j addr` / `ip -j route` dumped out of the same namespace.
//
// Topology (all in namespaces this file creates and deletes):
//   client ns  cout 192.168.77.2 ──veth── cin 192.168.77.1   router ns   eth0/tunl0/cali…/host0 ──veth── sink ns
// The router mirrors a Calico node; `tunl0` is a veth holding a /32 with an onlink route, because
// the ipip link type is not in this kernel. The sink has no addresses, so nothing ever answers:
// conntrack entries stay (UDP, UNREPLIED) and the NAT decision of the first packet can be read back.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseIp } from '../../src/netfilter/cidr.js';
import type { HostNetwork } from '../../src/netfilter/host.js';
import {
  buildHostNetwork, lookupRoute, parseIpAddrJson, parseIpRouteJson, selectMasqueradeSource,
} from '../../src/netfilter/routing/index.js';

const PREFIX = `kpath-t-${process.pid}`;
const created: string[] = [];

function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
}
const inNs = (ns: string, cmd: string, ...args: string[]): string => run('ip', ['netns', 'exec', ns, cmd, ...args]);
const ip = (ns: string, ...args: string[]): string => run('ip', ['-n', ns, ...args]);

function whyNoNetns(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const tools = [['ip', '-V'], ['iptables-legacy', '--version'], ['ip6tables-legacy', '--version'], ['conntrack', '--version']] as const;
  for (const [cmd, arg] of tools) {
    if (spawnSync(cmd, [arg], { stdio: 'ignore' }).status !== 0) return `${cmd} is not installed`;
  }
  const probe = `${PREFIX}-probe`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `ip netns add failed: ${add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}
const skipReason = whyNoNetns();
const canUseNetns = skipReason === undefined;
if (!canUseNetns) console.warn(`test/kernel/masquerade-source: skipped: ${skipReason}`);

function addNs(name: string): string {
  const ns = `${PREFIX}-${name}`;
  run('ip', ['netns', 'add', ns]);
  created.push(ns);
  ip(ns, 'link', 'set', 'lo', 'up');
  return ns;
}

/** A veth whose router end is `name` and whose other end sits, up and address-less, in `peerNs`. */
function addLink(router: string, name: string, peerNs: string, peerName: string): void {
  ip(router, 'link', 'add', name, 'type', 'veth', 'peer', 'name', peerName, 'netns', peerNs);
  ip(peerNs, 'link', 'set', peerName, 'up');
  ip(router, 'link', 'set', name, 'up');
}

/**
 * Builds one router. `order` is the creation (= ifindex and device-list) order of eth0 and
 * tunl0, the two devices holding global addresses; the fallback for address-less devices
 * depends on it.
 */
function buildRouter(tag: string, order: readonly ('eth0' | 'tunl0')[]): { router: string; client: string } {
  const router = addNs(`${tag}-r`);
  const client = addNs(`${tag}-c`);
  const sink = addNs(`${tag}-s`);
  for (const dev of order) {
    addLink(router, dev, sink, `s-${dev}`);
    if (dev === 'eth0') {
      ip(router, 'addr', 'add', '10.10.4.142/24', 'dev', 'eth0');
      ip(router, 'addr', 'add', '10.10.4.150/24', 'dev', 'eth0'); // secondary: never chosen
      ip(router, 'addr', 'add', '192.168.50.1/24', 'dev', 'eth0'); // a second primary
    } else {
      ip(router, 'addr', 'add', '10.233.98.0/32', 'dev', 'tunl0');
    }
  }
  addLink(router, 'calie1a2b3c4d5e', sink, 's-cali');
  addLink(router, 'host0', sink, 's-host0');
  ip(router, 'addr', 'add', '10.96.0.10/32', 'dev', 'host0', 'scope', 'host'); // too narrow for MASQUERADE
  addLink(router, 'cin', client, 'cout');
  ip(router, 'addr', 'add', '192.168.77.1/24', 'dev', 'cin');
  ip(client, 'addr', 'add', '192.168.77.2/24', 'dev', 'cout');
  ip(client, 'route', 'add', 'default', 'via', '192.168.77.1');

  ip(router, 'route', 'add', 'default', 'via', '10.10.4.1', 'dev', 'eth0');
  ip(router, 'route', 'add', '10.77.0.0/16', 'via', '192.168.50.254', 'dev', 'eth0');
  ip(router, 'route', 'add', '10.233.110.0/24', 'via', '10.10.4.141', 'dev', 'tunl0', 'proto', 'bird', 'onlink');
  ip(router, 'route', 'add', '10.233.98.39', 'dev', 'calie1a2b3c4d5e', 'scope', 'link');
  ip(router, 'route', 'add', 'blackhole', '10.233.98.0/24', 'proto', 'bird');
  ip(router, 'route', 'add', '10.99.0.0/16', 'dev', 'host0');
  for (const key of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.cin.rp_filter=0']) {
    inNs(router, 'sysctl', '-qw', key);
  }
  inNs(router, 'iptables-legacy', '-t', 'nat', '-A', 'POSTROUTING', '-j', 'MASQUERADE');
  return { router, client };
}

/** Sends one UDP datagram from the client and reads the translated source from conntrack. */
function kernelSource(router: string, client: string, dst: string, dport: number): string | undefined {
  const family = dst.includes(':') ? 6 : 4;
  const send = `const s=require('dgram').createSocket('udp${family}');s.send('kpath',${dport},'${dst}',()=>s.close())`;
  inNs(client, process.execPath, '-e', send);
  for (let i = 0; i < 40; i++) {
    const args = ['-L', '-f', family === 4 ? 'ipv4' : 'ipv6', '-p', 'udp', '--orig-dst', dst, '--dport', String(dport)];
    const out = spawnSync('ip', ['netns', 'exec', router, 'conntrack', ...args], {
      encoding: 'utf8', timeout: 5_000,
    }).stdout;
    // "udp 17 29 src=C dst=D sport=… dport=… [UNREPLIED] src=D dst=NEWSRC …": the reply's dst.
    const dsts = [...out.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]!);
    if (dsts.length >= 2) return dsts[1];
    execFileSync('sleep', ['0.05']);
  }
  return undefined;
}

function dumpHostNetwork(router: string): HostNetwork {
  const addrs = parseIpAddrJson(inNs(router, 'ip', '-j', 'addr', 'show'), `${router}:ip-addr`);
  const routes = parseIpRouteJson(inNs(router, 'ip', '-j', 'route', 'show', 'table', 'all'), `${router}:ip-route`);
  return buildHostNetwork(addrs, routes);
}

function modelSource(net: HostNetwork, dst: string): { ip?: string; how: string } {
  const r = lookupRoute(net, parseIp(dst)!);
  if (r.kind !== 'unicast' || r.dev === undefined) return { how: `route lookup gave ${r.kind}` };
  // IPv4 selects by the next hop (rt_nexthop): the gateway, or the destination on a connected route.
  return selectMasqueradeSource(net, r.dev, parseIp(r.gateway ?? dst)!);
}

const scenarios = [
  { tag: 'a', order: ['eth0', 'tunl0'] as const },
  { tag: 'b', order: ['tunl0', 'eth0'] as const },
];

const cases = [
  { name: 'egress eth0, next hop on the first primary\'s subnet', dst: '8.8.8.8', want: { a: '10.10.4.142', b: '10.10.4.142' } },
  { name: 'egress eth0, next hop on the second primary\'s subnet', dst: '10.77.1.1', want: { a: '192.168.50.1', b: '192.168.50.1' } },
  { name: 'egress tunl0-like /32 via an onlink route', dst: '10.233.110.5', want: { a: '10.233.98.0', b: '10.233.98.0' } },
  { name: 'egress cali veth with no address: first global address in device order', dst: '10.233.98.39', want: { a: '10.10.4.142', b: '10.233.98.0' } },
  { name: 'egress device with only a scope-host address: same fallback', dst: '10.99.0.1', want: { a: '10.10.4.142', b: '10.233.98.0' } },
];

describe.each(scenarios)('MASQUERADE source on a Calico-like router, devices created $order', ({ tag, order }) => {
  let env: { router: string; client: string; net: HostNetwork } | undefined;

  beforeAll(() => {
    if (!canUseNetns) return;
    const { router, client } = buildRouter(tag, order);
    env = { router, client, net: dumpHostNetwork(router) };
  });

  test.skipIf(!canUseNetns).each(cases.map((c, i) => ({ ...c, dport: 4000 + i })))('$name', ({ dst, dport, want }) => {
    const { router, client, net } = env!;
    const model = modelSource(net, dst);
    const kernel = kernelSource(router, client, dst, dport);
    expect({ kernel, model: model.ip }, `model: ${model.how}`).toEqual({ kernel: want[tag as 'a' | 'b'], model: want[tag as 'a' | 'b'] });
  });
});

/**
 * IPv6: nf_nat_masquerade_ipv6 selects by destination among every device's addresses
 * (ipv6_dev_get_saddr). All global addresses are added with nodad so none is tentative.
 */
function buildIpv6Router(): { router: string; client: string } {
  const router = addNs('v6-r');
  const client = addNs('v6-c');
  const sink = addNs('v6-s');
  const addr = (dev: string, cidr: string) => ip(router, '-6', 'addr', 'add', cidr, 'dev', dev, 'nodad');
  addLink(router, 'eth0', sink, 's-eth0');
  addr('eth0', '2001:db8::1/64');
  addLink(router, 'eth1', sink, 's-eth1');
  addr('eth1', 'fd00:1::5/64');
  addLink(router, 'calie1a2b3c4d5e', sink, 's-cali');
  addLink(router, 'cin', client, 'cout');
  addr('cin', 'fd00:77::1/64');
  ip(client, '-6', 'addr', 'add', 'fd00:77::2/64', 'dev', 'cout', 'nodad');
  ip(client, '-6', 'route', 'add', 'default', 'via', 'fd00:77::1');
  ip(router, '-6', 'route', 'add', 'default', 'via', '2001:db8::fffe', 'dev', 'eth0');
  ip(router, '-6', 'route', 'add', '2001:db8:77::/48', 'via', 'fd00:1::1', 'dev', 'eth1');
  ip(router, '-6', 'route', 'add', '2001:db8:98::39', 'dev', 'calie1a2b3c4d5e');
  inNs(router, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1');
  inNs(router, 'ip6tables-legacy', '-t', 'nat', '-A', 'POSTROUTING', '-j', 'MASQUERADE');
  return { router, client };
}

describe('MASQUERADE source, IPv6', () => {
  let env: { router: string; client: string; net: HostNetwork } | undefined;

  beforeAll(() => {
    if (!canUseNetns) return;
    const { router, client } = buildIpv6Router();
    env = { router, client, net: dumpHostNetwork(router) };
  });

  const v6cases = [
    { name: 'egress eth0: its global address', dst: '2600::1', want: '2001:db8::1' },
    { name: 'egress eth1: the outgoing interface\'s address wins (rule 5)', dst: '2001:db8:77::5', want: 'fd00:1::5' },
    { name: 'egress cali (link-local only): a global address, by matching label (rule 6)', dst: '2001:db8:98::39', want: '2001:db8::1' },
  ];
  test.skipIf(!canUseNetns).each(v6cases.map((c, i) => ({ ...c, dport: 5000 + i })))('$name', ({ dst, dport, want }) => {
    const { router, client, net } = env!;
    const r = lookupRoute(net, parseIp(dst)!);
    // IPv6 selects by the packet's destination, not the next hop (nf_nat_masquerade_ipv6).
    const model: { ip?: string; how: string } =
      r.kind === 'unicast' && r.dev !== undefined ? selectMasqueradeSource(net, r.dev, parseIp(dst)!) : { how: r.kind };
    const kernel = kernelSource(router, client, dst, dport);
    expect({ kernel, model: model.ip }, `model: ${model.how}`).toEqual({ kernel: want, model: want });
  });
});

afterAll(() => {
  for (const ns of created.reverse()) spawnSync('ip', ['netns', 'del', ns]);
});
