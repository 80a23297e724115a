import { cidrContains, formatCidr, formatIp, parseIp, prefixMask, type Cidr, type Ip } from '../cidr.js';
import type { HostNetwork, IfAddr } from '../host.js';
import { selectIpv6Source } from './ipv6-source.js';

/** An address the kernel picks for a NAT target, and why, in one short sentence. */
export interface SourceChoice {
  /** Undefined when the kernel finds none (it drops the packet) or the snapshot cannot tell. */
  readonly ip?: string;
  readonly how: string;
  /** False when the snapshot lacks what the kernel would look at (e.g. the device is not in the dump). */
  readonly isKnown: boolean;
}

// rtnetlink scope numbers (include/uapi/linux/rtnetlink.h, enum rt_scope_t).
const SCOPES: Readonly<Record<string, number>> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;

function scopeNumber(scope: string): number {
  const n = SCOPES[scope] ?? Number(scope);
  return Number.isInteger(n) ? n : SCOPES['nowhere']!;
}

/**
 * The source address MASQUERADE writes. IPv4: nf_nat_masquerade_ipv4() asks
 * inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE) (net/ipv4/devinet.c), where `nexthop` is the
 * route's gateway, or the destination itself on a connected route. On `outDev` it skips
 * secondary addresses and any whose scope is narrower than universe (the route_localnet tweak
 * only widens host to link scope, still too narrow here), and takes the first primary whose
 * subnet holds the next hop, else the first acceptable primary. A device without one falls back
 * to the first primary global address of any device, in the kernel's device-list order — taken
 * here as the dump's ifindex order, which matches unless links were moved in from another
 * namespace. VRF masters (l3mdev) are not modelled. IPv6: see selectIpv6Source — pass the packet's
 * destination as `nexthop`, since nf_nat_masquerade_ipv6 selects by destination.
 */
export function selectMasqueradeSource(net: HostNetwork, outDev: string, nexthop: Ip): SourceChoice {
  const iface = net.interfaces.find((i) => i.name === outDev);
  if (!iface) return { how: `${outDev} is not in the address dump, so its addresses are unknown`, isKnown: false };
  if (nexthop.family === 6) return selectIpv6Source(net, outDev, nexthop);
  const nh = formatIp(nexthop);
  let first: IfAddr | undefined;
  for (const a of iface.addrs) {
    if (a.family !== 4 || a.secondary || scopeNumber(a.scope) > RT_SCOPE_UNIVERSE) continue;
    const subnet = ifaSubnet(a);
    if (cidrContains(subnet, nexthop)) {
      return { ip: a.local, how: `primary address of ${outDev} on next hop ${nh}'s subnet ${formatCidr(subnet)}`, isKnown: true };
    }
    first ??= a;
  }
  if (first) {
    return { ip: first.local, how: `primary address of ${outDev} (no subnet of ${outDev} holds next hop ${nh})`, isKnown: true };
  }
  for (const other of net.interfaces) {
    // in_dev_select_addr(): the first primary address of scope universe, link scope excluded.
    const a = other.addrs.find((x) => {
      const scope = scopeNumber(x.scope);
      return x.family === 4 && !x.secondary && scope !== RT_SCOPE_LINK && scope <= RT_SCOPE_UNIVERSE;
    });
    if (a) {
      return {
        ip: a.local,
        how: `${outDev} has no primary global IPv4 address; first global address in interface order: ${other.name} ${a.local}`,
        isKnown: true,
      };
    }
  }
  return {
    how: `no interface has a primary global IPv4 address: MASQUERADE drops the packet ("${outDev} ate my IP address")`,
    isKnown: true,
  };
}

/** The subnet inet_ifa_match() tests: the peer's (ifa_address) on point-to-point addresses. */
function ifaSubnet(a: IfAddr): Cidr {
  const base = parseIp(a.peer ?? a.local)!;
  return { family: 4, value: base.value & prefixMask(a.prefixlen, 32), prefix: a.prefixlen };
}
