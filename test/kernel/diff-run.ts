import { parseIp } from '../../src/netfilter/cidr.js';
import { traceNode } from '../../src/netfilter/evaluate/node.js';
import { hostRouting } from '../../src/netfilter/evaluate/host-routing.js';
import type { PacketView, SetAnswer } from '../../src/netfilter/family.js';
import { parseIptablesSave } from '../../src/netfilter/iptables/parse.js';
import { indexIpsets, parseIpset, testSet } from '../../src/netfilter/ipset/index.js';
import type { Ruleset } from '../../src/netfilter/model.js';
import { buildHostNetwork, parseIpAddrJson, parseIpRouteJson } from '../../src/netfilter/routing/index.js';
import type { Entry, NodeTrace } from '../../src/netfilter/trace.js';
import { attemptsFor, judge, observedSignature, predict, report, type Prediction, type Verdict } from './compare.js';
import { nsh } from './lab.js';
import type { NodeLab } from './node-lab.js';
import { classify, diffCounts, parseCounters, type CounterDump, type KernelFact, type Probe, type RawAttempt } from './observe.js';

/** How hard to look: attempts per multi-branch probe, their cap, and the share tolerance in sigma. */
export interface DiffOptions {
  readonly repeats: number;
  readonly maxAttempts: number;
  readonly sigma: number;
}

/** kpath's view of a lab node: exactly the dumps a snapshot would hold, taken from the kernel. */
export interface KpathNode {
  readonly ruleset: Ruleset;
  readonly iptablesText: string;
  readonly ipsetText: string;
  trace(probe: Probe): NodeTrace;
}

/** What kpath reads for one node: the dumps a snapshot holds, and where probes enter. */
export interface KpathInputs {
  readonly name: string;
  readonly iptablesText: string;
  readonly ipsetText: string;
  readonly addrJson: string;
  readonly routeJson: string;
  readonly uplink: string;
  /** Pod address → the node's link toward it. */
  readonly pods: ReadonlyMap<string, string>;
}

/** Dumps the node's rules and sets from the kernel and prepares kpath's evaluator input. */
export function kpathNode(node: NodeLab): KpathNode {
  return kpathFrom({
    name: node.name, iptablesText: nsh(node.ns, ['iptables-legacy-save']), ipsetText: nsh(node.ns, ['ipset', 'save']),
    addrJson: node.addrJson, routeJson: node.routeJson, uplink: node.uplink, pods: new Map(node.pods.map((p) => [p.ip, p.iface])),
  });
}

/** kpath's evaluator over one node's dumps (no kernel involved). */
export function kpathFrom(inp: KpathInputs): KpathNode {
  const { name, iptablesText, ipsetText } = inp;
  const ruleset = parseIptablesSave(iptablesText, { file: `${name}/iptables-save.txt`, family: 4 });
  const index = indexIpsets(parseIpset(ipsetText, `${name}/ipset-save.txt`));
  const net = buildHostNetwork(parseIpAddrJson(inp.addrJson, `${name}/ip-addr.json`), parseIpRouteJson(inp.routeJson, `${name}/ip-route.json`));
  const routing = hostRouting(net, name);
  // The kernel hands xt_set an empty name where a hook has no device (IFACE() in ip_set_hash_netiface.c).
  const sets = (name: string, dirs: readonly ('src' | 'dst')[], pkt: PacketView, opts: { returnNomatch: boolean }): SetAnswer => {
    const a = testSet(index, name, dirs, {
      family: pkt.family, proto: pkt.proto, src: pkt.src, dst: pkt.dst, sport: pkt.sport, dport: pkt.dport,
      icmpType: pkt.icmpType, icmpCode: pkt.icmpCode, iif: pkt.iif ?? '', oif: pkt.oif ?? '',
    }, opts);
    return a.reason !== undefined ? { result: a.result, reason: a.reason } : { result: a.result };
  };
  return {
    ruleset, iptablesText, ipsetText,
    trace(probe) {
      const pod = probe.from.kind === 'pod' ? inp.pods.get(probe.from.ip) : undefined;
      if (probe.from.kind === 'pod' && !pod) throw new Error(`${name} has no pod ${probe.from.ip}`);
      const entry: Entry = probe.from.kind === 'node' ? { kind: 'local' } : { kind: 'iface', iface: pod ?? inp.uplink };
      return traceNode({
        node: name, ruleset, routing, testSet: sets, entry,
        packet: { family: 4, proto: probe.proto === 'tcp' ? 6 : 17, src: probe.src, dst: probe.dst, sport: probe.sport, dport: probe.dport },
      });
    },
  };
}

