import type { Agent } from './agent.js';
import { nsh, sh, type Lab } from './lab.js';

// Builds a "node" namespace from a node's `ip -j addr show` and `ip -j route show table all` dumps,
// plus the namespaces around it. Interfaces are re-created in the dump's ifindex order (and with the
// same ifindex): MASQUERADE falls back to the first device, in creation order, that has a usable
// address when the egress device has none (kernel-lab.md). Link kinds this kernel offers: the uplink
// and pod links become veth pairs, every other link an ifb (always-up, NOARP, drops what it is sent;
// the dummy type does not exist here).

/** A node's link/route dumps, as a snapshot holds them. */
export interface NodeDumps {
  readonly addrJson: string;
  readonly routeJson: string;
}

export interface NodeLabSpec {
  /** Short name used in namespace names and messages. */
  readonly name: string;
  readonly dumps: NodeDumps;
  /** The link to the outside namespace; default: the device of the main table's default route. */
  readonly uplink?: string;
  readonly iptablesSave: string;
  readonly ipsetSave?: string;
  /** Extra node sysctls as key=value (e.g. net.ipv4.conf.all.route_localnet=1). */
  readonly sysctls?: readonly string[];
}

/** A pod namespace behind one of the node's veth links. */
export interface LabPod {
  readonly iface: string;
  readonly ip: string;
  readonly ns: string;
}

export interface NodeLab {
  readonly name: string;
  readonly ns: string;
  readonly outsideNs: string;
  readonly uplink: string;
  readonly pods: readonly LabPod[];
  /** Links built as ifb: a packet routed to one shows up as rx on it. */
  readonly ifbs: ReadonlySet<string>;
  /** `ip -j addr show` / `ip -j route show table all` dumped from the built namespace. */
  readonly addrJson: string;
  readonly routeJson: string;
  /** IPv4 routes of the input dump that the built namespace does not show (should be empty). */
  readonly missingRoutes: readonly string[];
  readonly agent: Agent;
}

interface AddrInfo { family?: string; local?: string; prefixlen?: number; scope?: string; address?: string; broadcast?: string; noprefixroute?: boolean }
interface Link { ifindex: number; ifname: string; flags?: string[]; mtu?: number; link_type?: string; addr_info?: AddrInfo[] }
interface RouteJson {
  type?: string; dst: string; gateway?: string; dev?: string; table?: string; protocol?: string; scope?: string;
  prefsrc?: string; metric?: number; flags?: string[]; nexthops?: { gateway?: string; dev?: string; weight?: number; flags?: string[] }[];
}

const isV4 = (a: AddrInfo): boolean => a.family === 'inet';
const isV4Route = (r: RouteJson): boolean => !r.dst.includes(':') && !(r.gateway ?? '').includes(':');

/** The dev of the default route in main (the node's uplink). */
function defaultDev(routes: readonly RouteJson[]): string | undefined {
  return routes.find((r) => r.dst === 'default' && (r.table ?? 'main') === 'main' && isV4Route(r))?.dev;
}

/** Pod links: no IPv4 address, and a `/32 scope link` route pointing at them (Calico style). */
function podLinks(links: readonly Link[], routes: readonly RouteJson[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of links) {
    if ((l.addr_info ?? []).some(isV4) || l.link_type === 'loopback') continue;
    const r = routes.find((x) => x.dev === l.ifname && x.scope === 'link' && /^\d+\.\d+\.\d+\.\d+(\/32)?$/.test(x.dst) && (x.table ?? 'main') === 'main');
    if (r) out.set(l.ifname, r.dst.replace(/\/32$/, ''));
  }
  return out;
}

