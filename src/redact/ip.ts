import { createHmac } from 'node:crypto';
import { formatIp, parseIp, prefixMask, type Ip } from '../netfilter/cidr.js';

// Prefix-preserving address pseudonyms in the manner of Crypto-PAn (Xu, Fan, Ammar, Moon 2002):
// bit i of the output is bit i of the input XOR a keyed function of the input's first i bits, so
// two addresses sharing a k-bit prefix map to addresses sharing exactly a k-bit prefix, and the map
// is a bijection. The keyed function is HMAC-SHA256(key, family/i/prefix) (one bit of it).
//
// Special-purpose blocks are pinned so that they map to themselves: a trie node that is an ancestor
// of a pinned block never flips. Then no address outside a block can land inside one (the first
// bit where input and output differ would sit on an ancestor of the block), and every block is
// closed under the map. Two kinds of pins:
//   - `keep`: the whole block is left as it is (loopback, link-local, multicast, documentation …);
//   - `prefix`: the block's prefix is kept and the rest is anonymised (RFC 1918, CGNAT, ULA …), so a
//     private address stays private, in the same private block.

interface Block {
  readonly value: bigint;
  readonly len: number;
  readonly keep: boolean;
}

function block(text: string, keep: boolean): Block {
  const [a, l] = text.split('/') as [string, string];
  const ip = parseIp(a)!;
  return { value: ip.value, len: Number(l), keep };
}

/** IPv4 blocks: kept as they are, or kept to their prefix. */
export const V4_BLOCKS: readonly Block[] = [
  block('0.0.0.0/8', true), block('127.0.0.0/8', true), block('169.254.0.0/16', true),
  block('224.0.0.0/3', true), // multicast 224/4, reserved 240/4 (netmasks like 255.255.255.0, broadcast)
  block('192.0.2.0/24', true), block('198.51.100.0/24', true), block('203.0.113.0/24', true), // RFC 5737
  block('10.0.0.0/8', false), block('172.16.0.0/12', false), block('192.168.0.0/16', false),
  block('100.64.0.0/10', false), block('198.18.0.0/15', false),
];

/** IPv6 blocks (IPv4-mapped ::ffff:0:0/96 is mapped through the IPv4 map instead). */
export const V6_BLOCKS: readonly Block[] = [
  block('::/128', true), block('::1/128', true), block('ff00::/8', true), block('2001:db8::/32', true),
  block('fe80::/10', false), block('fc00::/7', false), block('64:ff9b::/96', false),
];

const MAPPED_V4 = 0xffffn << 32n;

/** A keyed, consistent, prefix-preserving address map. */
export interface IpMapper {
  /** The pseudonym of an address (same family), or the address itself when it is in a kept block. */
  map(ip: Ip): Ip;
  /** Whether the address stays as it is (a kept block). */
  isKept(ip: Ip): boolean;
}

/** Creates the address map for one key (the salt, through HMAC). */
export function createIpMapper(key: string): IpMapper {
  const cache = new Map<string, number>();
  const flipBit = (family: 4 | 6, i: number, prefix: bigint): number => {
    const k = `${family}/${i}/${prefix.toString(16)}`;
    let b = cache.get(k);
    if (b === undefined) {
      b = createHmac('sha256', key).update(`kpath-redact ip ${k}`).digest()[0]! & 1;
      cache.set(k, b);
    }
    return b;
  };
  const pinned = (blocks: readonly Block[], bits: number, i: number, prefix: bigint): boolean =>
    blocks.some((b) => {
      // An ancestor of the block: flipping here could move an outside address into it.
      if (b.len > i) return (b.value >> BigInt(bits - i)) === prefix;
      // Inside a kept block: nothing below it moves.
      return b.keep && (prefix >> BigInt(i - b.len)) === (b.value >> BigInt(bits - b.len));
    });
  const permute = (family: 4 | 6, value: bigint): bigint => {
    const bits = family === 4 ? 32 : 128;
    const blocks = family === 4 ? V4_BLOCKS : V6_BLOCKS;
    let out = value;
    for (let i = 0; i < bits; i++) {
      const prefix = value >> BigInt(bits - i);
      if (pinned(blocks, bits, i, prefix)) continue;
      if (flipBit(family, i, prefix) === 1) out ^= 1n << BigInt(bits - 1 - i);
    }
    return out;
  };
  const isKept = (ip: Ip): boolean => {
    const bits = ip.family === 4 ? 32 : 128;
    const blocks = ip.family === 4 ? V4_BLOCKS : V6_BLOCKS;
    if (ip.family === 6 && (ip.value >> 32n) === 0xffffn) return isKept({ family: 4, value: ip.value & 0xffffffffn });
    return blocks.some((b) => b.keep && (ip.value & prefixMask(b.len, bits)) === b.value);
  };
  const memo = new Map<string, bigint>();
  return {
    isKept,
    map(ip) {
      const k = `${ip.family}/${ip.value.toString(16)}`;
      let v = memo.get(k);
      if (v === undefined) {
        v = ip.family === 6 && (ip.value >> 32n) === 0xffffn ? MAPPED_V4 | permute(4, ip.value & 0xffffffffn) : permute(ip.family, ip.value);
        memo.set(k, v);
      }
      return { family: ip.family, value: v };
    },
  };
}

/**
 * Rewrites an address text, keeping its form: a `/len` suffix stays (a canonical network address
 * stays canonical, with host bits cleared), an IPv6 zone (`%eth0`) and an IPv4-mapped dotted tail
 * stay. Undefined when `text` is not an address.
 */
export function mapAddressText(m: IpMapper, text: string): string | undefined {
  const slash = text.indexOf('/');
  const addrPart = slash < 0 ? text : text.slice(0, slash);
  const lenPart = slash < 0 ? undefined : text.slice(slash + 1);
  const pct = addrPart.indexOf('%');
  const zone = pct < 0 ? '' : addrPart.slice(pct);
  const bare = pct < 0 ? addrPart : addrPart.slice(0, pct);
  const ip = parseIp(bare);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  let len: number | undefined;
  if (lenPart !== undefined) {
    if (!/^\d{1,3}$/.test(lenPart) || Number(lenPart) > bits) return undefined;
    len = Number(lenPart);
  }
  let out = m.map(ip);
  // A network address stays a network address of the mapped prefix.
  if (len !== undefined && (ip.value & ~prefixMask(len, bits) & ((1n << BigInt(bits)) - 1n)) === 0n) {
    out = { family: out.family, value: out.value & prefixMask(len, bits) };
  }
  let s = formatIp(out);
  if (ip.family === 6 && (out.value >> 32n) === 0xffffn && bare.includes('.')) {
    s = `::ffff:${formatIp({ family: 4, value: out.value & 0xffffffffn })}`;
  }
  return `${s}${zone}${len !== undefined ? `/${len}` : ''}`;
}
