import type { Cidr } from '../cidr.js';
import type { Ipset, IpsetEntry, IpsetMap } from '../model.js';
import { IPSET_TYPES } from './set-types.js';

/** An entry with its place in the dump, for rules where the first stored element wins. */
export interface RankedEntry {
  readonly entry: IpsetEntry;
  readonly pos: number;
}

/**
 * The lookup structure of one set. Every kind answers a packet in time that does not grow with the
 * number of entries: hash kinds try one Map key per distinct prefix combination in the set.
 */
export type SetLookup =
  | { readonly kind: 'unknown'; readonly reason: string }
  | {
      readonly kind: 'hash';
      /** The element's packet-derived parts in order (an iface part is handled by 'net-iface'). */
      readonly dims: readonly ('addr' | 'port')[];
      /** Distinct prefix lengths of the addr parts, most specific first (dimension 0 first, then 1). */
      readonly tuples: readonly (readonly number[])[];
      readonly keys: ReadonlyMap<string, IpsetEntry>;
      /** Protocols of the port part, to tell "no port given" from "cannot match". */
      readonly protos: ReadonlySet<number>;
      readonly addrMask?: bigint;
    }
  | {
      readonly kind: 'net-iface';
      readonly prefixes: readonly number[];
      /** net key → (`e:NAME` exact or `w:PREFIX` wildcard) → first such entry. */
      readonly nets: ReadonlyMap<string, ReadonlyMap<string, RankedEntry>>;
    }
  | { readonly kind: 'port-bitmap'; readonly ports: ReadonlyMap<number, IpsetEntry> }
  | { readonly kind: 'list'; readonly members: readonly IpsetEntry[] };

/** The sets of a snapshot with a lookup structure per set, built once by indexIpsets. */
export interface IpsetIndex {
  readonly sets: IpsetMap;
  readonly lookups: ReadonlyMap<string, SetLookup>;
}

/**
 * Builds the lookup structures for every set. Build it once per snapshot and pass it to every
 * testSet call; the core keeps no module-level cache.
 */
export function indexIpsets(sets: IpsetMap): IpsetIndex {
  const lookups = new Map<string, SetLookup>();
  for (const [name, set] of sets) lookups.set(name, buildLookup(set));
  return { sets, lookups };
}

function buildLookup(set: Ipset): SetLookup {
  if (set.unmodelled) return { kind: 'unknown', reason: set.unmodelled };
  switch (set.type) {
    case 'list:set': return { kind: 'list', members: set.entries };
    case 'bitmap:port': return buildPortBitmap(set.entries);
    case 'hash:net,iface': return buildNetIface(set.entries);
    default: return buildHash(set);
  }
}

/** The key part of an address or prefix; the value is already masked to the prefix. */
export function addrKey(value: bigint, prefix: number): string {
  return `${value.toString(16)}/${prefix}`;
}

/** The key part of a protocol and port. */
export function portKey(proto: number, port: number): string {
  return `${proto}:${port}`;
}

function buildHash(set: Ipset): SetLookup {
  const dims = IPSET_TYPES[set.type].dims.map((d) => (d === 'port' ? 'port' : 'addr') as 'addr' | 'port');
  const keys = new Map<string, IpsetEntry>();
  const tuples = new Map<string, number[]>();
  const protos = new Set<number>();
  for (const e of set.entries) {
    const nets = e.nets.map((n) => masked(n, set.addrMask));
    const prefixes = nets.map((n) => n.prefix);
    tuples.set(prefixes.join('/'), prefixes);
    if (e.port) protos.add(e.port.proto);
    const from = e.port?.port ?? 0;
    const to = e.port?.portTo ?? from;
    for (let p = from; p <= to; p++) {
      let ni = 0;
      const key = dims.map((d) => (d === 'port' ? portKey(e.port!.proto, p) : keyOf(nets[ni++]!))).join(',');
      if (!keys.has(key)) keys.set(key, e);
    }
  }
  return {
    kind: 'hash', dims, keys, protos,
    tuples: [...tuples.values()].sort(compareDesc),
    ...(set.addrMask === undefined ? {} : { addrMask: set.addrMask }),
  };
}

/** netmask/bitmask sets store masked addresses (ipset masks on add), so a hand-written host still lines up. */
function masked(n: Cidr, mask: bigint | undefined): Cidr {
  return mask === undefined ? n : { ...n, value: n.value & mask };
}

function keyOf(n: Cidr): string {
  return addrKey(n.value, n.prefix);
}

/**
 * The kernel tries the prefix lengths of dimension 0 from longest to shortest and, inside each, those
 * of dimension 1 (mtype_test_cidrs in ip_set_hash_gen.h); the first stored element found decides.
 */
function compareDesc(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (b[i] ?? 0) - (a[i] ?? 0);
  return 0;
}

function buildPortBitmap(entries: readonly IpsetEntry[]): SetLookup {
  const ports = new Map<number, IpsetEntry>();
  for (const e of entries) {
    const from = e.port?.port ?? 0;
    for (let p = from; p <= (e.port?.portTo ?? from); p++) if (!ports.has(p)) ports.set(p, e);
  }
  return { kind: 'port-bitmap', ports };
}

/**
 * hash:net,iface keeps, per net, the elements in dump order: elements of one net share a hash bucket
 * (HKEY covers ip, cidr and physdev, not the name), `ipset save` walks buckets in order, and the first
 * equal element in the bucket decides. physdev elements hash apart from what the set match looks up
 * (it never sets IPSET_FLAG_PHYSDEV), so they are left out.
 */
function buildNetIface(entries: readonly IpsetEntry[]): SetLookup {
  const nets = new Map<string, Map<string, RankedEntry>>();
  const prefixes = new Set<number>();
  entries.forEach((entry, pos) => {
    const net = entry.nets[0];
    if (!net || entry.physdev || entry.iface === undefined) return;
    prefixes.add(net.prefix);
    const k = keyOf(net);
    let byIface = nets.get(k);
    if (!byIface) nets.set(k, (byIface = new Map()));
    const ik = `${entry.wildcard ? 'w' : 'e'}:${entry.iface}`;
    if (!byIface.has(ik)) byIface.set(ik, { entry, pos });
  });
  return { kind: 'net-iface', nets, prefixes: [...prefixes].sort((a, b) => b - a) };
}
