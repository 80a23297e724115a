import { describe, expect, test } from 'vitest';
import { KpathError } from '../../../src/errors.js';
import { parseIptablesSave } from '../../../src/netfilter/iptables/parse.js';
import type { Match, Rule, Target } from '../../../src/netfilter/model.js';

/** Wraps rule lines in a nat table with the chains they use declared. */
function natDump(rules: string, extraChains: string[] = []): string {
  const chains = new Set(extraChains);
  for (const m of rules.matchAll(/-A (\S+)/g)) chains.add(m[1]!);
  for (const m of rules.matchAll(/-[jg] (KUBE-\S+|X|Y)/g)) chains.add(m[1]!);
  const builtins = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  const decl = [...builtins.map((b) => `:${b} ACCEPT [0:0]`), ...[...chains].filter((c) => !builtins.includes(c)).map((c) => `:${c} - [0:0]`)];
  return ['*nat', ...decl, rules, 'COMMIT', ''].join('\n');
}

function firstRule(rules: string, chains: string[] = []): Rule {
  const rs = parseIptablesSave(natDump(rules, chains), { file: 't.txt' });
  for (const c of rs.tables.get('nat')!.chains.values()) if (c.rules[0]) return c.rules[0];
  throw new Error('no rule');
}

function matchOf(rule: Rule, kind: Match['kind']): Match | undefined {
  return rule.matches.find((m) => m.kind === kind);
}

