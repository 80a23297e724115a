import type { Cidr } from './cidr.js';

/** One address on an interface, from `ip -j addr show`. */
export interface IfAddr {
  readonly family: 4 | 6;
  readonly local: string;
  readonly prefixlen: number;
  /** iproute2's scope word: global, host, link, site, or a number. */
  readonly scope: string;
  readonly secondary: boolean;
  /** Peer address on point-to-point links (ip addr add A peer B). */
  readonly peer?: string;
}

/** One link, in the dump's (ifindex) order. */
export interface Interface {
  readonly name: string;
  readonly ifindex: number;
  readonly flags: readonly string[];
  readonly linkType?: string;
  /** Bridge or bond this link is enslaved to. */
  readonly master?: string;
  readonly operstate?: string;
  readonly addrs: readonly IfAddr[];
}

export type RouteType =
  | 'unicast' | 'local' | 'broadcast' | 'multicast' | 'anycast'
  | 'blackhole' | 'unreachable' | 'prohibit' | 'throw' | 'nat';

export interface Nexthop {
  readonly gateway?: string;
  readonly dev?: string;
  readonly weight: number;
  readonly onlink: boolean;
}

/** One route from `ip -j route show table all`. */
export interface Route {
  readonly table: string;
  readonly type: RouteType;
  readonly dst: Cidr;
  readonly gateway?: string;
  readonly dev?: string;
  readonly prefsrc?: string;
  readonly metric: number;
  readonly scope?: string;
  readonly protocol?: string;
  readonly onlink: boolean;
  /** ECMP routes list their next hops here (and have no gateway/dev of their own). */
  readonly nexthops?: readonly Nexthop[];
  readonly text: string;
}

/** What a node's `ip -j addr` and `ip -j route` say, as data. */
export interface HostNetwork {
  readonly interfaces: readonly Interface[];
  readonly routes: readonly Route[];
  /** True when the routes came from the dump (false: addresses only, routes derived). */
  readonly hasRouteDump: boolean;
}
