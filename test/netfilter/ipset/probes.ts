// Packet probes against fixtures/ipset/membership-save.txt, shared by the membership table and the
// kernel check (test/kernel/ipset-membership.test.ts), which replays each one through iptables-legacy.
import { parseIp } from '../../../src/netfilter/cidr.js';
import type { IpsetPacket, SetDir } from '../../../src/netfilter/ipset/index.js';

const PROTOS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, udplite: 136, icmp: 1, 'ipv6-icmp': 58, gre: 47 };

/**
 * Reads `PROTO SRC[:PORT] > DST[:PORT] [TYPE/CODE] [iif NAME] [oif NAME]`; IPv6 addresses go in
 * brackets (`[fd00::1]:53`); PROTO is a name above or a number.
 */
export function packet(text: string): IpsetPacket {
  const m = /^(\S+) (\S+) > (\S+)(?: (\d+)\/(\d+))?(?: iif (\S*))?(?: oif (\S*))?$/.exec(text);
  if (!m) throw new Error(`bad probe packet: ${text}`);
  const src = hostPort(m[2]!);
  const dst = hostPort(m[3]!);
  const proto = PROTOS[m[1]!] ?? Number(m[1]);
  return {
    family: src.ip.family, proto, src: src.ip, dst: dst.ip,
    ...(src.port === undefined ? {} : { sport: src.port }),
    ...(dst.port === undefined ? {} : { dport: dst.port }),
    ...(m[4] === undefined ? {} : { icmpType: Number(m[4]), icmpCode: Number(m[5]) }),
    ...(m[6] === undefined ? {} : { iif: m[6] }),
    ...(m[7] === undefined ? {} : { oif: m[7] }),
  };
}

function hostPort(text: string) {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const ip = m && parseIp(m[1]!);
  if (!m || !ip) throw new Error(`bad probe address: ${text}`);
  return { ip, port: m[2] === undefined ? undefined : Number(m[2]) };
}

export interface Probe {
  readonly name: string;
  readonly set: string;
  readonly dirs: string;
  readonly pkt: string;
  readonly returnNomatch?: boolean;
  readonly want: 'match' | 'no-match' | 'nomatch-entry';
  /** false when iptables cannot express the probe (ip6tables refuses an IPv4 set outright). */
  readonly kernel?: boolean;
}

/** Splits `dst,dst,src` into dirs. */
export function dirsOf(text: string): SetDir[] {
  return text.split(',').map((d) => (d === 'src' ? 'src' : 'dst'));
}

