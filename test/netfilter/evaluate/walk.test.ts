// Evaluator semantics on small inline rule sets: the kernel's jump/goto/RETURN stack, policies,
// hook order, NAT bookkeeping, marks, and what stays unknown. Expected answers follow
// ip_tables.c / nf_nat and the xt_* modules (cited per case).
import { describe, expect, test } from 'vitest';
import { traceNode } from '../../../src/netfilter/evaluate/node.js';
import { hostRouting } from '../../../src/netfilter/evaluate/host-routing.js';
import { parseIptablesSave } from '../../../src/netfilter/iptables/parse.js';
import type { IpvsTable } from '../../../src/netfilter/ipvs/model.js';
import type { Entry, NodeTrace, Packet } from '../../../src/netfilter/trace.js';
import { nodeNetwork } from '../../support/node-net.js';
import { explain } from '../../support/summarize.js';

const net = nodeNetwork(
  [{ name: 'eth0', addrs: ['192.168.0.2/24'] }, { name: 'veth-a' }, { name: 'tunl0', addrs: ['10.244.1.0/32'], linkType: 'ipip' }],
  [
    { dst: 'default', gateway: '192.168.0.1', dev: 'eth0' },
    { dst: '10.244.1.5', dev: 'veth-a', scope: 'link' },
    { dst: '10.244.2.0/24', gateway: '192.168.0.3', dev: 'tunl0', onlink: true },
    { dst: '10.99.0.0/16', type: 'blackhole', dev: 'lo' },
  ],
);

/** Declares every chain a rule names, with built-in policies from `policies`. */
function dump(tables: Record<string, string[]>, policies: Record<string, string> = {}): string {
  const builtins: Record<string, string[]> = {
    raw: ['PREROUTING', 'OUTPUT'], mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  };
  const out: string[] = [];
  for (const [t, rules] of Object.entries(tables)) {
    const chains = new Set<string>();
    for (const r of rules) {
      chains.add(r.split(' ')[1]!);
      const j = /-[jg] ([A-Z][A-Z0-9-]*)/.exec(r);
      if (j && /^(X|Y|Z|SUB|SUB2)$/.test(j[1]!)) chains.add(j[1]!);
    }
    out.push(`*${t}`, ...builtins[t]!.map((b) => `:${b} ${policies[`${t}/${b}`] ?? 'ACCEPT'} [0:0]`));
    for (const c of chains) if (!builtins[t]!.includes(c)) out.push(`:${c} - [0:0]`);
    out.push(...rules, 'COMMIT');
  }
  return `${out.join('\n')}\n`;
}

function run(text: string, packet: Partial<Packet> = {}, entry: Entry = { kind: 'iface', iface: 'eth0' }, ipvs?: IpvsTable): NodeTrace {
  const p: Packet = { family: 4, proto: 6, src: '203.0.113.7', sport: 40000, dst: '10.244.1.5', dport: 80, ...packet };
  return traceNode({ node: 'n', ruleset: parseIptablesSave(text, { file: 't.txt', family: 4 }), routing: hostRouting(net, 'n'), packet: p, entry, ipvs });
}

function one(t: NodeTrace) {
  expect(t.outcomes.length, explain(t)).toBe(1);
  return t.outcomes[0]!;
}

describe('chain traversal (ip_tables.c jump stack)', () => {
  test('RETURN in a jumped chain continues after the jump', () => {
    const t = run(dump({ filter: ['-A FORWARD -j X', '-A FORWARD -j DROP', '-A X -j RETURN', '-A X -j ACCEPT'] }));
    expect(one(t).disposition).toBe('dropped');
  });
  test('-g: a RETURN in the goto target returns past the chain that did the goto', () => {
    // FORWARD -j SUB; SUB -g X; X RETURN → back in FORWARD after the jump to SUB (rule 2 ACCEPTs).
    const t = run(dump({ filter: ['-A FORWARD -j SUB', '-A FORWARD -j ACCEPT', '-A SUB -g X', '-A SUB -j DROP', '-A X -j RETURN'] }), {}, { kind: 'iface', iface: 'eth0' });
    expect(one(t).disposition).toBe('forwarded');
    expect(one(t).steps.map((s) => `${s.chain}#${s.rule}`)).toContain('FORWARD#2');
  });
  test('falling off a built-in chain applies its policy', () => {
    const t = run(dump({ filter: ['-A FORWARD -s 10.0.0.0/8 -j ACCEPT'] }, { 'filter/FORWARD': 'DROP' }));
    expect(one(t)).toMatchObject({ disposition: 'dropped' });
    expect(one(t).steps.at(-1)!.verdict).toBe('DROP (chain policy)');
  });
  test('a rule without a target only counts and the walk goes on', () => {
    const t = run(dump({ filter: ['-A FORWARD -p tcp', '-A FORWARD -j REJECT --reject-with tcp-reset'] }));
    expect(one(t)).toMatchObject({ disposition: 'rejected', rejectWith: 'tcp-reset' });
  });
});

