import { parseIp, type Ip } from '../cidr.js';
import type { HostNetwork } from '../host.js';
import type { AddrType } from '../model.js';
import { bestRoute, isError, lookupRoute } from './lookup.js';

/** Options shared by the address-type functions. */
export interface AddrTypeOptions {
  /** See LookupOptions.hasCustomRules: with custom `ip rule`s, IPv4 consults table local alone. */
  readonly hasCustomRules?: boolean;
}

/**
 * The address type `-m addrtype` sees for `ip`; with `dev` (--limit-iface-in/out), as if only
 * that device were present.
 *
 * IPv4 is inet_dev_addr_type() (net/ipv4/fib_frontend.c): 0.0.0.0/8 and 255.255.255.255 are
 * BROADCAST (not UNSPEC), 224.0.0.0/4 MULTICAST; otherwise one lookup in table local — which,
 * without custom rules, is the merged local+main trie, so a `local` route in main counts too —
 * whose route type is the answer, UNICAST when nothing matches or the device differs. A lookup
 * ending on blackhole, unreachable or prohibit fails inside fib_table_lookup, so those addresses
 * read as UNICAST: the BLACKHOLE/UNREACHABLE/PROHIBIT types never match for IPv4 (checked on
 * 6.18 with iptables-legacy counters).
 *
 * IPv6 (xt_addrtype.c match_type6) has no single type: an address can be UNICAST and LOCAL at
 * once. This returns the most telling one — UNSPEC for ::, MULTICAST, then UNREACHABLE, LOCAL,
 * ANYCAST from the route lookup, else UNICAST. Use {@link matchAddrType} to evaluate a rule.
 */
export function addressType(net: HostNetwork, ip: Ip, dev?: string, opts: AddrTypeOptions = {}): AddrType {
  if (ip.family === 4) return ipv4Type(net, ip, dev, opts);
  const cls = ipv6Class(ip);
  if (cls === 'any') return 'UNSPEC';
  if (cls === 'multicast') return 'MULTICAST';
  const found = ipv6LookupTypes(net, ip, dev, true);
  for (const t of ['UNREACHABLE', 'LOCAL', 'ANYCAST'] as const) if (found.has(t)) return t;
  return 'UNICAST';
}

/**
 * Whether `--src-type`/`--dst-type TYPES` matches `ip` (before any `!`). IPv4: the address type
 * is one of `types`. IPv6 (match_type6): every one of MULTICAST, UNICAST, UNSPEC that is listed
 * must hold, and if LOCAL, ANYCAST or UNREACHABLE is listed, the route lookup must yield one of
 * them. With `dev`, IPv6 LOCAL means "assigned on that device" (nf_ipv6_chk_addr, strict).
 */
export function matchAddrType(
  net: HostNetwork, ip: Ip, types: readonly AddrType[], dev?: string, opts: AddrTypeOptions = {},
): boolean {
  if (ip.family === 4) return types.includes(ipv4Type(net, ip, dev, opts));
  const cls = ipv6Class(ip);
  if (types.includes('MULTICAST') && cls !== 'multicast') return false;
  if (types.includes('UNICAST') && cls !== 'unicast') return false;
  if (types.includes('UNSPEC') && cls !== 'any') return false;
  if (!types.some((t) => t === 'LOCAL' || t === 'ANYCAST' || t === 'UNREACHABLE')) return true;
  const found = ipv6LookupTypes(net, ip, dev, types.includes('LOCAL'));
  return types.some((t) => found.has(t));
}

function ipv4Type(net: HostNetwork, ip: Ip, dev: string | undefined, opts: AddrTypeOptions): AddrType {
  if (ip.value >> 24n === 0n || ip.value === 0xffffffffn) return 'BROADCAST';
  if (ip.value >> 28n === 0xen) return 'MULTICAST';
  const r = bestRoute(net.routes, opts.hasCustomRules ? ['local'] : ['local', 'main'], ip);
  if (!r || isError(r)) return 'UNICAST';
  // The device compared is the first next hop's (fib_info_nhc(res.fi, 0)).
  const routeDev = r.dev ?? r.nexthops?.[0]?.dev;
  if (dev !== undefined && routeDev !== dev) return 'UNICAST';
  return r.type.toUpperCase() as AddrType;
}

type Ipv6Class = 'any' | 'multicast' | 'mapped' | 'unicast';

/** The part of ipv6_addr_type() addrtype looks at: ::, ff00::/8, ::ffff:0:0/96, the rest unicast. */
function ipv6Class(ip: Ip): Ipv6Class {
  if (ip.value === 0n) return 'any';
  if (ip.value >> 120n === 0xffn) return 'multicast';
  if (ip.value >> 32n === 0xffffn) return 'mapped';
  return 'unicast';
}

/**
 * match_lookup_rt6(): LOCAL from the device's own addresses when a device is given, then a route
 * lookup — a failed or reject route makes it UNREACHABLE alone; a local route adds LOCAL (only
 * without a device); an anycast route or a subnet-router anycast address adds ANYCAST.
 */
function ipv6LookupTypes(net: HostNetwork, ip: Ip, dev: string | undefined, wantsLocal: boolean): Set<AddrType> {
  const found = new Set<AddrType>();
  if (dev !== undefined && wantsLocal && isAssignedOn(net, dev, ip)) found.add('LOCAL');
  const res = lookupRoute(net, ip);
  if (res.kind === 'none' || res.kind === 'blackhole' || res.kind === 'unreachable' || res.kind === 'prohibit') {
    return new Set<AddrType>(['UNREACHABLE']);
  }
  const route = res.route;
  if (dev === undefined && route?.type === 'local') found.add('LOCAL');
  // ipv6_anycast_destination(): an anycast route, or the destination is exactly the network
  // address of a connected (gateway-less) prefix shorter than /127.
  if (route && (route.type === 'anycast' || (route.type === 'unicast' && route.gateway === undefined &&
      route.nexthops === undefined && route.dst.prefix < 127 && route.dst.value === ip.value))) {
    found.add('ANYCAST');
  }
  return found;
}

function isAssignedOn(net: HostNetwork, dev: string, ip: Ip): boolean {
  const iface = net.interfaces.find((i) => i.name === dev);
  return !!iface?.addrs.some((a) => a.family === ip.family && parseIp(a.local)?.value === ip.value);
}