function podOf(node: NodeLab, ip: string): { iface: string; ns: string } {
  const p = node.pods.find((x) => x.ip === ip);
  if (!p) throw new Error(`${node.name} has no pod ${ip}`);
  return p;
}

/** Sends attempts through the node's agent and reads them back as kernel facts. */
export class Prober {
  private last: CounterDump | undefined;

  constructor(private readonly node: NodeLab) {}

  /** Forgets the counter baseline (after the rules were replaced). */
  reset(): void {
    this.last = undefined;
  }

  async attempt(probe: Probe): Promise<{ fact: KernelFact; dump: CounterDump }> {
    if (!parseIp(probe.src) || !parseIp(probe.dst)) throw new Error(`bad probe addresses ${probe.src} → ${probe.dst}`);
    if (!this.last) this.last = parseCounters((await this.node.agent.request<{ counters: string }>({ op: 'counters' })).counters);
    const ns = probe.from.kind === 'outside' ? this.node.outsideNs : probe.from.kind === 'node' ? this.node.ns : podOf(this.node, probe.from.ip).ns;
    const raw = await this.node.agent.request<RawAttempt>({
      op: 'attempt', ns, proto: probe.proto, src: probe.src, sport: probe.sport, dst: probe.dst, dport: probe.dport,
      fromWire: probe.from.kind !== 'node',
    });
    if (probe.from.kind !== 'node' && (raw.snmp['Ip']?.['InReceives'] ?? 0) === 0) {
      throw new Error(`probe ${probe.src} → ${probe.dst}:${probe.dport} never reached ${this.node.name} (send error ${raw.err ?? 'none'})`);
    }
    const dump = parseCounters(raw.counters ?? '');
    const delta = diffCounts(this.last, dump);
    this.last = dump;
    return { fact: classify(this.node, probe, raw, dump, delta), dump };
  }
}

/** One probe compared: kpath's prediction, the kernel's attempts, and a report when they differ. */
export interface ProbeResult {
  readonly agreed: boolean;
  readonly attempts: number;
  readonly prediction: Prediction;
  readonly verdict: Verdict;
  readonly report?: string;
}

/**
 * Runs one probe: kpath first (to know how many attempts a split needs), then the kernel, then the
 * comparison. `context` (seed, scenario) heads the report.
 */
export async function diffProbe(node: NodeLab, kp: KpathNode, prober: Prober, probe: Probe, opts: DiffOptions, context: string): Promise<ProbeResult> {
  const first = await prober.attempt(probe);
  const trace = kp.trace(probe);
  const n = attemptsFor(predict(trace, probe, first.dump), opts.repeats, opts.maxAttempts);
  const attempts = [first];
  for (let i = 1; i < n; i++) attempts.push(await prober.attempt(probe));
  // If any attempt's answers came back through lo, every non-nat chain is suspect for all of them.
  const looped = attempts.some((a) => a.fact.looped);
  const pred = predict(trace, probe, first.dump, looped);
  const observed = attempts.map((a) => ({ ...observedSignature(a.fact, probe, a.dump, looped), fact: a.fact }));
  const verdict = judge(pred, observed, opts.sigma);
  const agreed = verdict.problems.length === 0;
  const rules = `${kp.iptablesText}${kp.ipsetText.trim() ? `\n# ipset save\n${kp.ipsetText}` : ''}`;
  return { agreed, attempts: n, prediction: pred, verdict, ...(agreed ? {} : { report: report(context, probe, pred, verdict, rules, `node ${node.name}`) }) };
}
