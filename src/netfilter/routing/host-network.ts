import { cidrContains, parseIp, prefixMask, type Cidr } from '../cidr.js';
import type { HostNetwork, IfAddr, Interface, Route } from '../host.js';
import { formatRouteText } from './ip-route.js';

/**
 * Puts a node's interfaces and routes together. Without a route dump (`routes` undefined), the
 * routes the kernel itself adds for each address are derived, so that lookups still answer for
 * local and connected destinations (`hasRouteDump` is then false; gateways are unknown).
 */
export function buildHostNetwork(interfaces: readonly Interface[], routes: readonly Route[] | undefined): HostNetwork {
  if (routes !== undefined) return { interfaces, routes, hasRouteDump: true };
  return { interfaces, routes: interfaces.flatMap(deriveRoutes), hasRouteDump: false };
}

function deriveRoutes(iface: Interface): Route[] {
  const out: Route[] = [];
  for (const a of iface.addrs) {
    out.push(...(a.family === 4 ? ipv4AddrRoutes(iface, a) : ipv6AddrRoutes(iface, a)));
  }
  // addrconf adds `multicast ff00::/8 dev X table local` on every up, multicast-capable link with IPv6.
  if (isUp(iface) && !iface.flags.includes('LOOPBACK') && iface.addrs.some((a) => a.family === 6)) {
    out.push(route({ table: 'local', type: 'multicast', dst: { family: 6, value: 0xffn << 120n, prefix: 8 }, dev: iface.name, metric: 256, protocol: 'kernel' }));
  }
  return out;
}

const isUp = (iface: Interface): boolean => iface.flags.includes('UP');

/**
 * What fib_add_ifaddr() (net/ipv4/fib_frontend.c) adds for one IPv4 address: always a local /32
 * in table local; on an up link, for a primary address that is not a plain /32, the prefix route
 * in main (type local in table local on the loopback device: `local 127.0.0.0/8 dev lo`) and,
 * below /31, the subnet broadcast. The network-address broadcast route is no longer added
 * (checked on 6.18). The local route stays while the link is down (checked in a namespace).
 */
function ipv4AddrRoutes(iface: Interface, a: IfAddr): Route[] {
  const local = parseIp(a.local)!;
  const prim = a.secondary ? (primaryFor(iface, a) ?? a) : a;
  const base = { dev: iface.name, protocol: 'kernel', prefsrc: prim.local };
  const out = [route({ ...base, table: 'local', type: 'local', dst: host(local.value, 4), scope: 'host' })];
  if (!isUp(iface) || a.secondary) return out;
  // With a peer (`ip addr add A peer B/len`), the prefix is the peer's (ifa_address), not the local one.
  const addr = parseIp(a.peer ?? a.local)!;
  const mask = prefixMask(a.prefixlen, 32);
  const prefix = addr.value & mask;
  if (prefix === 0n || (prefix === local.value && a.prefixlen === 32)) return out;
  const isLoopback = iface.flags.includes('LOOPBACK');
  out.push(route({
    ...base,
    table: isLoopback ? 'local' : 'main',
    type: isLoopback ? 'local' : 'unicast',
    dst: { family: 4, value: prefix, prefix: a.prefixlen },
    scope: isLoopback ? 'host' : 'link',
  }));
  if (a.prefixlen < 31) {
    out.push(route({ ...base, table: 'local', type: 'broadcast', dst: host(prefix | (~mask & 0xffffffffn), 4), scope: 'link' }));
  }
  return out;
}

/** The primary address a secondary one hangs off: same link, same subnet (inet_ifa_byprefix). */
function primaryFor(iface: Interface, a: IfAddr): IfAddr | undefined {
  return iface.addrs.find((p) => {
    if (p.family !== 4 || p.secondary || p.prefixlen !== a.prefixlen) return false;
    const net: Cidr = { family: 4, value: parseIp(p.local)!.value & prefixMask(p.prefixlen, 32), prefix: p.prefixlen };
    return cidrContains(net, parseIp(a.local)!);
  });
}

/**
 * What addrconf adds for one IPv6 address: `local ADDR dev X table local metric 0`, and on an up
 * link the prefix route `PREFIX/len dev X proto kernel metric 256` in main (fe80::/64 for link-local).
 * NOPREFIXROUTE and DAD state are not in the model, so every address is treated as usable.
 */
function ipv6AddrRoutes(iface: Interface, a: IfAddr): Route[] {
  const local = parseIp(a.local)!;
  const out = [route({ table: 'local', type: 'local', dst: host(local.value, 6), dev: iface.name, protocol: 'kernel', metric: 0 })];
  if (isUp(iface) && a.prefixlen < 128) {
    const value = local.value & prefixMask(a.prefixlen, 128);
    out.push(route({ table: 'main', type: 'unicast', dst: { family: 6, value, prefix: a.prefixlen }, dev: iface.name, protocol: 'kernel', metric: 256 }));
  }
  return out;
}

function host(value: bigint, family: 4 | 6): Cidr {
  return { family, value, prefix: family === 4 ? 32 : 128 };
}

function route(r: Omit<Route, 'text' | 'onlink' | 'metric'> & { metric?: number }): Route {
  const full = { ...r, metric: r.metric ?? 0, onlink: false };
  return { ...full, text: formatRouteText(full, { showMetric: r.dst.family === 6 }) };
}
