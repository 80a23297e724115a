import type { IpsetType } from '../model.js';

/** What one comma-separated part of an element holds. */
export type IpsetDim = 'ip' | 'net' | 'port' | 'iface' | 'mac' | 'mark' | 'set';

/** Facts about a set type that the parser and the lookup need. */
export interface IpsetTypeInfo {
  /** The parts of an element, in order. */
  readonly dims: readonly IpsetDim[];
  /** How many `src`/`dst` flags a match needs (set->type->dimension); list:set has none of its own. */
  readonly dimension: number;
  /** `family` says the set has an inet/inet6 family; `ipv4` types are IPv4 only; `any` are NFPROTO_UNSPEC. */
  readonly family: 'family' | 'ipv4' | 'any';
  /** Has IPSET_TYPE_NOMATCH: elements may be `nomatch`, and --return-nomatch inverts answers. */
  readonly hasNomatch: boolean;
  /** Set when kpath reads the type but cannot answer lookups on it; says why. */
  readonly unmodelled?: string;
}

const MAC = 'packet MAC addresses are not modelled';

/**
 * Every type ipset 7.17 creates. Dimensions and features follow the kernel's ip_set_type structs
 * (net/netfilter/ipset/ip_set_*.c): bitmap:port, list:set and hash:mac are NFPROTO_UNSPEC, so they
 * answer for IPv4 and IPv6 packets alike.
 */
export const IPSET_TYPES = {
  'hash:ip': { dims: ['ip'], dimension: 1, family: 'family', hasNomatch: false },
  'hash:ip,port': { dims: ['ip', 'port'], dimension: 2, family: 'family', hasNomatch: false },
  'hash:ip,port,ip': { dims: ['ip', 'port', 'ip'], dimension: 3, family: 'family', hasNomatch: false },
  'hash:ip,port,net': { dims: ['ip', 'port', 'net'], dimension: 3, family: 'family', hasNomatch: true },
  'hash:net': { dims: ['net'], dimension: 1, family: 'family', hasNomatch: true },
  'hash:net,port': { dims: ['net', 'port'], dimension: 2, family: 'family', hasNomatch: true },
  'hash:net,iface': { dims: ['net', 'iface'], dimension: 2, family: 'family', hasNomatch: true },
  'hash:net,net': { dims: ['net', 'net'], dimension: 2, family: 'family', hasNomatch: true },
  'hash:net,port,net': { dims: ['net', 'port', 'net'], dimension: 3, family: 'family', hasNomatch: true },
  'hash:ip,mark': {
    dims: ['ip', 'mark'], dimension: 2, family: 'family', hasNomatch: false,
    unmodelled: 'hash:ip,mark needs the packet mark, which the lookup is not given',
  },
  'hash:mac': { dims: ['mac'], dimension: 1, family: 'any', hasNomatch: false, unmodelled: MAC },
  'hash:ip,mac': { dims: ['ip', 'mac'], dimension: 2, family: 'family', hasNomatch: false, unmodelled: MAC },
  'bitmap:port': { dims: ['port'], dimension: 1, family: 'any', hasNomatch: false },
  'bitmap:ip': { dims: ['ip'], dimension: 1, family: 'ipv4', hasNomatch: false },
  'bitmap:ip,mac': { dims: ['ip', 'mac'], dimension: 2, family: 'ipv4', hasNomatch: false, unmodelled: MAC },
  'list:set': { dims: ['set'], dimension: 0, family: 'any', hasNomatch: false },
} as const satisfies Record<IpsetType, IpsetTypeInfo>;

/** The type info of a type name, or `undefined` when ipset has no such type. */
export function ipsetTypeInfo(name: string): IpsetTypeInfo | undefined {
  return Object.hasOwn(IPSET_TYPES, name) ? IPSET_TYPES[name as IpsetType] : undefined;
}

/** Narrows a type name to IpsetType. */
export function isIpsetType(name: string): name is IpsetType {
  return Object.hasOwn(IPSET_TYPES, name);
}