describe('hooks and NAT bookkeeping', () => {
  test('DNAT in PREROUTING is decided before routing: a DNAT to a local address is delivered locally', () => {
    const t = run(dump({ nat: ['-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.0.2:8080'] }), { dst: '198.51.100.1' });
    expect(one(t)).toMatchObject({ disposition: 'local', packet: { dst: '192.168.0.2', dport: 8080 } });
  });
  test('NOTRACK in raw: the nat table is skipped and ctstate is UNTRACKED (xt_CT, nf_nat)', () => {
    const text = dump({
      raw: ['-A PREROUTING -j CT --notrack'],
      nat: ['-A PREROUTING -j DNAT --to-destination 10.244.2.9'],
      filter: ['-A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT', '-A FORWARD -j DROP'],
    });
    expect(one(run(text))).toMatchObject({ disposition: 'forwarded', packet: { dst: '10.244.1.5' } });
  });
  test('after a DNAT, filter sees --ctstate DNAT (IPS_DST_NAT)', () => {
    const text = dump({ nat: ['-A PREROUTING -j DNAT --to-destination 10.244.1.5'], filter: ['-A FORWARD -m conntrack ! --ctstate DNAT -j DROP'] });
    expect(one(run(text, { dst: '10.96.0.10' })).disposition).toBe('forwarded');
    expect(one(run(text, { dst: '10.244.1.5' })).disposition).toBe('dropped');
  });
  test('nat POSTROUTING sees the mark set in PREROUTING; MASQUERADE picks the egress device address', () => {
    const text = dump({ mangle: ['-A PREROUTING -j MARK --set-xmark 0x4000/0x4000'], nat: ['-A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE'] });
    expect(one(run(text, { dst: '10.244.2.7' }))).toMatchObject({ packet: { src: '10.244.1.0' }, egress: { iface: 'tunl0' } });
    // A veth without an address: the first global address in interface order (eth0's).
    expect(one(run(text, { dst: '10.244.1.5' }))).toMatchObject({ packet: { src: '192.168.0.2' } });
  });
  test('MARK masks: --set-xmark clears the mask bits then XORs (xt_mark.c)', () => {
    const text = dump({ mangle: ['-A PREROUTING -j MARK --set-xmark 0x10/0xf0', '-A PREROUTING -j MARK --set-xmark 0x1/0x0'] });
    // 0xff → (0xff & ~0xf0) ^ 0x10 = 0x1f → (0x1f & ~0x0) ^ 0x1 = 0x1e
    expect(one(run(text, { mark: 0xff })).mark).toBe(0x1e);
  });
  test('CONNMARK save and restore with masks (xt_connmark.c)', () => {
    const text = dump({ mangle: ['-A PREROUTING -j MARK --set-xmark 0x80/0xffffffff', '-A PREROUTING -j CONNMARK --save-mark --nfmask 0x80 --ctmask 0x80', '-A PREROUTING -j MARK --set-xmark 0x0/0xffffffff', '-A PREROUTING -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80'] });
    expect(one(run(text))).toMatchObject({ mark: 0x80, ctmark: 0x80 });
  });
  test('REDIRECT sends a packet to the incoming device\'s primary address', () => {
    const text = dump({ nat: ['-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 15001'] });
    expect(one(run(text, { dst: '198.51.100.9' }))).toMatchObject({ disposition: 'local', packet: { dst: '192.168.0.2', dport: 15001 } });
  });
  test('a locally generated packet: nat OUTPUT DNAT re-routes it; POSTROUTING masquerades by the new route', () => {
    const text = dump({ nat: ['-A OUTPUT -d 10.96.0.10/32 -p tcp -j DNAT --to-destination 10.244.2.7:8080', '-A POSTROUTING -o tunl0 -j MASQUERADE'] });
    const o = one(run(text, { src: '192.168.0.2', dst: '10.96.0.10' }, { kind: 'local' }));
    expect(o).toMatchObject({ disposition: 'forwarded', packet: { dst: '10.244.2.7', dport: 8080, src: '10.244.1.0' }, egress: { iface: 'tunl0' } });
  });
  test('a blackhole route ends the path with no-route', () => {
    expect(one(run(dump({ filter: [] }), { dst: '10.99.1.1' })).disposition).toBe('no-route');
  });
  test('DNAT to an address range: equal shares with the hash assumption stated', () => {
    const t = run(dump({ nat: ['-A PREROUTING -j DNAT --to-destination 10.244.1.5-10.244.1.6'] }), { dst: '10.96.0.1' });
    expect(t.outcomes.map((o) => [o.packet.dst, o.probability])).toEqual([['10.244.1.5', 0.5], ['10.244.1.6', 0.5]]);
    expect(t.outcomes[0]!.assumptions.join(' ')).toMatch(/hash of the connection/);
  });
});