describe('rule shapes', () => {
  const cases: { name: string; text: string; check: (r: Rule) => void }[] = [
    {
      name: 'negated source CIDR and exact destination',
      text: '-A KUBE-SVC-X ! -s 10.244.0.0/16 -d 10.96.45.10/32 -p tcp -m comment --comment "demo/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
      check: (r) => {
        expect(r.matches.filter((m) => m.kind === 'addr')).toMatchObject([{ field: 'src', negated: true, cidr: { prefix: 16 } }, { field: 'dst', negated: false, cidr: { prefix: 32 } }]);
        expect(matchOf(r, 'comment')).toEqual({ kind: 'comment', text: 'demo/web:http cluster IP' });
        expect(matchOf(r, 'port')).toMatchObject({ module: 'tcp', dport: { range: { from: 80, to: 80 }, negated: false } });
        expect(r.target).toEqual({ kind: 'jump', chain: 'KUBE-MARK-MASQ' });
      },
    },
    {
      name: 'comment with escaped quotes and spaces',
      text: '-A X -m comment --comment "say \\"hi\\" to ns/svc" -j RETURN',
      check: (r) => expect(matchOf(r, 'comment')).toEqual({ kind: 'comment', text: 'say "hi" to ns/svc' }),
    },
    {
      name: 'MARK --or-mark as iptables-save prints it (--set-xmark 0x4000/0x4000)',
      text: '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
      check: (r) => expect(r.target).toMatchObject({ kind: 'mark', op: { value: 0x4000, mask: 0x4000 } }),
    },
    {
      name: 'MARK --xor-mark as printed (--set-xmark 0x4000/0x0)',
      text: '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
      check: (r) => expect(r.target).toMatchObject({ kind: 'mark', op: { value: 0x4000, mask: 0 } }),
    },
    {
      name: 'MARK --set-mark V/M means value V, mask V|M (libxt_MARK)',
      text: '-A X -j MARK --set-mark 0x10/0x30',
      check: (r) => expect(r.target).toMatchObject({ kind: 'mark', op: { value: 0x10, mask: 0x30 } }),
    },
    {
      name: 'mark match with negation',
      text: '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      check: (r) => expect(matchOf(r, 'mark')).toMatchObject({ source: 'packet', mm: { value: 0x4000, mask: 0x4000 }, negated: true }),
    },
    {
      name: 'probability 1/3 as printed keeps the kernel quantisation (round(p·2^31)/2^31)',
      text: '-A KUBE-SVC-X -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A',
      check: (r) => expect(matchOf(r, 'statistic')).toMatchObject({ mode: 'random', probability: 715827883 / 2 ** 31 }),
    },
    {
      name: 'recent --rcheck as iptables-save renders kube-proxy affinity',
      text: '-A KUBE-SVC-X -m comment --comment "ns/a -> 10.0.0.1:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-SEP-A',
      check: (r) => expect(matchOf(r, 'recent')).toMatchObject({ name: 'KUBE-SEP-A', command: 'rcheck', side: 'source', seconds: 10800 }),
    },
    {
      name: 'REJECT with its default rendering',
      text: '-A X -j REJECT --reject-with icmp-port-unreachable',
      check: (r) => expect(r.target).toEqual({ kind: 'reject', with: 'icmp-port-unreachable' }),
    },
    {
      name: 'DNAT with a port',
      text: '-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080',
      check: (r) => expect(r.target).toMatchObject({ kind: 'dnat', ranges: [{ addrFrom: '10.244.1.5', addrTo: '10.244.1.5', ports: { from: 8080, to: 8080 } }] }),
    },
    {
      name: 'DNAT without a port and to an address range',
      text: '-A X -j DNAT --to-destination 10.0.0.1-10.0.0.3',
      check: (r) => expect(r.target).toMatchObject({ kind: 'dnat', ranges: [{ addrFrom: '10.0.0.1', addrTo: '10.0.0.3', ports: undefined }] }),
    },
    {
      name: 'MASQUERADE --random-fully',
      text: '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      check: (r) => expect(r.target).toEqual({ kind: 'masquerade', ports: undefined, random: false, randomFully: true }),
    },
    {
      name: 'goto to a user chain',
      text: '-A X -s 10.0.0.0/8 -g Y',
      check: (r) => expect(r.target).toEqual({ kind: 'goto', chain: 'Y' }),
    },
    {
      name: 'implicit tcp match after -p tcp (iptables-restore input style)',
      text: '-A X -p tcp --dport 30000:32767 -j ACCEPT',
      check: (r) => expect(matchOf(r, 'port')).toMatchObject({ module: 'tcp', dport: { range: { from: 30000, to: 32767 } } }),
    },
    {
      name: 'set match with flags and negation',
      text: '-A KUBE-SERVICES -m set ! --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
      check: (r) => expect(matchOf(r, 'set')).toMatchObject({ set: 'KUBE-CLUSTER-IP', dirs: ['dst', 'dst'], negated: true }),
    },
    {
      name: 'addrtype with limit-iface-in',
      text: '-A PREROUTING -i eth0 -m addrtype --dst-type LOCAL --limit-iface-in -j CONNMARK --set-xmark 0x80/0x80',
      check: (r) => {
        expect(matchOf(r, 'addrtype')).toMatchObject({ dst: { types: ['LOCAL'], negated: false }, limitIfaceIn: true });
        expect(r.target).toMatchObject({ kind: 'connmark', op: { op: 'set', value: 0x80, mask: 0x80 } });
      },
    },
    {
      name: 'interface wildcard',
      text: '-A X -i eni+ -j RETURN',
      check: (r) => expect(matchOf(r, 'iface')).toEqual({ kind: 'iface', dir: 'in', name: 'eni', wildcard: true, negated: false }),
    },
    {
      name: 'CONNMARK --restore-mark as printed',
      text: '-A PREROUTING -m comment --comment "AWS, CONNMARK" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80',
      check: (r) => expect(r.target).toMatchObject({ kind: 'connmark', op: { op: 'restore', nfmask: 0x80, ctmask: 0x80 } }),
    },
    {
      name: 'multiport list with a range',
      text: '-A X -p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT',
      check: (r) => expect(matchOf(r, 'multiport')).toMatchObject({ field: 'dport', ranges: [{ from: 80, to: 80 }, { from: 443, to: 443 }, { from: 8000, to: 8100 }] }),
    },
    {
      name: 'unknown module becomes unmodelled, not an error',
      text: '-A X -m hashlimit --hashlimit-upto 5/sec --hashlimit-name foo -j ACCEPT',
      check: (r) => expect(matchOf(r, 'unmodelled')).toMatchObject({ module: 'hashlimit', args: ['--hashlimit-upto', '5/sec', '--hashlimit-name', 'foo'] }),
    },
    {
      name: 'unknown option of a known module becomes unmodelled',
      text: '-A X -p tcp -m tcp --tcp-option 2 -j ACCEPT',
      check: (r) => expect(matchOf(r, 'unmodelled')).toMatchObject({ module: 'tcp' }),
    },
    {
      name: 'unknown target with options becomes unmodelled',
      text: '-A X -j TPROXY --on-port 8080 --tproxy-mark 0x1/0x1',
      check: (r) => expect(r.target).toMatchObject({ kind: 'unmodelled', name: 'TPROXY' }),
    },
    {
      name: 'conntrack state and nfacct',
      text: '-A X -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
      check: (r) => {
        expect(matchOf(r, 'conntrack')).toMatchObject({ states: { states: ['INVALID'], negated: false } });
        expect(matchOf(r, 'nfacct')).toEqual({ kind: 'nfacct', name: 'ct_state_invalid_dropped_pkts' });
      },
    },
    {
      name: 'rule without a target only counts',
      text: '-A KUBE-FW-X -m comment --comment "other traffic to ns/svc will be dropped by KUBE-PROXY-FIREWALL"',
      check: (r) => expect(r.target).toEqual<Target>({ kind: 'none' }),
    },
  ];
  test.each(cases)('$name', ({ text, check }) => check(firstRule(text)));
});

