// Reduces a node trace to what kube-proxy's own tests assert: where the packet ends, with what
// share, and the source each endpoint sees — printing the rule trail when an assertion fails.
import { traceNode } from '../../src/netfilter/evaluate/node.js';
import { hostRouting } from '../../src/netfilter/evaluate/host-routing.js';
import { indexIpsets, ipsetPacket, parseIpset, testSet } from '../../src/netfilter/ipset/index.js';
import { parseIptablesSave } from '../../src/netfilter/iptables/parse.js';
import type { HostNetwork } from '../../src/netfilter/host.js';
import type { Entry, NodeTrace, Packet } from '../../src/netfilter/trace.js';

export interface Outcome {
  /** "10.180.0.1:80", or DROP / REJECT / LOCAL:addr:port / NO-ROUTE / UNKNOWN */
  readonly to: string;
  readonly share: number;
  /** Source address the destination sees. */
  readonly src: string;
}

export function runTrace(dump: string, net: HostNetwork, packet: Packet, entry: Entry, ipsetText?: string): NodeTrace {
  const ruleset = parseIptablesSave(dump, { file: 'rules.txt', family: 4 });
  const idx = ipsetText ? indexIpsets(parseIpset(ipsetText, 'ipset.txt')) : undefined;
  return traceNode({
    node: 'node-a', ruleset, routing: hostRouting(net, 'node-a'), packet, entry,
    testSet: idx ? (name, dirs, p, opts) => testSet(idx, name, dirs, ipsetPacket(p), opts) : undefined,
  });
}

/** Merges branches by (destination, source) and adds their shares. */
export function summarize(t: NodeTrace): Outcome[] {
  const m = new Map<string, Outcome>();
  for (const o of t.outcomes) {
    const to = o.disposition === 'forwarded' ? `${o.packet.dst}:${o.packet.dport ?? ''}`
      : o.disposition === 'local' ? `LOCAL:${o.packet.dst}:${o.packet.dport ?? ''}`
        : o.disposition.toUpperCase();
    const src = o.disposition === 'forwarded' || o.disposition === 'local' ? o.packet.src : '-';
    const k = `${to}|${src}`;
    const prev = m.get(k);
    m.set(k, { to, src, share: (prev?.share ?? 0) + o.probability });
  }
  return [...m.values()].sort((a, b) => a.to.localeCompare(b.to));
}

/** The rule trail of every branch, for failure messages. */
export function explain(t: NodeTrace): string {
  return t.outcomes.map((o, i) => [
    `branch ${i + 1} p=${o.probability} ${o.disposition} ${o.packet.src}→${o.packet.dst}:${o.packet.dport ?? ''}${o.unknown ? ` (${o.unknown.reason})` : ''}`,
    ...o.steps.map((s) => `    ${s.table} ${s.chain} #${s.rule}: ${s.verdict}   | ${s.text}`),
  ].join('\n')).join('\n');
}