describe('branches and unknowns', () => {
  test('statistic random splits with the quantised probability; shares sum to 1', () => {
    const t = run(dump({ nat: ['-A PREROUTING -m statistic --mode random --probability 0.25 -j DNAT --to-destination 10.244.1.5', '-A PREROUTING -j DNAT --to-destination 10.244.2.9'] }), { dst: '10.96.0.1' });
    expect(t.outcomes.map((o) => [o.packet.dst, o.probability]).sort()).toEqual([['10.244.1.5', 0.25], ['10.244.2.9', 0.75]]);
  });
  test('an unmodelled match reached by a branch makes that branch unknown, naming the module and file:line', () => {
    const t = run(dump({ filter: ['-A FORWARD -m hashlimit --hashlimit-upto 5/sec --hashlimit-name x -j DROP'] }));
    // The rule is line 5 of the dump: *filter, three built-in chains, then the rule.
    expect(one(t)).toMatchObject({ disposition: 'unknown', unknown: { reason: expect.stringMatching(/hashlimit/), where: 't.txt:5' } });
  });
  test('an unmodelled match after a failing match is never reached: no unknown', () => {
    const t = run(dump({ filter: ['-A FORWARD -s 10.0.0.0/8 -m hashlimit --hashlimit-upto 5/sec --hashlimit-name x -j DROP'] }));
    expect(one(t).disposition).toBe('forwarded');
  });
  test('-m recent --rcheck after a --set in the same walk matches; a new client otherwise does not', () => {
    const text = dump({ filter: ['-A FORWARD -m recent --set --name L --rsource', '-A FORWARD -m recent --rcheck --name L --rsource -j DROP'] });
    expect(one(run(text)).disposition).toBe('dropped');
    const fresh = dump({ filter: ['-A FORWARD -m recent --rcheck --name L --rsource -j DROP'] });
    expect(one(run(fresh))).toMatchObject({ disposition: 'forwarded', assumptions: [expect.stringMatching(/new client/)] });
  });
  test('-m set without an ipset dump is unknown, not a guess', () => {
    expect(one(run(dump({ filter: ['-A FORWARD -m set --match-set S dst -j DROP'] }))).disposition).toBe('unknown');
  });
});

describe('IPVS step (LOCAL_IN after filter INPUT; kube-proxy.md §3.5)', () => {
  const loc = { file: 'ipvs.txt', line: 1, column: 1 };
  const table = (scheduler: string, weights: number[]): IpvsTable => ({
    file: 'ipvs.txt',
    services: [{
      protocol: 'tcp', address: '192.168.0.2', port: 30080, family: 4, scheduler, flags: [], loc,
      realServers: weights.map((w, i) => ({ address: `10.244.${i === 0 ? 1 : 2}.${5 + i}`, port: 80, forward: 'Masq' as const, weight: w, loc })),
    }],
  });
  const text = dump({ nat: ['-A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE'], mangle: ['-A PREROUTING -j MARK --set-xmark 0x4000/0x4000'] });
  test('wrr shares by weight; each branch leaves through POSTROUTING and is masqueraded', () => {
    const t = run(text, { dst: '192.168.0.2', dport: 30080 }, { kind: 'iface', iface: 'eth0' }, table('wrr', [1, 3]));
    expect(t.outcomes.map((o) => [o.packet.dst, o.probability, o.packet.src]).sort()).toEqual([['10.244.1.5', 0.25, '192.168.0.2'], ['10.244.2.6', 0.75, '10.244.1.0']]);
  });
  test('weight 0 takes no new connections; rr is equal over the rest', () => {
    const t = run(text, { dst: '192.168.0.2', dport: 30080 }, { kind: 'iface', iface: 'eth0' }, table('rr', [0, 1]));
    expect(t.outcomes.map((o) => [o.packet.dst, o.probability])).toEqual([['10.244.2.6', 1]]);
  });
  test('no server with weight > 0: refused', () => {
    expect(one(run(text, { dst: '192.168.0.2', dport: 30080 }, { kind: 'iface', iface: 'eth0' }, table('rr', [0]))).disposition).toBe('rejected');
  });
  test('other schedulers: equal shares with the assumption said', () => {
    const t = run(text, { dst: '192.168.0.2', dport: 30080 }, { kind: 'iface', iface: 'eth0' }, table('lc', [1, 1]));
    expect(t.outcomes.every((o) => o.probability === 0.5 && o.assumptions.some((a) => /scheduler lc/.test(a)))).toBe(true);
  });
});
