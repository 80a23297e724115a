import { describe, expect, test } from 'vitest';
import { parseCidr } from '../../../src/netfilter/cidr.js';
import { parseIpset } from '../../../src/netfilter/ipset/index.js';
import type { IpsetEntry } from '../../../src/netfilter/model.js';

const c = (text: string) => parseCidr(text)!;

/** The one entry of set S, read from a save text and from a list text built around the same line. */
function entryBoth(type: string, header: string, line: string): { save: IpsetEntry; list: IpsetEntry } {
  const save = parseIpset(`create S ${type} ${header}\nadd S ${line}\n`, 'save.txt').get('S')!.entries[0]!;
  const listText = `Name: S\nType: ${type}\nRevision: 1\nHeader: ${header}\nSize in memory: 1\nReferences: 0\nNumber of entries: 1\nMembers:\n${line}\n`;
  const list = parseIpset(listText, 'list.txt').get('S')!.entries[0]!;
  return { save, list };
}

const V4 = 'family inet hashsize 1024 maxelem 65536';
const V6 = 'family inet6 hashsize 1024 maxelem 65536';
const ALL_EXT = `${V4} timeout 0 counters comment skbinfo`;

const cases: { name: string; type: string; header: string; line: string; want: Partial<IpsetEntry> & Record<string, unknown> }[] = [
  { name: 'hash:ip host', type: 'hash:ip', header: V4, line: '10.0.0.1', want: { nets: [c('10.0.0.1/32')], nomatch: false, text: '10.0.0.1' } },
  { name: 'hash:ip IPv6 host', type: 'hash:ip', header: V6, line: 'fd00::1', want: { nets: [c('fd00::1/128')] } },
  { name: 'hash:ip netmask prints the masked address', type: 'hash:ip', header: `${V4} netmask 24`, line: '192.168.1.0', want: { nets: [c('192.168.1.0/32')] } },
  { name: 'hash:ip,port tcp by name', type: 'hash:ip,port', header: V4, line: '10.96.0.1,tcp:443', want: { nets: [c('10.96.0.1/32')], port: { proto: 6, port: 443 } } },
  { name: 'hash:ip,port tcp by number', type: 'hash:ip,port', header: V4, line: '10.96.0.1,6:443', want: { port: { proto: 6, port: 443 } } },
  { name: 'hash:ip,port udp by number', type: 'hash:ip,port', header: V4, line: '10.96.0.10,17:53', want: { port: { proto: 17, port: 53 } } },
  { name: 'hash:ip,port sctp by number', type: 'hash:ip,port', header: V4, line: '10.96.0.10,132:80', want: { port: { proto: 132, port: 80 } } },
  { name: 'hash:ip,port udplite', type: 'hash:ip,port', header: V4, line: '10.0.0.16,udplite:90', want: { port: { proto: 136, port: 90 } } },
  { name: 'hash:ip,port no protocol means tcp', type: 'hash:ip,port', header: V4, line: '10.96.0.11,53', want: { port: { proto: 6, port: 53 } } },
  { name: 'hash:ip,port port 0 and 65535', type: 'hash:ip,port', header: V4, line: '10.0.0.5,udp:65535', want: { port: { proto: 17, port: 65535 } } },
  { name: 'hash:ip,port port range (restore syntax)', type: 'hash:ip,port', header: V4, line: '10.0.0.17,tcp:100-102', want: { port: { proto: 6, port: 100, portTo: 102 } } },
  { name: 'hash:ip,port icmp name', type: 'hash:ip,port', header: V4, line: '10.0.0.13,icmp:echo-request', want: { port: { proto: 1, port: 0x0800 } } },
  { name: 'hash:ip,port icmp alias ping', type: 'hash:ip,port', header: V4, line: '10.0.0.13,icmp:ping', want: { port: { proto: 1, port: 0x0800 } } },
  { name: 'hash:ip,port icmp TYPE/CODE', type: 'hash:ip,port', header: V4, line: '10.0.0.2,icmp:99/1', want: { port: { proto: 1, port: 0x6301 } } },
  { name: 'hash:ip,port icmp named code', type: 'hash:ip,port', header: V4, line: '10.0.0.14,icmp:host-unreachable', want: { port: { proto: 1, port: 0x0301 } } },
  { name: 'hash:ip,port icmp by number', type: 'hash:ip,port', header: V4, line: '10.0.0.7,1:255/255', want: { port: { proto: 1, port: 0xffff } } },
  { name: 'hash:ip,port icmpv6 name', type: 'hash:ip,port', header: V6, line: 'fd00::2,ipv6-icmp:echo-request', want: { port: { proto: 58, port: 128 << 8 } } },
  { name: 'hash:ip,port icmpv6 alias', type: 'hash:ip,port', header: V6, line: 'fd00::3,icmpv6:1/0', want: { port: { proto: 58, port: 0x0100 } } },
  { name: 'hash:ip,port icmpv6 by number', type: 'hash:ip,port', header: V6, line: 'fd00::3,58:no-route', want: { port: { proto: 58, port: 0x0100 } } },
  { name: 'hash:ip,port protocol without ports', type: 'hash:ip,port', header: V4, line: '10.0.0.15,gre:0', want: { port: { proto: 47, port: 0 } } },
  { name: 'hash:ip,port unnamed protocol', type: 'hash:ip,port', header: V4, line: '10.0.0.3,253:0', want: { port: { proto: 253, port: 0 } } },
  { name: 'hash:ip,port IPv6', type: 'hash:ip,port', header: V6, line: 'fd00::1,tcp:80', want: { nets: [c('fd00::1/128')], port: { proto: 6, port: 80 } } },
  { name: 'hash:ip,port bracketed IPv6', type: 'hash:ip,port', header: V6, line: '[fd00::5],tcp:1', want: { nets: [c('fd00::5/128')], port: { proto: 6, port: 1 } } },
  { name: 'hash:ip,port,ip', type: 'hash:ip,port,ip', header: V4, line: '10.244.1.5,tcp:8080,10.244.1.5', want: { nets: [c('10.244.1.5/32'), c('10.244.1.5/32')], port: { proto: 6, port: 8080 } } },
  { name: 'hash:ip,port,net nomatch', type: 'hash:ip,port,net', header: V4, line: '203.0.113.10,tcp:80,198.51.100.128/25 nomatch', want: { nets: [c('203.0.113.10/32'), c('198.51.100.128/25')], nomatch: true } },
  { name: 'hash:ip,port,net IPv6', type: 'hash:ip,port,net', header: V6, line: 'fd00::1,tcp:80,fd01::/48', want: { nets: [c('fd00::1/128'), c('fd01::/48')] } },
  { name: 'hash:net prefix', type: 'hash:net', header: V4, line: '10.0.0.0/8', want: { nets: [c('10.0.0.0/8')] } },
  { name: 'hash:net host without /32', type: 'hash:net', header: V4, line: '1.2.3.4', want: { nets: [c('1.2.3.4/32')] } },
  { name: 'hash:net IPv6 nomatch host', type: 'hash:net', header: V6, line: 'fd00::1 nomatch', want: { nets: [c('fd00::1/128')], nomatch: true } },
  { name: 'hash:net,port', type: 'hash:net,port', header: V4, line: '10.0.0.0/24,udp:53', want: { nets: [c('10.0.0.0/24')], port: { proto: 17, port: 53 } } },
  { name: 'hash:net,port timeout then nomatch', type: 'hash:net,port', header: `${V4} timeout 0`, line: '10.0.0.0/24,udp:53 timeout 0 nomatch', want: { nomatch: true, timeout: 0 } },
  { name: 'hash:net,iface', type: 'hash:net,iface', header: V4, line: '10.0.0.0/8,eth0', want: { nets: [c('10.0.0.0/8')], iface: 'eth0' } },
  { name: 'hash:net,iface physdev', type: 'hash:net,iface', header: V4, line: '10.0.0.0/8,physdev:eth1', want: { iface: 'eth1', physdev: true } },
  { name: 'hash:net,iface wildcard', type: 'hash:net,iface', header: V4, line: '10.0.0.0/8,eth wildcard', want: { iface: 'eth', wildcard: true } },
  { name: 'hash:net,iface /0', type: 'hash:net,iface', header: V4, line: '0.0.0.0/0,lo', want: { nets: [c('0.0.0.0/0')], iface: 'lo' } },
  { name: 'hash:net,net', type: 'hash:net,net', header: V4, line: '10.0.0.0/8,192.168.0.0/16', want: { nets: [c('10.0.0.0/8'), c('192.168.0.0/16')] } },
  { name: 'hash:net,port,net', type: 'hash:net,port,net', header: V4, line: '10.0.0.0/8,tcp:80,192.168.0.0/16', want: { nets: [c('10.0.0.0/8'), c('192.168.0.0/16')], port: { proto: 6, port: 80 } } },
  { name: 'bitmap:port', type: 'bitmap:port', header: 'range 0-65535', line: '31080', want: { port: { proto: 0, port: 31080 }, nets: [] } },
  { name: 'bitmap:ip', type: 'bitmap:ip', header: 'range 10.0.0.0-10.0.0.255', line: '10.0.0.5', want: { nets: [c('10.0.0.5/32')] } },
  { name: 'list:set member', type: 'list:set', header: 'size 8', line: 'KUBE-CLUSTER-IP', want: { member: 'KUBE-CLUSTER-IP', nets: [] } },
  { name: 'unmodelled type keeps the raw element', type: 'hash:mac', header: 'hashsize 1024 maxelem 65536', line: '00:11:22:33:44:55', want: { text: '00:11:22:33:44:55', nets: [] } },
  { name: 'timeout and counters', type: 'hash:ip', header: ALL_EXT, line: '10.0.0.1 timeout 99 packets 5 bytes 300', want: { timeout: 99, counters: { packets: 5n, bytes: 300n } } },
  { name: 'comment with spaces, quote and backslash', type: 'hash:ip', header: ALL_EXT, line: `10.0.0.1 comment "hello world 'x' \\ y"`, want: { comment: "hello world 'x' \\ y" } },
  { name: 'comment with commas and double spaces', type: 'hash:ip', header: ALL_EXT, line: '10.0.0.3 comment "a,b  c"', want: { comment: 'a,b  c' } },
  { name: 'unquoted one-word comment (restore syntax)', type: 'hash:ip', header: ALL_EXT, line: '10.0.0.3 comment three', want: { comment: 'three' } },
  { name: 'skbinfo without mask', type: 'hash:ip', header: ALL_EXT, line: '10.0.0.3 skbmark 0x10 skbprio 1:2', want: { skbinfo: { mark: { value: 0x10, mask: 0xffffffff }, prio: '1:2' } } },
  { name: 'skbinfo with mask and queue', type: 'hash:ip', header: ALL_EXT, line: '10.0.0.9 skbmark 0x10/0xff skbprio 1:2 skbqueue 3', want: { skbinfo: { mark: { value: 0x10, mask: 0xff }, prio: '1:2', queue: 3 } } },
  { name: 'list:set member with extensions', type: 'list:set', header: 'size 8 timeout 10 counters comment', line: 'P timeout 9 packets 0 bytes 0 comment "x y"', want: { member: 'P', timeout: 9, counters: { packets: 0n, bytes: 0n }, comment: 'x y' } },
];

describe('entries, in save and list form', () => {
  test.each(cases)('$name', ({ type, header, line, want }) => {
    const { save, list } = entryBoth(type, header, line);
    expect(save).toMatchObject(want);
    expect(list).toMatchObject(want);
    expect(save.loc).toEqual({ file: 'save.txt', line: 2, column: 7 });
    expect(list.loc).toEqual({ file: 'list.txt', line: 9, column: 1 });
  });
});