/** In OUTPUT there is no input device, and the output device is the route's (see the kernel check). */
export const PROBES: readonly Probe[] = [
  { name: 'hash:ip dst hit', set: 'HOSTS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1000 > 10.0.0.2:80', want: 'match' },
  { name: 'hash:ip src hit', set: 'HOSTS', dirs: 'src', pkt: 'tcp 10.0.0.9:1000 > 1.1.1.1:80', want: 'match' },
  { name: 'hash:ip miss', set: 'HOSTS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1000 > 10.0.0.3:80', want: 'no-match' },
  { name: 'hash:ip extra dirs are ignored', set: 'HOSTS', dirs: 'dst,src,src', pkt: 'udp 1.1.1.1:1000 > 10.0.0.2:80', want: 'match' },
  { name: 'hash:ip IPv4 set, IPv6 packet', set: 'HOSTS', dirs: 'dst', pkt: 'tcp [fd00::1]:1 > [::ffff:10.0.0.2]:80', want: 'no-match', kernel: false },
  { name: 'hash:ip netmask 24 masks the packet', set: 'SUBNET24', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 192.168.1.77:80', want: 'match' },
  { name: 'hash:ip netmask 24 other /24', set: 'SUBNET24', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 192.168.2.1:80', want: 'no-match' },
  { name: 'hash:ip bitmask', set: 'BITMASK', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.1.77.3:80', want: 'match' },
  { name: 'hash:ip bitmask miss', set: 'BITMASK', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.1.77.4:80', want: 'no-match' },
  { name: 'hash:ip,port udp dst,dst', set: 'SVC', dirs: 'dst,dst', pkt: 'udp 10.0.0.1:40000 > 10.96.0.10:53', want: 'match' },
  { name: 'hash:ip,port tcp dst,dst', set: 'SVC', dirs: 'dst,dst', pkt: 'tcp 10.0.0.1:40000 > 10.96.0.10:53', want: 'match' },
  { name: 'hash:ip,port protocol is compared', set: 'SVC', dirs: 'dst,dst', pkt: 'sctp 10.0.0.1:40000 > 10.96.0.10:53', want: 'no-match' },
  { name: 'hash:ip,port sctp', set: 'SVC', dirs: 'dst,dst', pkt: 'sctp 10.0.0.1:40000 > 10.96.0.12:9000', want: 'match' },
  { name: 'hash:ip,port dst,src takes the source port', set: 'SVC', dirs: 'dst,src', pkt: 'udp 10.0.0.1:53 > 10.96.0.10:9999', want: 'match' },
  { name: 'hash:ip,port one dir for two dimensions', set: 'SVC', dirs: 'dst', pkt: 'udp 10.0.0.1:40000 > 10.96.0.10:53', want: 'no-match' },
  { name: 'hash:ip,port three dirs', set: 'SVC', dirs: 'dst,dst,dst', pkt: 'udp 10.0.0.1:40000 > 10.96.0.10:53', want: 'match' },
  { name: 'hash:ip,port icmp echo-request', set: 'SVC', dirs: 'dst,dst', pkt: 'icmp 10.0.0.1 > 10.96.0.13 8/0', want: 'match' },
  { name: 'hash:ip,port icmp echo-reply', set: 'SVC', dirs: 'dst,dst', pkt: 'icmp 10.0.0.1 > 10.96.0.13 0/0', want: 'no-match' },
  { name: 'hash:ip,port icmp type/code ignores the dir', set: 'SVC', dirs: 'dst,src', pkt: 'icmp 10.0.0.1 > 10.96.0.14 3/1', want: 'match' },
  { name: 'hash:ip,port gre uses port 0', set: 'SVC', dirs: 'dst,dst', pkt: 'gre 10.0.0.1 > 10.96.0.15', want: 'match' },
  { name: 'hash:ip,port udplite', set: 'SVC', dirs: 'dst,dst', pkt: 'udplite 10.0.0.1:1 > 10.96.0.16:90', want: 'match' },
  { name: 'hash:ip,port unnamed protocol 253', set: 'SVC', dirs: 'dst,dst', pkt: '253 10.0.0.1 > 10.96.0.17', want: 'match' },
  { name: 'hash:ip,port tcp port 0 is not gre:0', set: 'SVC', dirs: 'dst,dst', pkt: 'tcp 10.0.0.1:1 > 10.96.0.15:0', want: 'no-match' },
  { name: 'hash:ip,port protocol 0', set: 'SVC', dirs: 'dst,dst', pkt: '0 10.0.0.1 > 10.96.0.15', want: 'no-match' },
  { name: 'hash:ip,port,ip hairpin dst,dst,src', set: 'HAIRPIN', dirs: 'dst,dst,src', pkt: 'tcp 10.244.1.5:40000 > 10.244.1.5:8080', want: 'match' },
  { name: 'hash:ip,port,ip other source', set: 'HAIRPIN', dirs: 'dst,dst,src', pkt: 'tcp 10.244.1.6:40000 > 10.244.1.5:8080', want: 'no-match' },
  { name: 'hash:ip,port,ip two dirs for three', set: 'HAIRPIN', dirs: 'dst,dst', pkt: 'tcp 10.244.1.5:40000 > 10.244.1.5:8080', want: 'no-match' },
  { name: 'hash:ip,port,net in the /24', set: 'SRC-CIDR', dirs: 'dst,dst,src', pkt: 'tcp 198.51.100.10:5000 > 203.0.113.10:80', want: 'match' },
  { name: 'hash:ip,port,net nomatch /25', set: 'SRC-CIDR', dirs: 'dst,dst,src', pkt: 'tcp 198.51.100.130:5000 > 203.0.113.10:80', want: 'nomatch-entry' },
  { name: 'hash:ip,port,net /26 inside the nomatch /25', set: 'SRC-CIDR', dirs: 'dst,dst,src', pkt: 'tcp 198.51.100.200:5000 > 203.0.113.10:80', want: 'match' },
  { name: 'hash:ip,port,net outside', set: 'SRC-CIDR', dirs: 'dst,dst,src', pkt: 'tcp 198.51.101.1:5000 > 203.0.113.10:80', want: 'no-match' },
  { name: 'hash:ip,port,net --return-nomatch on nomatch', set: 'SRC-CIDR', dirs: 'dst,dst,src', returnNomatch: true, pkt: 'tcp 198.51.100.130:5000 > 203.0.113.10:80', want: 'match' },
  { name: 'hash:ip,port,net --return-nomatch on a match', set: 'SRC-CIDR', dirs: 'dst,dst,src', returnNomatch: true, pkt: 'tcp 198.51.100.10:5000 > 203.0.113.10:80', want: 'no-match' },
  { name: 'hash:net /8', set: 'NETS', dirs: 'dst', pkt: 'udp 1.1.1.1:1 > 10.5.5.5:53', want: 'match' },
  { name: 'hash:net nomatch /16', set: 'NETS', dirs: 'dst', pkt: 'udp 1.1.1.1:1 > 10.1.5.5:53', want: 'nomatch-entry' },
  { name: 'hash:net /24 beats the nomatch /16', set: 'NETS', dirs: 'dst', pkt: 'udp 1.1.1.1:1 > 10.1.2.7:53', want: 'match' },
  { name: 'hash:net host entry', set: 'NETS', dirs: 'src', pkt: 'udp 1.2.3.4:1 > 9.9.9.9:53', want: 'match' },
  { name: 'hash:net miss', set: 'NETS', dirs: 'src', pkt: 'udp 1.2.3.5:1 > 9.9.9.9:53', want: 'no-match' },
  { name: 'hash:net --return-nomatch, nomatch element', set: 'NETS', dirs: 'dst', returnNomatch: true, pkt: 'udp 1.1.1.1:1 > 10.1.5.5:53', want: 'match' },
  { name: 'hash:net --return-nomatch, ordinary element', set: 'NETS', dirs: 'dst', returnNomatch: true, pkt: 'udp 1.1.1.1:1 > 10.5.5.5:53', want: 'no-match' },
  { name: 'hash:net --return-nomatch, not in set', set: 'NETS', dirs: 'dst', returnNomatch: true, pkt: 'udp 1.1.1.1:1 > 11.0.0.1:53', want: 'no-match' },
  { name: 'hash:net,port udp /16', set: 'NETPORT', dirs: 'dst,dst', pkt: 'udp 1.1.1.1:1 > 10.0.5.1:53', want: 'match' },
  { name: 'hash:net,port nomatch /24', set: 'NETPORT', dirs: 'dst,dst', pkt: 'udp 1.1.1.1:1 > 10.0.0.5:53', want: 'nomatch-entry' },
  { name: 'hash:net,port tcp /24', set: 'NETPORT', dirs: 'dst,dst', pkt: 'tcp 1.1.1.1:1 > 10.0.1.9:80', want: 'match' },
  { name: 'hash:net,port tcp elsewhere', set: 'NETPORT', dirs: 'dst,dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.9:80', want: 'no-match' },
  { name: 'hash:net,port src,src', set: 'NETPORT', dirs: 'src,src', pkt: 'udp 10.0.7.7:53 > 1.1.1.1:9', want: 'match' },
  { name: 'hash:net,iface src,dst on eth0', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.9.9.9:1 > 192.0.2.1:80 oif eth0', want: 'match' },
  { name: 'hash:net,iface src,dst on eth1', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.1.2.3:1 > 192.0.2.2:80 oif eth1', want: 'match' },
  { name: 'hash:net,iface stops at the /16 stored for eth1', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.1.2.3:1 > 192.0.2.1:80 oif eth0', want: 'no-match' },
  { name: 'hash:net,iface wildcard veth', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.2.0.1:1 > 192.0.2.3:80 oif veth7', want: 'match' },
  { name: 'hash:net,iface wildcard is a prefix, not a suffix', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.2.0.1:1 > 192.0.2.4:80 oif ve', want: 'no-match' },
  { name: 'hash:net,iface physdev element is not looked up', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.3.0.1:1 > 192.0.2.5:80 oif eth2', want: 'no-match' },
  { name: 'hash:net,iface falls back past a physdev element', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 10.3.0.1:1 > 192.0.2.1:80 oif eth0', want: 'match' },
  { name: 'hash:net,iface /0 holds only lo', set: 'IFACES', dirs: 'src,dst', pkt: 'udp 172.16.0.1:1 > 192.0.2.1:80 oif eth0', want: 'no-match' },
  { name: 'hash:net,iface no input device in OUTPUT', set: 'IFACES', dirs: 'src,src', pkt: 'udp 10.9.9.9:1 > 192.0.2.1:80 iif  oif eth0', want: 'no-match' },
  { name: 'bitmap:port tcp', set: 'NODEPORTS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.1.23:31080', want: 'match' },
  { name: 'bitmap:port udp, no protocol stored', set: 'NODEPORTS', dirs: 'dst', pkt: 'udp 1.1.1.1:1 > 10.0.1.23:31080', want: 'match' },
  { name: 'bitmap:port ignores sctp', set: 'NODEPORTS', dirs: 'dst', pkt: 'sctp 1.1.1.1:1 > 10.0.1.23:31080', want: 'no-match' },
  { name: 'bitmap:port miss', set: 'NODEPORTS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.1.23:31081', want: 'no-match' },
  { name: 'bitmap:port src', set: 'NODEPORTS', dirs: 'src', pkt: 'tcp 1.1.1.1:32080 > 10.0.1.23:5', want: 'match' },
  { name: 'bitmap:port answers IPv6 too', set: 'NODEPORTS', dirs: 'dst', pkt: 'tcp [fd00::1]:1 > [fd00::2]:31080', want: 'match' },
  { name: 'bitmap:port out of range', set: 'SMALLRANGE', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.1.23:80', want: 'no-match' },
  { name: 'bitmap:port in range', set: 'SMALLRANGE', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.0.1.23:30500', want: 'match' },
  { name: 'bitmap:ip netmask 24', set: 'PODS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.244.1.77:80', want: 'match' },
  { name: 'bitmap:ip other /24', set: 'PODS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.244.2.1:80', want: 'no-match' },
  { name: 'bitmap:ip outside the range', set: 'PODS', dirs: 'dst', pkt: 'tcp 1.1.1.1:1 > 10.245.1.1:80', want: 'no-match' },
  { name: 'IPv6 hash:ip,port udp', set: 'SVC6', dirs: 'dst,dst', pkt: 'udp [fd00::1]:5353 > [fd00:96::a]:53', want: 'match' },
  { name: 'IPv6 hash:ip,port tcp', set: 'SVC6', dirs: 'dst,dst', pkt: 'tcp [fd00::1]:5353 > [fd00:96::1]:443', want: 'match' },
  { name: 'IPv6 hash:ip,port icmpv6 echo-request', set: 'SVC6', dirs: 'dst,dst', pkt: 'ipv6-icmp [fd00::1] > [fd00:96::2] 128/0', want: 'match' },
  { name: 'IPv6 set, IPv4 packet', set: 'SVC6', dirs: 'dst,dst', pkt: 'udp 10.0.0.1:5353 > 10.96.0.10:53', want: 'no-match', kernel: false },
  { name: 'IPv6 hash:net /32', set: 'NETS6', dirs: 'dst', pkt: 'tcp [fd00::1]:1 > [fd00:244:5::1]:80', want: 'match' },
  { name: 'IPv6 hash:net nomatch /48', set: 'NETS6', dirs: 'dst', pkt: 'tcp [fd00::1]:1 > [fd00:244:1::9]:80', want: 'nomatch-entry' },
  { name: 'IPv6 hash:net host inside the nomatch /48', set: 'NETS6', dirs: 'dst', pkt: 'tcp [fd00::1]:1 > [fd00:244:1::5]:80', want: 'match' },
  { name: 'list:set first member', set: 'ANY', dirs: 'dst,dst', pkt: 'tcp 1.1.1.1:1 > 10.0.0.2:80', want: 'match' },
  { name: 'list:set second member', set: 'ANY', dirs: 'dst,dst', pkt: 'udp 1.1.1.1:1 > 10.96.0.10:53', want: 'match' },
  { name: 'list:set one dir skips the two-dimension member', set: 'ANY', dirs: 'dst', pkt: 'udp 1.1.1.1:1 > 10.96.0.10:53', want: 'match' },
  { name: 'list:set nomatch element in a member', set: 'ANY', dirs: 'dst', pkt: 'udp 1.1.1.1:1 > 10.1.5.5:53', want: 'nomatch-entry' },
  { name: 'list:set --return-nomatch inverts inside the member', set: 'ANY', dirs: 'dst', returnNomatch: true, pkt: 'udp 1.1.1.1:1 > 10.1.5.5:53', want: 'match' },
  { name: 'list:set --return-nomatch leaves hash:ip alone', set: 'ANY', dirs: 'dst', returnNomatch: true, pkt: 'udp 1.1.1.1:1 > 10.0.0.2:53', want: 'match' },
  { name: 'list:set IPv6 packet, IPv4 members', set: 'ANY', dirs: 'dst', pkt: 'udp [fd00::1]:1 > [fd00::2]:53', want: 'no-match' },
];
