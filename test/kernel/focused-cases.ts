import type { Disposition, Probe } from './observe.js';
import type { LabNodeName } from './lab-nodes.js';

// Small rule sets, each pinning one kernel behaviour: minimal reproductions of disagreements the
// random suite found (kept as regression tests after the evaluator was fixed) and guards for kernel
// traps (kernel-lab.md). `kernel` is what the lab observed; kernel-diff.test.ts checks kpath against
// the live kernel, kernel-recorded.test.ts against this record (no root needed).

/** One focused case. */
export interface FocusedCase {
  readonly name: string;
  readonly node: LabNodeName;
  readonly iptables: string;
  readonly ipset?: string;
  readonly probe: Probe;
  /** What the kernel did in the lab (every attempt), and why. */
  readonly kernel: { readonly disposition: Disposition; readonly dst?: string; readonly src?: string; readonly egress?: string; readonly why: string };
}

const tables = (t: { raw?: string[]; mangle?: string[]; nat?: string[]; filter?: string[] }): string => {
  const builtins: Record<string, string[]> = {
    raw: ['PREROUTING', 'OUTPUT'], mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  };
  return (['raw', 'mangle', 'nat', 'filter'] as const).map((name) => {
    const rules = t[name] ?? [];
    const users = [...new Set(rules.map((r) => /^-A (\S+)/.exec(r)![1]!).filter((c) => !builtins[name]!.includes(c)))];
    return [`*${name}`, ...builtins[name]!.map((c) => `:${c} ACCEPT [0:0]`), ...users.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
  }).join('');
};

export const FOCUSED_CASES: readonly FocusedCase[] = [
  {
    name: 'node traffic DNATed away from a local address, then split by a statistic match in filter OUTPUT',
    node: 'aws',
    iptables: tables({
      nat: ['-A OUTPUT -d 10.0.1.50/32 -p udp -j DNAT --to-destination 10.0.1.77'],
      filter: ['-A OUTPUT -m statistic --mode random --probability 0.5 -j ACCEPT'],
    }),
    probe: { from: { kind: 'node' }, proto: 'udp', src: '10.0.1.10', sport: 40001, dst: '10.0.1.50', dport: 53 },
    kernel: { disposition: 'forwarded', dst: '10.0.1.77:53', src: '10.0.1.10', egress: 'eni3c1f0a9b2d4', why: 'the re-route after the nat OUTPUT DNAT holds for both halves of the split' },
  },
  {
    name: 'node traffic DNATed away from a local address, then split by a statistic match in mangle POSTROUTING',
    node: 'aws',
    iptables: tables({
      mangle: ['-A POSTROUTING -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x1/0x1'],
      nat: ['-A OUTPUT -d 10.0.1.50/32 -p udp -j DNAT --to-destination 10.0.1.99'],
    }),
    probe: { from: { kind: 'node' }, proto: 'udp', src: '10.0.1.10', sport: 40002, dst: '10.0.1.50', dport: 53 },
    kernel: { disposition: 'forwarded', dst: '10.0.1.99:53', src: '10.0.1.10', egress: 'eth0', why: 'the re-route after the nat OUTPUT DNAT holds for both halves of the split' },
  },
  {
    name: 'after a nat OUTPUT re-route, filter OUTPUT still sees the first output device (lo)',
    node: 'aws',
    iptables: tables({
      nat: ['-A OUTPUT -d 10.0.1.50/32 -p tcp -j DNAT --to-destination 10.0.1.77'],
      filter: ['-A OUTPUT -o lo -j DROP'],
    }),
    probe: { from: { kind: 'node' }, proto: 'tcp', src: '10.0.1.10', sport: 40012, dst: '10.0.1.50', dport: 80 },
    kernel: { disposition: 'dropped', why: 'the LOCAL_OUT hook state keeps the device of the first route (lo); ip_route_me_harder changes only skb_dst, so -o is tested against lo until POSTROUTING' },
  },
  {
    name: 'after a nat OUTPUT re-route, filter OUTPUT still sees the first output device (eth0)',
    node: 'aws',
    iptables: tables({
      nat: ['-A OUTPUT -d 10.0.1.88/32 -p tcp -j DNAT --to-destination 10.0.1.10'],
      filter: ['-A OUTPUT -o eth0 -j DROP'],
    }),
    probe: { from: { kind: 'node' }, proto: 'tcp', src: '10.0.1.10', sport: 40013, dst: '10.0.1.88', dport: 80 },
    kernel: { disposition: 'dropped', why: 'the LOCAL_OUT hook state keeps the device of the first route (eth0)' },
  },
  {
    name: 'conntrack state in the raw table is INVALID (raw runs before conntrack)',
    node: 'calico',
    iptables: tables({ raw: ['-A PREROUTING -p tcp -m conntrack --ctstate NEW -j DROP'] }),
    probe: { from: { kind: 'outside' }, proto: 'tcp', src: '198.51.100.7', sport: 40003, dst: '10.233.110.7', dport: 80 },
    kernel: { disposition: 'forwarded', dst: '10.233.110.7:80', src: '198.51.100.7', egress: 'tunl0', why: 'raw PREROUTING runs before conntrack (priority -300 < -200): xt_conntrack sees no entry, so the state is INVALID and the rule does not count' },
  },
  {
    name: '--return-nomatch: an ordinary element of a hash:net set does not match',
    node: 'calico',
    ipset: 'create KD-NETS hash:net family inet\nadd KD-NETS 10.233.0.0/16\n',
    iptables: tables({ filter: ['-A FORWARD -m set --match-set KD-NETS dst --return-nomatch -j DROP'] }),
    probe: { from: { kind: 'outside' }, proto: 'tcp', src: '198.51.100.7', sport: 40004, dst: '10.233.110.7', dport: 80 },
    kernel: { disposition: 'forwarded', dst: '10.233.110.7:80', src: '198.51.100.7', egress: 'tunl0', why: 'ip_set_test negates an ordinary element under --return-nomatch (ip_set_core.c)' },
  },
  {
    name: '--return-nomatch: a nomatch element matches',
    node: 'calico',
    ipset: 'create KD-NETS hash:net family inet\nadd KD-NETS 10.233.0.0/16\nadd KD-NETS 10.233.110.0/24 nomatch\n',
    iptables: tables({ filter: ['-A FORWARD -m set --match-set KD-NETS dst --return-nomatch -j DROP'] }),
    probe: { from: { kind: 'outside' }, proto: 'tcp', src: '198.51.100.7', sport: 40005, dst: '10.233.110.7', dport: 80 },
    kernel: { disposition: 'dropped', why: 'the nomatch element matches under --return-nomatch' },
  },
  {
    name: 'REDIRECT on an interface without an IPv4 address drops the packet',
    node: 'calico',
    iptables: tables({ nat: ['-A PREROUTING -i cali+ -p tcp -m tcp -j REDIRECT --to-ports 15001'] }),
    probe: { from: { kind: 'pod', ip: '10.233.98.40' }, proto: 'tcp', src: '10.233.98.40', sport: 40006, dst: '10.96.45.10', dport: 80 },
    kernel: { disposition: 'no-route', why: 'the REDIRECT rule counts and nothing after it: nf_nat_redirect_ipv4 returns NF_DROP when the in-device has no IPv4 address' },
  },
  {
    name: 'MASQUERADE toward an addressless veth takes the first device with a global address (eth0, not tunl0)',
    node: 'calico',
    iptables: tables({ nat: ['-A POSTROUTING -o cali+ -j MASQUERADE'] }),
    probe: { from: { kind: 'outside' }, proto: 'tcp', src: '198.51.100.7', sport: 40007, dst: '10.233.98.39', dport: 80 },
    kernel: { disposition: 'forwarded', dst: '10.233.98.39:80', src: '10.10.4.142', egress: 'calie1a2b3c4d5e', why: 'inet_select_addr falls back to the first device (in creation order) with a global address' },
  },
  {
    name: 'MASQUERADE through tunl0 takes its /32 address',
    node: 'calico',
    iptables: tables({ nat: ['-A POSTROUTING -o tunl0 -j MASQUERADE'] }),
    probe: { from: { kind: 'outside' }, proto: 'tcp', src: '198.51.100.7', sport: 40008, dst: '10.233.110.7', dport: 80 },
    kernel: { disposition: 'forwarded', dst: '10.233.110.7:80', src: '10.233.98.0', egress: 'tunl0', why: 'the egress device has a primary address' },
  },
  {
    name: 'a looped-back connection does not pass nat PREROUTING again (nat runs once per connection and manipulation)',
    node: 'calico',
    iptables: tables({ nat: ['-A OUTPUT -d 10.10.4.142/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.10.4.142:8080', '-A PREROUTING -i lo -j DNAT --to-destination 10.233.98.39'] }),
    probe: { from: { kind: 'node' }, proto: 'tcp', src: '10.10.4.142', sport: 40009, dst: '10.10.4.142', dport: 80 },
    kernel: { disposition: 'local', dst: '10.10.4.142:8080', src: '10.10.4.142', why: 'nat PREROUTING is skipped: the DNAT manipulation was set up in nat OUTPUT' },
  },
  {
    name: '-i matches forwarded packets in POSTROUTING (ip_output passes the input device on)',
    node: 'calico',
    iptables: tables({ nat: ['-A POSTROUTING -j KD-POST', '-A KD-POST -i eth0 -j MASQUERADE'] }),
    probe: { from: { kind: 'outside' }, proto: 'tcp', src: '198.51.100.7', sport: 40010, dst: '10.233.110.7', dport: 80 },
    kernel: { disposition: 'forwarded', dst: '10.233.110.7:80', src: '10.233.98.0', egress: 'tunl0', why: 'ip_output hands skb->dev (the input device) to the POSTROUTING hook' },
  },
  {
    name: '-i never matches locally generated packets in POSTROUTING',
    node: 'calico',
    iptables: tables({ nat: ['-A POSTROUTING -j KD-POST', '-A KD-POST -i eth0 -j MASQUERADE', '-A KD-POST ! -i eth+ -j SNAT --to-source 10.233.98.0'] }),
    probe: { from: { kind: 'node' }, proto: 'tcp', src: '10.10.4.142', sport: 40011, dst: '10.10.4.150', dport: 80 },
    kernel: { disposition: 'forwarded', dst: '10.10.4.150:80', src: '10.233.98.0', egress: 'eth0', why: 'a locally generated packet has no input device' },
  },
];