function routeArgs(r: RouteJson): string[] {
  const a: string[] = [];
  if (r.type && r.type !== 'unicast') a.push(r.type);
  a.push(r.dst);
  if (r.nexthops) {
    for (const h of r.nexthops) {
      a.push('nexthop');
      if (h.gateway) a.push('via', h.gateway);
      if (h.dev) a.push('dev', h.dev);
      if (h.weight) a.push('weight', String(h.weight));
      if (h.flags?.includes('onlink')) a.push('onlink');
    }
  } else {
    if (r.gateway) a.push('via', r.gateway);
    if (r.dev) a.push('dev', r.dev);
  }
  if (r.table && r.table !== 'main') a.push('table', r.table);
  if (r.protocol && r.protocol !== 'boot') a.push('proto', r.protocol);
  if (r.scope) a.push('scope', r.scope);
  if (r.prefsrc) a.push('src', r.prefsrc);
  if (r.metric !== undefined) a.push('metric', String(r.metric));
  if (!r.nexthops && r.flags?.includes('onlink')) a.push('onlink');
  return a;
}

/** A route as comparable text: what `ip route` keys it by plus its next hop. */
function routeKey(r: RouteJson): string {
  const hops = r.nexthops ? r.nexthops.map((h) => `${h.gateway ?? ''}@${h.dev ?? ''}`).join(',') : `${r.gateway ?? ''}@${r.dev ?? ''}`;
  return `${r.table ?? 'main'} ${r.type ?? 'unicast'} ${r.dst} ${hops} ${r.metric ?? 0}`;
}

function createLinks(lab: Lab, node: string, outside: string, links: readonly Link[], uplink: string, pods: Map<string, string>): { pods: LabPod[]; ifbs: Set<string> } {
  const labPods: LabPod[] = [];
  const ifbs = new Set<string>();
  for (const l of links) {
    if (l.link_type === 'loopback') continue;
    const idx = ['index', String(l.ifindex)];
    if (l.ifname === uplink) {
      sh(['ip', '-n', node, 'link', 'add', l.ifname, ...idx, 'type', 'veth', 'peer', 'name', 'wire', 'netns', outside]);
    } else if (pods.has(l.ifname)) {
      const podNs = lab.addNamespace(`pod${labPods.length + 1}`);
      sh(['ip', '-n', node, 'link', 'add', l.ifname, ...idx, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs]);
      labPods.push({ iface: l.ifname, ip: pods.get(l.ifname)!, ns: podNs });
    } else {
      sh(['ip', '-n', node, 'link', 'add', l.ifname, ...idx, 'type', 'ifb']);
      ifbs.add(l.ifname);
    }
    if (l.mtu) sh(['ip', '-n', node, 'link', 'set', l.ifname, 'mtu', String(l.mtu)]);
    const up = (l.flags ?? []).includes('UP') || l.ifname === uplink || pods.has(l.ifname);
    if (up) sh(['ip', '-n', node, 'link', 'set', l.ifname, 'up']);
  }
  return { pods: labPods, ifbs };
}

function addAddresses(node: string, links: readonly Link[]): void {
  for (const l of links) {
    for (const a of (l.addr_info ?? []).filter(isV4)) {
      if (l.link_type === 'loopback' && a.local === '127.0.0.1' && a.prefixlen === 8) continue;
      const args = ['ip', '-n', node, 'addr', 'add', `${a.local}/${a.prefixlen}`];
      if (a.address && a.address !== a.local) args.splice(args.length - 1, 1, a.local!, 'peer', `${a.address}/${a.prefixlen}`);
      if (a.broadcast) args.push('broadcast', a.broadcast);
      if (a.scope) args.push('scope', a.scope);
      if (a.noprefixroute) args.push('noprefixroute');
      sh([...args, 'dev', l.ifname]);
    }
  }
}

/** Replays the routes the kernel does not add by itself, retrying those whose gateway is not yet reachable. */
function addRoutes(node: string, routes: readonly RouteJson[]): void {
  let todo = routes.filter((r) => isV4Route(r) && r.protocol !== 'kernel');
  for (let pass = 0; pass < 4 && todo.length > 0; pass++) {
    const failed: RouteJson[] = [];
    let lastError = '';
    for (const r of todo) {
      try {
        sh(['ip', '-n', node, 'route', 'add', ...routeArgs(r)]);
      } catch (e) {
        failed.push(r);
        lastError = (e as Error).message;
      }
    }
    if (failed.length === todo.length && pass === 3) throw new Error(`cannot replay routes: ${lastError}`);
    todo = failed;
  }
}