describe('dump structure', () => {
  test('counters prefix, policies, positions and locations', () => {
    const text = [
      '# Generated by iptables-save v1.8.9 on Sat Nov 21 05:00:00 2026',
      '*filter',
      ':INPUT ACCEPT [10:600]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [5:300]',
      ':KUBE-FORWARD - [0:0]',
      '[7:420] -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '[0:0] -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
      '[3:180] -A KUBE-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT',
      'COMMIT',
      '# Completed on Sat Nov 21 05:00:00 2026',
    ].join('\n');
    const rs = parseIptablesSave(text, { file: 'f.txt' });
    expect(rs.generator).toBe('iptables-save v1.8.9');
    const filter = rs.tables.get('filter')!;
    expect(filter.chains.get('FORWARD')!.policy).toBe('DROP');
    expect(filter.chains.get('KUBE-FORWARD')!.policy).toBeUndefined();
    const r = filter.chains.get('KUBE-FORWARD')!.rules[1]!;
    expect(r).toMatchObject({ position: 2, chain: 'KUBE-FORWARD', table: 'filter', loc: { file: 'f.txt', line: 9, column: 9 }, counters: { packets: 3n, bytes: 180n } });
    expect(r.raw).toBe('-A KUBE-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT');
  });

  test('nft flavour header and every table', () => {
    const text = ['# Generated by iptables-nft-save v1.8.9 (nf_tables) on Sat Nov 21 05:00:00 2026',
      '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT',
      '*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', 'COMMIT',
      '*security', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT', ''].join('\n');
    const rs = parseIptablesSave(text, { file: 'f' });
    expect(rs.generator).toBe('iptables-nft-save v1.8.9 (nf_tables)');
    expect([...rs.tables.keys()]).toEqual(['raw', 'mangle', 'security']);
  });

  test('ip6tables-save: family from the header, bracketed DNAT, ipv6-icmp', () => {
    const text = ['# Generated by ip6tables-save v1.8.9 on Sat Nov 21 05:00:00 2026', '*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-SEP-A - [0:0]',
      '-A KUBE-SEP-A -s fd00:10:244::5/128 -j MARK --set-xmark 0x4000/0x4000',
      '-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination [fd00:10:244::5]:8080', 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
      '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT', 'COMMIT', ''].join('\n');
    const rs = parseIptablesSave(text, { file: 'f6' });
    expect(rs.family).toBe(6);
    const sep = rs.tables.get('nat')!.chains.get('KUBE-SEP-A')!.rules;
    expect(sep[1]!.target).toMatchObject({ kind: 'dnat', ranges: [{ addrFrom: 'fd00:10:244::5', ports: { from: 8080, to: 8080 } }] });
    expect(rs.tables.get('filter')!.chains.get('INPUT')!.rules[0]!.matches).toMatchObject([{ kind: 'proto', proto: 58 }, { kind: 'icmp', family: 6, type: 128 }]);
  });

  test('a jump to an undeclared name without options is kept as an unmodelled target', () => {
    const text = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -j SOMETHING', 'COMMIT', ''].join('\n');
    const r = parseIptablesSave(text, { file: 'f' }).tables.get('filter')!.chains.get('INPUT')!.rules[0]!;
    expect(r.target).toEqual({ kind: 'unmodelled', name: 'SOMETHING', args: [] });
  });

  test('-I inserts and positions follow the final order', () => {
    const text = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -s 10.0.0.1 -j ACCEPT', '-I INPUT 1 -s 10.0.0.2 -j DROP', 'COMMIT', ''].join('\n');
    const rules = parseIptablesSave(text, { file: 'f' }).tables.get('filter')!.chains.get('INPUT')!.rules;
    expect(rules.map((r) => [r.position, r.target.kind])).toEqual([[1, 'drop'], [2, 'accept']]);
  });
});

describe('unreadable text: code, line and column', () => {
  const cases = [
    { name: 'unknown core option', text: '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -z 1 -j ACCEPT\nCOMMIT\n', code: 'E_IPT_UNKNOWN_OPTION', line: 3, column: 15 },
    { name: 'bad address', text: '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -s 10.0.0.300/32 -j ACCEPT\nCOMMIT\n', code: 'E_IPT_BAD_VALUE', line: 3, column: 18 },
    { name: 'bad DNAT destination', text: '*nat\n:X - [0:0]\n-A X -p tcp -j DNAT --to-destination 10.0.3.7::8080\nCOMMIT\n', code: 'E_IPT_BAD_VALUE', line: 3, column: 38 },
    { name: 'missing value', text: '*nat\n:X - [0:0]\n-A X -m comment --comment\nCOMMIT\n', code: 'E_IPT_MISSING_VALUE', line: 3, column: 17 },
    { name: 'rule for an undeclared chain', text: '*nat\n:X - [0:0]\n-A Y -j RETURN\nCOMMIT\n', code: 'E_IPT_UNKNOWN_CHAIN', line: 3, column: 4 },
    { name: 'goto an undeclared chain', text: '*nat\n:X - [0:0]\n-A X -g NOPE\nCOMMIT\n', code: 'E_IPT_UNKNOWN_CHAIN', line: 3, column: 9 },
    { name: 'rule before any table', text: ':X - [0:0]\n', code: 'E_IPT_NO_TABLE', line: 1, column: 1 },
    { name: 'no COMMIT at the end', text: '*nat\n:X - [0:0]\n', code: 'E_IPT_NO_COMMIT', line: 1, column: 1 },
    { name: 'unterminated quote', text: '*nat\n:X - [0:0]\n-A X -m comment --comment "oops -j RETURN\nCOMMIT\n', code: 'E_IPT_UNTERMINATED_QUOTE', line: 3, column: 27 },
    { name: 'unknown table', text: '*natt\nCOMMIT\n', code: 'E_IPT_UNKNOWN_TABLE', line: 1, column: 2 },
    { name: 'policy on a user chain', text: '*nat\n:X ACCEPT [0:0]\nCOMMIT\n', code: 'E_IPT_BAD_VALUE', line: 2, column: 4 },
    { name: 'bad probability', text: '*nat\n:X - [0:0]\n-A X -m statistic --mode random --probability 1.5 -j RETURN\nCOMMIT\n', code: 'E_IPT_BAD_VALUE', line: 3, column: 47 },
    { name: 'bare word', text: '*nat\n:X - [0:0]\n-A X foo -j RETURN\nCOMMIT\n', code: 'E_IPT_UNEXPECTED_TOKEN', line: 3, column: 6 },
    { name: 'IPv6 address in an IPv4 dump', text: '*nat\n:X - [0:0]\n-A X -d fd00::1/128 -j RETURN\nCOMMIT\n', code: 'E_IPT_FAMILY', line: 3, column: 9 },
  ];
  test.each(cases)('$name', ({ text, code, line, column }) => {
    let err: unknown;
    try {
      parseIptablesSave(text, { file: 'bad.txt' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KpathError);
    expect(err).toMatchObject({ code, loc: { file: 'bad.txt', line, column } });
  });
});
