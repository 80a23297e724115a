import { prefixMask, type Ip } from '../cidr.js';
import type { IpsetEntry } from '../model.js';
import { hasPorts, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from './protocols.js';
import { addrKey, portKey, type IpsetIndex, type SetLookup } from './set-index.js';
import { IPSET_TYPES } from './set-types.js';

/** A `--match-set` direction flag: which address or port of the packet a dimension uses. */
export type SetDir = 'src' | 'dst';

/** What a set lookup needs to know about a packet. */
export interface IpsetPacket {
  readonly family: 4 | 6;
  readonly proto: number;
  readonly src: Ip;
  readonly dst: Ip;
  readonly sport?: number;
  readonly dport?: number;
  /** ICMP/ICMPv6 type and code; the code defaults to 0 when only the type is given. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** Interface names for hash:net,iface; `''` means none (as in OUTPUT), `undefined` means not known. */
  readonly iif?: string;
  readonly oif?: string;
}

/**
 * The answer of a lookup. `nomatch-entry` means the kernel found a `nomatch` element, so the plain
 * match is false; `entry` and `set` name the element that decided (for list:set, inside the member).
 */
export interface IpsetAnswer {
  readonly result: 'match' | 'no-match' | 'nomatch-entry' | 'unknown';
  readonly reason?: string;
  readonly set?: string;
  readonly entry?: IpsetEntry;
}

export interface TestSetOptions {
  /**
   * `--return-nomatch`: for types with nomatch elements the kernel inverts the answer
   * (ip_set_test in ip_set_core.c): a nomatch element matches and an ordinary element does not.
   */
  readonly returnNomatch?: boolean;
}

/**
 * Tests a packet against set `name` the way xt_set does: dimension i reads dirs[i]; fewer dirs than
 * the type's dimension, or another family, never match (ip_set_test: opt->dim < set->type->dimension).
 * `index` comes from indexIpsets, built once per snapshot.
 */
export function testSet(index: IpsetIndex, name: string, dirs: readonly SetDir[], pkt: IpsetPacket, opts: TestSetOptions = {}): IpsetAnswer {
  const set = index.sets.get(name);
  const lookup = index.lookups.get(name);
  if (!set || !lookup) return { result: 'unknown', reason: `ipset ${name} not in snapshot` };
  const info = IPSET_TYPES[set.type];
  if (dirs.length < info.dimension) {
    return { result: 'no-match', reason: `ipset ${name} (${set.type}) needs ${info.dimension} src/dst flags, the match gives ${dirs.length}` };
  }
  if (set.family !== 'any' && set.family !== pkt.family) {
    return { result: 'no-match', reason: `ipset ${name} is IPv${set.family}, the packet IPv${pkt.family}` };
  }
  const answer = lookupIn(index, name, lookup, dirs, pkt, opts);
  if (!opts.returnNomatch || !info.hasNomatch) return answer;
  if (answer.result === 'nomatch-entry') return { ...answer, result: 'match', reason: `--return-nomatch: nomatch element ${answer.entry?.text ?? ''} of ${name}` };
  if (answer.result === 'match') return { ...answer, result: 'no-match', reason: `--return-nomatch: ${answer.entry?.text ?? ''} of ${name} is an ordinary element` };
  return answer;
}

function lookupIn(index: IpsetIndex, name: string, lookup: SetLookup, dirs: readonly SetDir[], pkt: IpsetPacket, opts: TestSetOptions): IpsetAnswer {
  switch (lookup.kind) {
    case 'unknown': return { result: 'unknown', reason: `ipset ${name}: ${lookup.reason}` };
    case 'hash': return testHash(name, lookup, dirs, pkt);
    case 'net-iface': return testNetIface(name, lookup, dirs, pkt);
    case 'port-bitmap': return testPortBitmap(name, lookup, dirs, pkt);
    case 'list': return testList(index, name, lookup.members, dirs, pkt, opts);
  }
}

/** The value the kernel puts in the port slot, or why there is none. */
type PortRead = { readonly port: number } | { readonly missing: string } | { readonly none: string };

/**
 * ip_set_get_ip4_port/ip_set_get_ip6_port (ip_set_getport.c): TCP, UDP, SCTP and UDPLITE give the
 * src or dst port, ICMP and ICMPv6 give (type << 8) | code whatever the direction, other protocols
 * give port 0, and protocol 0 gives nothing (the lookup fails).
 */
function readPort(pkt: IpsetPacket, dir: SetDir): PortRead {
  if (pkt.proto <= 0) return { none: 'protocol 0 has no port information' };
  if (hasPorts(pkt.proto)) {
    const port = dir === 'src' ? pkt.sport : pkt.dport;
    return port === undefined ? { missing: `the packet's ${dir === 'src' ? 'source' : 'destination'} port is not known` } : { port };
  }
  if ((pkt.family === 4 && pkt.proto === IPPROTO_ICMP) || (pkt.family === 6 && pkt.proto === IPPROTO_ICMPV6)) {
    if (pkt.icmpType === undefined) return { missing: 'the packet\'s ICMP type is not known' };
    return { port: (pkt.icmpType << 8) | (pkt.icmpCode ?? 0) };
  }
  return { port: 0 };
}

function addrOf(pkt: IpsetPacket, dir: SetDir | undefined): bigint {
  return (dir === 'src' ? pkt.src : pkt.dst).value;
}

function testHash(name: string, h: Extract<SetLookup, { kind: 'hash' }>, dirs: readonly SetDir[], pkt: IpsetPacket): IpsetAnswer {
  const bits = pkt.family === 4 ? 32 : 128;
  const addrs: bigint[] = [];
  let port = '';
  for (let i = 0; i < h.dims.length; i++) {
    if (h.dims[i] === 'addr') {
      const a = addrOf(pkt, dirs[i]);
      addrs.push(h.addrMask === undefined ? a : a & h.addrMask);
      continue;
    }
    const r = readPort(pkt, dirs[i]!);
    if ('none' in r) return { result: 'no-match', reason: r.none };
    if ('missing' in r) {
      return h.protos.has(pkt.proto)
        ? { result: 'unknown', reason: `ipset ${name} holds protocol ${pkt.proto} elements, but ${r.missing}` }
        : { result: 'no-match', reason: `ipset ${name} holds no protocol ${pkt.proto} elements` };
    }
    port = portKey(pkt.proto, r.port);
  }
  for (const tuple of h.tuples) {
    let ai = 0;
    const key = h.dims.map((d) => {
      if (d === 'port') return port;
      const p = tuple[ai]!;
      return addrKey(addrs[ai++]! & prefixMask(p, bits), p);
    }).join(',');
    const entry = h.keys.get(key);
    if (entry) return found(name, entry);
  }
  return { result: 'no-match' };
}

function found(name: string, entry: IpsetEntry): IpsetAnswer {
  return { result: entry.nomatch ? 'nomatch-entry' : 'match', set: name, entry };
}

/**
 * hash:net,iface (IP_SET_HASH_WITH_MULTI): the lookup walks prefixes from longest to shortest and
 * stops after the first prefix at which the packet's net is stored under any interface name, even
 * when no name there fits (checked with `ipset test` on ipset 7.17 / kernel 6.18).
 */
function testNetIface(name: string, h: Extract<SetLookup, { kind: 'net-iface' }>, dirs: readonly SetDir[], pkt: IpsetPacket): IpsetAnswer {
  const bits = pkt.family === 4 ? 32 : 128;
  const addr = addrOf(pkt, dirs[0]);
  const inbound = dirs[1] === 'src';
  const iface = inbound ? pkt.iif : pkt.oif;
  if (iface === undefined) return { result: 'unknown', reason: `ipset ${name} needs the packet's ${inbound ? 'input' : 'output'} interface` };
  // hash_netiface4_kadt returns -EINVAL for an empty name (no device in this hook).
  if (iface === '') return { result: 'no-match', reason: `the packet has no ${inbound ? 'input' : 'output'} interface here` };
  for (const p of h.prefixes) {
    const byIface = h.nets.get(addrKey(addr & prefixMask(p, bits), p));
    if (!byIface) continue;
    let best = byIface.get(`e:${iface}`);
    for (let n = 1; n <= iface.length; n++) {
      const w = byIface.get(`w:${iface.slice(0, n)}`);
      if (w && (!best || w.pos < best.pos)) best = w;
    }
    return best ? found(name, best.entry) : { result: 'no-match', reason: `ipset ${name} stores this /${p} net only for other interfaces` };
  }
  return { result: 'no-match' };
}

/** bitmap:port reads the port with ip_set_get_ip_port, which accepts only TCP and UDP packets. */
function testPortBitmap(name: string, h: Extract<SetLookup, { kind: 'port-bitmap' }>, dirs: readonly SetDir[], pkt: IpsetPacket): IpsetAnswer {
  if (pkt.proto !== IPPROTO_TCP && pkt.proto !== IPPROTO_UDP) {
    return { result: 'no-match', reason: `bitmap:port ${name} matches only TCP and UDP packets` };
  }
  const r = readPort(pkt, dirs[0]!);
  if (!('port' in r)) return { result: 'unknown', reason: `ipset ${name}: ${'missing' in r ? r.missing : r.none}` };
  const entry = h.ports.get(r.port);
  return entry ? found(name, entry) : { result: 'no-match' };
}

/** list:set tests its members in order with the same flags; the first member that matches wins (list_set_ktest). */
function testList(index: IpsetIndex, name: string, members: readonly IpsetEntry[], dirs: readonly SetDir[], pkt: IpsetPacket, opts: TestSetOptions): IpsetAnswer {
  let unknown: IpsetAnswer | undefined;
  let nomatch: IpsetAnswer | undefined;
  for (const m of members) {
    const member = m.member ?? m.text;
    if (index.sets.get(member)?.type === 'list:set') {
      unknown ??= { result: 'unknown', reason: `list:set ${name} holds list:set ${member}, which the kernel refuses` };
      continue;
    }
    const a = testSet(index, member, dirs, pkt, opts);
    if (a.result === 'match') return { ...a, reason: `member ${member} of list:set ${name}` };
    if (a.result === 'unknown') unknown ??= a;
    if (a.result === 'nomatch-entry') nomatch ??= a;
  }
  return unknown ?? nomatch ?? { result: 'no-match' };
}

/**
 * The lookup packet for a packet at some point of the evaluator's walk. The evaluator always knows
 * whether a device exists at this hook: no device is '' (the kernel's empty name), never unknown.
 */
export function ipsetPacket(p: {
  readonly family: 4 | 6; readonly proto: number; readonly src: Ip; readonly dst: Ip; readonly sport: number | undefined;
  readonly dport: number | undefined; readonly icmpType: number | undefined; readonly icmpCode: number | undefined;
  readonly iif: string | undefined; readonly oif: string | undefined;
}): IpsetPacket {
  return {
    family: p.family, proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport,
    icmpType: p.icmpType, icmpCode: p.icmpCode, iif: p.iif ?? '', oif: p.oif ?? '',
  };
}
