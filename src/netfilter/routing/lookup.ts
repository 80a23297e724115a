import { cidrContains, type Ip } from '../cidr.js';
import type { HostNetwork, Nexthop, Route } from '../host.js';

/** What routing decides for a destination. */
export type RouteLookup =
  /** Delivered to this node (a `local` route; for IPv6 also an `anycast` one). */
  | { readonly kind: 'local'; readonly route: Route }
  /** A broadcast route, or 255.255.255.255 (which never reaches the tables). */
  | { readonly kind: 'broadcast'; readonly route?: Route }
  /** A multicast destination; `route` is the route it matched, if any. */
  | { readonly kind: 'multicast'; readonly route?: Route }
  /**
   * Forwarded or sent out. `nexthops` always lists every path (one for a plain route); with
   * multipath the kernel hashes each flow onto a path, so a path carries weight/Σweights of the
   * flows. `dev` and `gateway` are set only when there is exactly one path.
   */
  | {
      readonly kind: 'unicast'; readonly route: Route; readonly nexthops: readonly Nexthop[];
      readonly dev?: string; readonly gateway?: string;
    }
  | { readonly kind: 'blackhole' | 'unreachable' | 'prohibit'; readonly route: Route }
  /** No route: the kernel answers ENETUNREACH. */
  | { readonly kind: 'none' };

/** Options for {@link lookupRoute}. */
export interface LookupOptions {
  /** Look in this one table only (as `ip route get … table T` would through a rule to it). */
  readonly table?: string;
  /**
   * The node has `ip rule`s beyond the three defaults (AWS VPC CNI and Cilium add some). The
   * kernel then looks in local, main and default one after another instead of through the
   * merged local+main trie; the answers differ only when a main route is more specific than a
   * local-table route, or a table holds a `throw`.
   */
  readonly hasCustomRules?: boolean;
}

/**
 * The kernel's route lookup by destination only (no source, mark, tos or input device). The
 * snapshot holds no `ip rule` list, so only the default rules are modelled: for IPv4, with no
 * custom rules the local and main tables share one trie (fib_trie "merge local and main", since
 * 4.1), so one longest-prefix match runs over both, then table default is tried when that finds
 * nothing (fib_lookup in include/net/ip_fib.h); for IPv6, table local then main (fib6_rules_lookup).
 * In a table the longest prefix wins, then the lowest metric, then dump order; `throw` ends the
 * search in that table. Routes flagged "linkdown" are used, as the kernel does while
 * net.ipv4.conf.*.ignore_routes_with_linkdown is 0 (the default); the model keeps no such flag.
 */
export function lookupRoute(net: HostNetwork, dst: Ip, opts: LookupOptions = {}): RouteLookup {
  // ip_route_input/output handle the limited broadcast before any table lookup.
  if (dst.family === 4 && dst.value === 0xffffffffn) return { kind: 'broadcast' };
  const found = findRoute(net, dst, opts);
  return found ? toLookup(found, dst) : { kind: 'none' };
}

/** True when the node delivers packets for `ip` to itself: the address is assigned here, or is
 * covered by a `local` route (all of 127.0.0.0/8 is, through `local 127.0.0.0/8 dev lo table local`). */
export function isLocalAddress(net: HostNetwork, ip: Ip): boolean {
  return lookupRoute(net, ip).kind === 'local';
}

/** The route a full lookup ends on (undefined: ENETUNREACH); error-type routes included. */
function findRoute(net: HostNetwork, dst: Ip, opts: LookupOptions): Route | undefined {
  if (opts.table !== undefined) return final(bestRoute(net.routes, [opts.table], dst));
  if (dst.family === 6 || opts.hasCustomRules) {
    const tables = dst.family === 6 ? ['local', 'main'] : ['local', 'main', 'default'];
    for (const t of tables) {
      const r = final(bestRoute(net.routes, [t], dst));
      if (r) return r;
    }
    return undefined;
  }
  // Only "no route" or a throw (-EAGAIN) moves on to table default; a blackhole, unreachable or
  // prohibit route in the merged trie stands even when table default has a route (checked on 6.18).
  return final(bestRoute(net.routes, ['local', 'main'], dst)) ?? final(bestRoute(net.routes, ['default'], dst));
}

/** A throw route means "not in this table" (-EAGAIN), the same as no match. */
function final(r: Route | undefined): Route | undefined {
  return r && r.type !== 'throw' ? r : undefined;
}

/** Route types whose lookup fails with an error (fib_props[].error < 0 in net/ipv4/fib_semantics.c). */
export function isError(r: Route): boolean {
  return r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit' || r.type === 'throw' || r.type === 'nat';
}

/**
 * Longest-prefix match over `tables` taken as one trie. At one prefix the kernel keeps the
 * routes ordered by table id (local 255 before main 254), then metric; dump order breaks ties.
 */
export function bestRoute(routes: readonly Route[], tables: readonly string[], dst: Ip): Route | undefined {
  let best: Route | undefined;
  let bestRank = 0;
  for (const r of routes) {
    const rank = tables.indexOf(r.table);
    if (rank < 0 || !cidrContains(r.dst, dst)) continue;
    if (
      !best ||
      r.dst.prefix > best.dst.prefix ||
      (r.dst.prefix === best.dst.prefix && (rank < bestRank || (rank === bestRank && r.metric < best.metric)))
    ) {
      best = r;
      bestRank = rank;
    }
  }
  return best;
}

function toLookup(route: Route, dst: Ip): RouteLookup {
  switch (route.type) {
    case 'local':
      return { kind: 'local', route };
    case 'anycast':
      // IPv6 delivers to anycast routes locally (ip6_rt_init_dst); IPv4 drops them as martians.
      return dst.family === 6 ? { kind: 'local', route } : { kind: 'blackhole', route };
    case 'broadcast':
      return { kind: 'broadcast', route };
    case 'multicast':
      return { kind: 'multicast', route };
    case 'blackhole':
    case 'nat':
      // RTN_NAT fails like a blackhole (-EINVAL); the kernel no longer does route NAT.
      return { kind: 'blackhole', route };
    case 'unreachable':
    case 'prohibit':
      return { kind: route.type, route };
    case 'throw':
    case 'unicast':
      break;
  }
  // __mkroute_output re-types a class-D destination as multicast whatever route it matched.
  if (dst.family === 4 && dst.value >> 28n === 0xen) return { kind: 'multicast', route };
  const nexthops: readonly Nexthop[] = route.nexthops ?? [{
    ...(route.gateway !== undefined ? { gateway: route.gateway } : {}),
    ...(route.dev !== undefined ? { dev: route.dev } : {}),
    weight: 1,
    onlink: route.onlink,
  }];
  const only = nexthops.length === 1 ? nexthops[0] : undefined;
  return {
    kind: 'unicast',
    route,
    nexthops,
    ...(only?.dev !== undefined ? { dev: only.dev } : {}),
    ...(only?.gateway !== undefined ? { gateway: only.gateway } : {}),
  };
}
