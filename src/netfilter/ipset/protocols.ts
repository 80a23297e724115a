/**
 * Protocol names as ipset reads and prints them. ipset resolves names with getprotobyname(3) and prints
 * getprotobynumber(3)'s official name, or the number when there is none (`10.0.0.3,253:0`); these are
 * netbase's /etc/protocols names and aliases (Debian 12). Older ipset builds print numbers
 * (`10.96.0.1,6:443`), so numbers are read too.
 */
const PROTOCOLS: readonly (readonly [number, ...string[]])[] = [
  [0, 'ip', 'IP', 'hopopt', 'HOPOPT'], [1, 'icmp', 'ICMP'], [2, 'igmp', 'IGMP'], [3, 'ggp', 'GGP'],
  [4, 'ipencap', 'IP-ENCAP'], [5, 'st', 'ST'], [6, 'tcp', 'TCP'], [8, 'egp', 'EGP'], [9, 'igp', 'IGP'],
  [12, 'pup', 'PUP'], [17, 'udp', 'UDP'], [20, 'hmp', 'HMP'], [22, 'xns-idp', 'XNS-IDP'], [27, 'rdp', 'RDP'],
  [29, 'iso-tp4', 'ISO-TP4'], [33, 'dccp', 'DCCP'], [36, 'xtp', 'XTP'], [37, 'ddp', 'DDP'],
  [38, 'idpr-cmtp', 'IDPR-CMTP'], [41, 'ipv6', 'IPv6'], [43, 'ipv6-route', 'IPv6-Route'],
  [44, 'ipv6-frag', 'IPv6-Frag'], [45, 'idrp', 'IDRP'], [46, 'rsvp', 'RSVP'], [47, 'gre', 'GRE'],
  [50, 'esp', 'IPSEC-ESP'], [51, 'ah', 'IPSEC-AH'], [57, 'skip', 'SKIP'],
  // ipset also accepts "icmpv6" (lib/parse.c) but prints ipv6-icmp.
  [58, 'ipv6-icmp', 'IPv6-ICMP', 'icmpv6'], [59, 'ipv6-nonxt', 'IPv6-NoNxt'], [60, 'ipv6-opts', 'IPv6-Opts'],
  [73, 'rspf', 'RSPF'], [81, 'vmtp', 'VMTP'], [88, 'eigrp', 'EIGRP'], [89, 'ospf', 'OSPFIGP'],
  [93, 'ax.25', 'AX.25'], [94, 'ipip', 'IPIP'], [97, 'etherip', 'ETHERIP'], [98, 'encap', 'ENCAP'],
  [103, 'pim', 'PIM'], [108, 'ipcomp', 'IPCOMP'], [112, 'vrrp', 'VRRP'], [115, 'l2tp', 'L2TP'],
  [124, 'isis', 'ISIS'], [132, 'sctp', 'SCTP'], [133, 'fc', 'FC'], [135, 'mobility-header', 'Mobility-Header'],
  [136, 'udplite', 'UDPLite'], [137, 'mpls-in-ip', 'MPLS-in-IP'], [138, 'manet'], [139, 'hip', 'HIP'],
  [140, 'shim6', 'Shim6'], [141, 'wesp', 'WESP'], [142, 'rohc', 'ROHC'], [143, 'ethernet', 'Ethernet'],
];

const BY_NAME: ReadonlyMap<string, number> = new Map(
  PROTOCOLS.flatMap(([num, ...names]) => names.map((n) => [n, num] as const)),
);

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

/** The protocols whose header carries ports the kernel reads (net/netfilter/ipset/ip_set_getport.c). */
export function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP || proto === IPPROTO_UDPLITE;
}

/** The protocol number of a name, alias or decimal number 0-255; `undefined` when unknown. */
export function protoNumber(text: string): number | undefined {
  if (/^\d{1,3}$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : undefined;
  }
  return BY_NAME.get(text);
}

/**
 * ICMP type/code names, exactly as ipset 7.17 prints them (probed with `ipset save` over every type
 * 0-20 and code 0-16), plus the input aliases ping and pong. Unnamed pairs print as `TYPE/CODE`.
 */
const ICMP_NAMES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['echo-reply', [0, 0]], ['pong', [0, 0]], ['network-unreachable', [3, 0]], ['host-unreachable', [3, 1]],
  ['protocol-unreachable', [3, 2]], ['port-unreachable', [3, 3]], ['fragmentation-needed', [3, 4]],
  ['source-route-failed', [3, 5]], ['network-unknown', [3, 6]], ['host-unknown', [3, 7]],
  ['network-prohibited', [3, 9]], ['host-prohibited', [3, 10]], ['TOS-network-unreachable', [3, 11]],
  ['TOS-host-unreachable', [3, 12]], ['communication-prohibited', [3, 13]],
  ['host-precedence-violation', [3, 14]], ['precedence-cutoff', [3, 15]], ['source-quench', [4, 0]],
  ['network-redirect', [5, 0]], ['host-redirect', [5, 1]], ['TOS-network-redirect', [5, 2]],
  ['TOS-host-redirect', [5, 3]], ['echo-request', [8, 0]], ['ping', [8, 0]], ['router-advertisement', [9, 0]],
  ['router-solicitation', [10, 0]], ['ttl-zero-during-transit', [11, 0]], ['ttl-zero-during-reassembly', [11, 1]],
  ['ip-header-bad', [12, 0]], ['required-option-missing', [12, 1]], ['timestamp-request', [13, 0]],
  ['timestamp-reply', [14, 0]], ['address-mask-request', [17, 0]], ['address-mask-reply', [18, 0]],
]);

/** ICMPv6 names as ipset 7.17 prints them (types 0-5 and 128-160 probed), plus ping and pong. */
const ICMPV6_NAMES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['no-route', [1, 0]], ['communication-prohibited', [1, 1]], ['address-unreachable', [1, 3]],
  ['port-unreachable', [1, 4]], ['packet-too-big', [2, 0]], ['ttl-zero-during-transit', [3, 0]],
  ['ttl-zero-during-reassembly', [3, 1]], ['bad-header', [4, 0]], ['unknown-header-type', [4, 1]],
  ['unknown-option', [4, 2]], ['echo-request', [128, 0]], ['ping', [128, 0]], ['echo-reply', [129, 0]],
  ['pong', [129, 0]], ['router-solicitation', [133, 0]], ['router-advertisement', [134, 0]],
  ['neighbour-solicitation', [135, 0]], ['neighbour-advertisement', [136, 0]], ['redirect', [137, 0]],
]);

/**
 * Reads an ICMP or ICMPv6 `NAME` or `TYPE/CODE` into the value the kernel compares: for these
 * protocols ip_set_get_ip4_port/ip_set_get_ip6_port store (type << 8) | code in the port slot.
 */
export function icmpPort(proto: number, text: string): number | undefined {
  const named = (proto === IPPROTO_ICMP ? ICMP_NAMES : ICMPV6_NAMES).get(text);
  if (named) return (named[0] << 8) | named[1];
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const type = Number(m[1]);
  const code = Number(m[2]);
  return type <= 255 && code <= 255 ? (type << 8) | code : undefined;
}
