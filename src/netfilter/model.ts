import type { SourceLoc } from '../errors.js';
import type { Cidr } from './cidr.js';

/** The netfilter tables iptables-save writes. */
export type Table = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';
export const TABLES: readonly Table[] = ['raw', 'mangle', 'nat', 'filter', 'security'];

/** An inclusive port range; a single port has `from === to`. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** A `value/mask` pair as `-m mark --mark` and MARK/CONNMARK print it. */
export interface MarkMask {
  readonly value: number;
  readonly mask: number;
}

export type AddrType =
  | 'UNSPEC' | 'UNICAST' | 'LOCAL' | 'BROADCAST' | 'ANYCAST' | 'MULTICAST'
  | 'BLACKHOLE' | 'UNREACHABLE' | 'PROHIBIT' | 'THROW' | 'NAT' | 'XRESOLVE';

export type CtState = 'INVALID' | 'NEW' | 'ESTABLISHED' | 'RELATED' | 'UNTRACKED' | 'SNAT' | 'DNAT';

/** One parsed match. Core options (-s -d -p -i -o -f) are matches too. */
export type Match =
  | { readonly kind: 'addr'; readonly field: 'src' | 'dst'; readonly cidr: Cidr; readonly negated: boolean }
  | { readonly kind: 'proto'; readonly proto: number; readonly name: string; readonly negated: boolean }
  | { readonly kind: 'iface'; readonly dir: 'in' | 'out'; readonly name: string; readonly wildcard: boolean; readonly negated: boolean }
  | { readonly kind: 'fragment'; readonly negated: boolean }
  | {
      readonly kind: 'port';
      readonly module: 'tcp' | 'udp' | 'sctp' | 'udplite' | 'dccp';
      readonly sport?: { readonly range: PortRange; readonly negated: boolean };
      readonly dport?: { readonly range: PortRange; readonly negated: boolean };
      /** --tcp-flags MASK COMP or --syn (MASK SYN,RST,ACK,FIN COMP SYN). Flag bits: FIN 1 SYN 2 RST 4 PSH 8 ACK 16 URG 32. */
      readonly tcpFlags?: { readonly mask: number; readonly comp: number; readonly negated: boolean };
    }
  | { readonly kind: 'multiport'; readonly field: 'sport' | 'dport' | 'either'; readonly ranges: readonly PortRange[]; readonly negated: boolean }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'mark'; readonly source: 'packet' | 'conn'; readonly mm: MarkMask; readonly negated: boolean }
  | {
      readonly kind: 'set';
      readonly set: string;
      readonly dirs: readonly ('src' | 'dst')[];
      readonly negated: boolean;
      readonly returnNomatch: boolean;
      /** Counter conditions (--packets-gt …) depend on state the snapshot does not hold. */
      readonly counterConditions: readonly string[];
    }
  | {
      readonly kind: 'addrtype';
      readonly src?: { readonly types: readonly AddrType[]; readonly negated: boolean };
      readonly dst?: { readonly types: readonly AddrType[]; readonly negated: boolean };
      readonly limitIfaceIn: boolean;
      readonly limitIfaceOut: boolean;
    }
  | { readonly kind: 'statistic'; readonly mode: 'random'; readonly probability: number; readonly negated: boolean }
  | { readonly kind: 'statistic'; readonly mode: 'nth'; readonly every: number; readonly packet: number; readonly negated: boolean }
  | {
      readonly kind: 'recent';
      readonly name: string;
      readonly command: 'set' | 'rcheck' | 'update' | 'remove';
      readonly side: 'source' | 'dest';
      readonly seconds?: number;
      readonly hitcount?: number;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'conntrack';
      readonly states?: { readonly states: readonly CtState[]; readonly negated: boolean };
      /** Other conntrack options (--ctstatus, --ctorigdst …) are kept but not modelled. */
      readonly unmodelledOptions: readonly string[];
    }
  | {
      readonly kind: 'physdev';
      readonly conditions: readonly { readonly option: string; readonly value?: string; readonly negated: boolean }[];
    }
  | { readonly kind: 'icmp'; readonly family: 4 | 6; readonly type: number | 'any'; readonly code?: number; readonly negated: boolean }
  | { readonly kind: 'mac'; readonly mac: string; readonly negated: boolean }
  | { readonly kind: 'nfacct'; readonly name: string }
  | { readonly kind: 'unmodelled'; readonly module: string; readonly args: readonly string[]; readonly reason: string };

/** One parsed target. A rule without -j/-g has target `none` (it only counts). */
export type Target =
  | { readonly kind: 'none' }
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  | { readonly kind: 'reject'; readonly with: string }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'goto'; readonly chain: string }
  | { readonly kind: 'dnat'; readonly ranges: readonly NatRange[] }
  | { readonly kind: 'snat'; readonly ranges: readonly NatRange[]; readonly random: boolean; readonly randomFully: boolean; readonly persistent: boolean }
  | { readonly kind: 'masquerade'; readonly ports?: PortRange; readonly random: boolean; readonly randomFully: boolean }
  | { readonly kind: 'redirect'; readonly ports?: PortRange; readonly random: boolean }
  | { readonly kind: 'mark'; readonly op: MarkOp }
  | { readonly kind: 'connmark'; readonly op: ConnmarkOp }
  | { readonly kind: 'log'; readonly name: string; readonly args: readonly string[] }
  | { readonly kind: 'notrack'; readonly name: string }
  | { readonly kind: 'ct'; readonly notrack: boolean; readonly args: readonly string[] }
  | { readonly kind: 'unmodelled'; readonly name: string; readonly args: readonly string[] };

