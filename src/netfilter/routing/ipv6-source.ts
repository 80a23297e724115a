import { parseIp, prefixMask, type Cidr, type Ip } from '../cidr.js';
import type { HostNetwork } from '../host.js';
import { ipv6SrcScope, isIpv6Multicast, isV4Mapped } from './ipv6-scope.js';
import type { SourceChoice } from './masquerade-source.js';

// RFC 6724 §2.1 default policy labels as the kernel installs them (net/ipv6/addrlabel.c).
const LABELS: readonly { readonly net: Cidr; readonly label: number }[] = [
  ['::1/128', 0], ['::/0', 1], ['fc00::/7', 5], ['fec0::/10', 11], ['2002::/16', 2], ['3ffe::/16', 12],
  ['2001::/32', 6], ['2001:10::/28', 7], ['::ffff:0:0/96', 4], ['::/96', 3],
].map(([text, label]) => {
  const ip = parseIp(String(text).split('/')[0]!)!;
  const prefix = Number(String(text).split('/')[1]);
  return { net: { family: 6, value: ip.value, prefix }, label: Number(label) };
});

function label(ip: Ip): number {
  let best = { prefix: -1, label: 1 };
  for (const { net, label: l } of LABELS) {
    if ((ip.value & prefixMask(net.prefix, 128)) === net.value && net.prefix > best.prefix) best = { prefix: net.prefix, label: l };
  }
  return best.label;
}

function commonPrefix(a: bigint, b: bigint): number {
  let n = 0;
  while (n < 128 && ((a ^ b) >> BigInt(127 - n)) % 2n === 0n) n++;
  return n;
}

interface Candidate {
  readonly dev: string;
  readonly ip: Ip;
  readonly text: string;
  readonly score: readonly number[];
}

/**
 * MASQUERADE's IPv6 source: ipv6_dev_get_saddr() (net/ipv6/addrconf.c) for the packet's
 * destination and the out device, reduced to the RFC 6724 rules the snapshot can decide —
 * 1 same address, 2 appropriate scope, 5 outgoing interface, 6 matching label, 8 longest
 * matching prefix (capped at the address's prefix length). Not modelled, for want of address
 * flags in the dump model: 3 deprecated, 4 home address, 7 temporary addresses, and the skipping
 * of tentative addresses; nor VRFs or the use_oif_addrs_only sysctl. Candidates are the out
 * device's addresses for multicast and link-local destinations, else every link's, in
 * interface order; on a tie the first candidate stays.
 */
export function selectIpv6Source(net: HostNetwork, outDev: string, dst: Ip): SourceChoice {
  const dstScope = ipv6SrcScope(dst);
  const oifOnly = isIpv6Multicast(dst) || dstScope <= 2;
  const dstLabel = label(dst);
  let best: Candidate | undefined;
  for (const iface of net.interfaces) {
    if (oifOnly && iface.name !== outDev) continue;
    for (const a of iface.addrs) {
      const ip = parseIp(a.local);
      if (a.family !== 6 || !ip || ip.value === 0n || isIpv6Multicast(ip) || isV4Mapped(ip)) continue;
      const scope = ipv6SrcScope(ip);
      const score = [
        ip.value === dst.value ? 1 : 0,
        scope >= dstScope ? -scope : scope - 128,
        iface.name === outDev ? 1 : 0,
        label(ip) === dstLabel ? 1 : 0,
        Math.min(commonPrefix(ip.value, dst.value), a.prefixlen),
      ];
      if (!best || isBetter(score, best.score)) best = { dev: iface.name, ip, text: a.local, score };
    }
  }
  if (!best) {
    const where = oifOnly ? outDev : 'any interface';
    return { how: `no usable IPv6 address on ${where}: MASQUERADE drops the packet`, isKnown: true };
  }
  const other = best.dev === outDev ? '' : ` (${outDev} has no better one)`;
  return { ip: best.text, how: `IPv6 source selection picks ${best.text} on ${best.dev}${other}`, isKnown: true };
}

function isBetter(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return false;
}
