import type { Ip } from '../cidr.js';

// Scope numbers of RFC 4291 §2.7 as include/net/ipv6.h names them (IPV6_ADDR_SCOPE_*).
const SCOPE_LINKLOCAL = 0x2;
const SCOPE_SITELOCAL = 0x5;
const SCOPE_GLOBAL = 0xe;

const isMulticast = (ip: Ip): boolean => ip.value >> 120n === 0xffn;
const top10 = (ip: Ip): bigint => ip.value >> 118n;

/**
 * The scope number source selection compares (__ipv6_addr_src_scope of __ipv6_addr_type): a
 * multicast address's own scope field; ::1 and fe80::/10 link-local (2); fec0::/10 site-local
 * (5); every other unicast address, ULAs included, global (14).
 */
export function ipv6SrcScope(ip: Ip): number {
  if (isMulticast(ip)) return Number((ip.value >> 112n) & 0xfn);
  if (ip.value === 1n || top10(ip) === 0x3fan) return SCOPE_LINKLOCAL;
  if (top10(ip) === 0x3fbn) return SCOPE_SITELOCAL;
  return SCOPE_GLOBAL;
}

/** The scope class REDIRECT compares (ipv6_addr_scope: the IPV6_ADDR_SCOPE_MASK bits); none for global. */
export type Ipv6ScopeClass = 'loopback' | 'linklocal' | 'sitelocal' | undefined;

export function ipv6ScopeClass(ip: Ip): Ipv6ScopeClass {
  if (isMulticast(ip)) {
    // ipv6_addr_scope2type(): node-local → loopback, link-local, site-local; wider → none.
    const scope = Number((ip.value >> 112n) & 0xfn);
    return scope === 1 ? 'loopback' : scope === SCOPE_LINKLOCAL ? 'linklocal' : scope === SCOPE_SITELOCAL ? 'sitelocal' : undefined;
  }
  if (ip.value === 1n) return 'loopback';
  if (top10(ip) === 0x3fan) return 'linklocal';
  if (top10(ip) === 0x3fbn) return 'sitelocal';
  return undefined;
}

/** True for ::ffff:0:0/96, which neither REDIRECT nor source selection will use. */
export function isV4Mapped(ip: Ip): boolean {
  return ip.value >> 32n === 0xffffn;
}

export { isMulticast as isIpv6Multicast };