/** A DNAT/SNAT `--to-destination`/`--to-source` value: an address range and an optional port range. */
export interface NatRange {
  readonly addrFrom?: string;
  readonly addrTo?: string;
  readonly ports?: PortRange;
  readonly text: string;
}

/** MARK normalised to the kernel's form: newmark = (mark & ~mask) ^ value. */
export interface MarkOp {
  readonly value: number;
  readonly mask: number;
  readonly text: string;
}

/** CONNMARK operations, with the kernel's formulas (net/netfilter/xt_connmark.c). */
export type ConnmarkOp =
  | { readonly op: 'set'; readonly value: number; readonly mask: number; readonly text: string }
  | { readonly op: 'save'; readonly nfmask: number; readonly ctmask: number; readonly text: string }
  | { readonly op: 'restore'; readonly nfmask: number; readonly ctmask: number; readonly text: string };

/** One rule exactly as dumped, with its place in the chain. */
export interface Rule {
  readonly table: Table;
  readonly chain: string;
  /** 1-based, as `iptables -L --line-numbers` numbers them. */
  readonly position: number;
  readonly matches: readonly Match[];
  readonly target: Target;
  /** The rule text without a counters prefix. */
  readonly raw: string;
  readonly loc: SourceLoc;
  readonly counters?: { readonly packets: bigint; readonly bytes: bigint };
}

/** What a rule requires of the packet that an index can file it under (see evaluate/chain-index.ts). */
export interface RuleKeys {
  /** One exact destination (`-d ADDR/32`, not negated), as "family:value". */
  readonly dst?: string;
  /** One exact destination port (`--dport N` of -m tcp/udp/sctp, not negated); only when no `dst`. */
  readonly dport?: number;
}

export interface Chain {
  readonly name: string;
  /** Built-in chains carry a policy; user chains have `undefined`. */
  readonly policy: 'ACCEPT' | 'DROP' | undefined;
  /** Every rule (with a lazily parsed dump, reading this parses them all). */
  readonly rules: readonly Rule[];
  /** Number of rules. */
  readonly size: number;
  /** Rule `index` (0-based); parsed on first read when the dump was parsed lazily. */
  rule(index: number): Rule;
  /** Index keys of rule `index`, read without parsing the whole rule where possible. */
  keys(index: number): RuleKeys;
  readonly loc: SourceLoc;
}

export interface TableRules {
  readonly name: Table;
  readonly chains: ReadonlyMap<string, Chain>;
}

/** A whole iptables-save (or ip6tables-save) dump. */
export interface Ruleset {
  readonly family: 4 | 6;
  readonly file: string;
  readonly tables: ReadonlyMap<Table, TableRules>;
  /** Header comment, e.g. "iptables-save v1.8.9 (nf_tables)". */
  readonly generator?: string;
}

/** ipset types kpath reads. */
export type IpsetType =
  | 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'hash:net' | 'hash:net,port'
  | 'hash:net,iface' | 'hash:ip,mark' | 'hash:net,net' | 'hash:net,port,net' | 'hash:mac' | 'hash:ip,mac'
  | 'bitmap:port' | 'bitmap:ip' | 'bitmap:ip,mac' | 'list:set';

/** One element of a set, split into its dimensions. */
export interface IpsetEntry {
  /** Address or prefix dimensions, in order (one for hash:ip, two for hash:ip,port,ip …). */
  readonly nets: readonly Cidr[];
  /**
   * Port dimension, with protocol number (0 when the set type has no protocol). ICMP and ICMPv6
   * entries hold (type << 8) | code, which is what the kernel compares for them.
   */
  readonly port?: { readonly proto: number; readonly port: number; readonly portTo?: number };
  /** `nomatch` entries exclude (hash:net types). */
  readonly nomatch: boolean;
  /** Members of a list:set. */
  readonly member?: string;
  readonly iface?: string;
  /** hash:net,iface `physdev:NAME`: a bridge port, which the set match never looks up. */
  readonly physdev?: boolean;
  /** hash:net,iface `wildcard`: `iface` is a name prefix. */
  readonly wildcard?: boolean;
  /** Seconds left when dumped (`timeout N`). */
  readonly timeout?: number;
  readonly counters?: { readonly packets: bigint; readonly bytes: bigint };
  readonly comment?: string;
  /** skbinfo extension values as dumped (`skbmark 0x10/0xff skbprio 1:2 skbqueue 3`). */
  readonly skbinfo?: { readonly mark?: MarkMask; readonly prio?: string; readonly queue?: number };
  /** The element as written (without its options). */
  readonly text: string;
  readonly loc: SourceLoc;
}

export interface Ipset {
  readonly name: string;
  readonly type: IpsetType;
  /** bitmap:port, list:set and hash:mac have no family (NFPROTO_UNSPEC) and answer for both. */
  readonly family: 4 | 6 | 'any';
  readonly entries: readonly IpsetEntry[];
  /** bitmap:port range. */
  readonly range?: PortRange;
  /** `netmask N` / `bitmask M` of hash:ip and bitmap:ip: packet addresses are masked before lookup. */
  readonly addrMask?: bigint;
  /** Set when lookups in this set answer unknown; says why (type not modelled, members not dumped). */
  readonly unmodelled?: string;
  readonly loc: SourceLoc;
  /** The create options (or `Header:` words) as dumped. */
  readonly options: readonly string[];
}

export type IpsetMap = ReadonlyMap<string, Ipset>;