function nodeSysctls(node: string, links: readonly Link[], extra: readonly string[]): void {
  const base = [
    'net.ipv4.ip_forward=1',
    // Reverse-path filtering and redirects are not part of what kpath predicts; keep them out.
    'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0',
    'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0',
    // No ICMP rate limit: every REJECT answer is really sent.
    'net.ipv4.icmp_ratemask=0',
  ];
  const perLink = links.filter((l) => l.link_type !== 'loopback').flatMap((l) => [
    `net.ipv4.conf.${l.ifname}.rp_filter=0`, `net.ipv4.conf.${l.ifname}.send_redirects=0`,
    // Learned neighbours stay REACHABLE for the run, so no re-probe ARP shows up mid-suite.
    `net.ipv4.neigh.${l.ifname}.base_reachable_time_ms=7200000`, `net.ipv4.neigh.${l.ifname}.gc_stale_time=7200`,
  ]);
  nsh(node, ['sysctl', '-qw', ...base, ...perLink, ...extra]);
}

/** The outside namespace: owns the uplink's gateway, proxy-answers ARP for the rest of the link, drops every IP packet it gets. */
function setUpOutside(node: string, outside: string, uplinkLink: Link, routes: readonly RouteJson[], uplink: string): void {
  const nodeIp = (uplinkLink.addr_info ?? []).find(isV4)?.local;
  if (!nodeIp) throw new Error(`uplink ${uplink} has no IPv4 address`);
  const gw = routes.find((r) => r.dst === 'default' && r.dev === uplink)?.gateway;
  sh(['ip', '-n', outside, 'link', 'set', 'wire', 'up']);
  if (gw) sh(['ip', '-n', outside, 'addr', 'add', `${gw}/32`, 'dev', 'wire']);
  sh(['ip', '-n', outside, 'route', 'add', `${nodeIp}/32`, 'dev', 'wire', 'scope', 'link']);
  sh(['ip', '-n', outside, 'route', 'add', 'default', 'via', nodeIp, 'dev', 'wire']);
  const nodeMac = macOf(node, uplink);
  for (const a of (uplinkLink.addr_info ?? []).filter(isV4)) {
    sh(['ip', '-n', outside, 'neigh', 'replace', a.local!, 'lladdr', nodeMac, 'dev', 'wire', 'nud', 'permanent']);
  }
  if (gw) sh(['ip', '-n', node, 'neigh', 'replace', gw, 'lladdr', macOf(outside, 'wire'), 'dev', uplink, 'nud', 'permanent']);
  nsh(outside, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.wire.proxy_arp=1', 'net.ipv4.conf.wire.proxy_arp_pvlan=1',
    'net.ipv4.neigh.wire.proxy_delay=0', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.wire.rp_filter=0']);
  // Silence: nothing the node forwards may come back (RST, ICMP) and touch the node's counters.
  nsh(outside, ['iptables-legacy', '-w', '-t', 'raw', '-A', 'PREROUTING', '-j', 'DROP']);
}

function macOf(ns: string, iface: string): string {
  return (JSON.parse(sh(['ip', '-n', ns, '-j', 'link', 'show', iface])) as { address: string }[])[0]!.address;
}

function setUpPod(node: string, pod: LabPod): void {
  const mac = macOf(node, pod.iface);
  sh(['ip', '-n', pod.ns, 'link', 'set', 'eth0', 'up']);
  sh(['ip', '-n', pod.ns, 'addr', 'add', `${pod.ip}/32`, 'dev', 'eth0']);
  sh(['ip', '-n', pod.ns, 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link']);
  sh(['ip', '-n', pod.ns, 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0']);
  sh(['ip', '-n', pod.ns, 'neigh', 'add', '169.254.1.1', 'lladdr', mac, 'dev', 'eth0', 'nud', 'permanent']);
  nsh(node, ['sysctl', '-qw', `net.ipv4.conf.${pod.iface}.proxy_arp=1`]);
  // Static neighbours: no ARP exchange can show up as traffic on a device during a later attempt.
  sh(['ip', '-n', node, 'neigh', 'replace', pod.ip, 'lladdr', macOf(pod.ns, 'eth0'), 'dev', pod.iface, 'nud', 'permanent']);
  // Pods stay silent: a RST from an endpoint would delete the conntrack entry (kernel-lab.md).
  nsh(pod.ns, ['iptables-legacy', '-w', '-t', 'raw', '-A', 'PREROUTING', '-j', 'DROP']);
}

/**
 * Loads (or replaces) the node's ipsets and iptables rules. Sets go in first (rules refer to them)
 * and are destroyed only after the old rules are gone.
 */
export function loadRules(ns: string, iptablesSave: string, ipsetSave: string | undefined): void {
  const empty = ['raw', 'mangle', 'nat', 'filter'].map((t) => `*${t}\nCOMMIT\n`).join('');
  nsh(ns, ['iptables-legacy-restore', '-w'], empty);
  for (const t of ['raw', 'mangle', 'nat', 'filter']) nsh(ns, ['iptables-legacy', '-w', '-t', t, '-X']);
  // A list:set holds references to its members: flush everything first. Set references held by
  // replaced iptables rules are dropped asynchronously, so destroy may need a moment.
  nsh(ns, ['ipset', 'flush']);
  for (let tries = 0; ; tries++) {
    try {
      nsh(ns, ['ipset', 'destroy']);
      break;
    } catch (e) {
      if (tries >= 50) throw e;
      sh(['sleep', '0.05']);
    }
  }
  if (ipsetSave && ipsetSave.trim() !== '') nsh(ns, ['ipset', 'restore'], ipsetSave);
  nsh(ns, ['iptables-legacy-restore', '-w'], iptablesSave);
}

/**
 * Builds the node, outside and pod namespaces and starts the node's agent. Conntrack is switched on
 * by an nft rule (`ct state new` in a table of its own): in a namespace where no iptables rule uses
 * conntrack the nat table would otherwise never see a packet, unlike any real node.
 */
export function buildNode(lab: Lab, spec: NodeLabSpec): NodeLab {
  const links = JSON.parse(spec.dumps.addrJson) as Link[];
  const routes = JSON.parse(spec.dumps.routeJson) as RouteJson[];
  const uplink = spec.uplink ?? defaultDev(routes);
  if (!uplink) throw new Error(`${spec.name}: no default route to find the uplink; name it in the spec`);
  const uplinkLink = links.find((l) => l.ifname === uplink);
  if (!uplinkLink) throw new Error(`${spec.name}: uplink ${uplink} is not in the address dump`);
  const node = lab.addNamespace(`${spec.name}-node`);
  const outside = lab.addNamespace(`${spec.name}-out`);
  const { pods, ifbs } = createLinks(lab, node, outside, [...links].sort((a, b) => a.ifindex - b.ifindex), uplink, podLinks(links, routes));
  addAddresses(node, links);
  addRoutes(node, routes);
  nodeSysctls(node, links, spec.sysctls ?? []);
  setUpOutside(node, outside, uplinkLink, routes, uplink);
  for (const p of pods) setUpPod(node, p);
  nsh(node, ['nft', '-f', '-'], 'table ip kpath_lab_ct {\n chain pre { type filter hook prerouting priority -500; policy accept; ct state new; }\n chain out { type filter hook output priority -500; policy accept; ct state new; }\n}\n');
  loadRules(node, spec.iptablesSave, spec.ipsetSave);
  const addrJson = sh(['ip', '-n', node, '-j', 'addr', 'show']);
  const routeJson = sh(['ip', '-n', node, '-j', 'route', 'show', 'table', 'all']);
  const built = new Set((JSON.parse(routeJson) as RouteJson[]).map(routeKey));
  const missingRoutes = routes.filter(isV4Route).map(routeKey).filter((k) => !built.has(k));
  return { name: spec.name, ns: node, outsideNs: outside, uplink, pods, ifbs, addrJson, routeJson, missingRoutes, agent: lab.startAgent(node) };
}
