import type { NodeOutcome, NodeTrace } from '../../src/netfilter/trace.js';
import { reachable, type CounterDump, type KernelFact, type Probe } from './observe.js';

// Turns a kpath NodeTrace and the kernel's attempts into comparable facts. A branch's *signature* is
// what the kernel can show of it: disposition, final destination and source, egress device, and the
// packet count of every rule in a "clean" chain (one no packet but the probe can reach). Branches
// with equal signatures are indistinguishable and their shares add up.

const NON_NAT = ['raw', 'mangle', 'filter', 'security'] as const;

/**
 * Built-in chains whose rules may also count the node's own answers (TCP RST, ICMP errors), given
 * what happened to the probe (the first word of its fact: local, forwarded, dropped, rejected,
 * discarded). Answers belong to the probe's connection or are untracked, so the nat table never
 * sees them. From the wire they pass only OUTPUT and mangle POSTROUTING, and only when the node
 * answered at all (local delivery, REJECT, an unreachable route); forwarded and dropped probes get
 * no answer (every other namespace drops what it receives). For a probe from the node itself an
 * answer to a local address loops through lo and passes every non-nat chain; so does, from the
 * wire, an answer that a REJECT rule in OUTPUT answers in turn (`looped`: the kernel saw traffic
 * on lo during one of the probe's attempts).
 */
export function dirtyStarts(probe: Probe, outcome: string, looped = false): string[] {
  if (outcome === 'forwarded' || outcome === 'dropped') return [];
  const all = NON_NAT.flatMap((t) => ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].map((c) => `${t}/${c}`));
  if (probe.from.kind === 'node') return outcome === 'local' || outcome === 'rejected' ? all : [];
  return looped ? all : [...NON_NAT.map((t) => `${t}/OUTPUT`), 'mangle/POSTROUTING'];
}

/** Rule counts a kpath branch implies (a chain jumped to twice counts twice). */
export function branchCounts(o: NodeOutcome): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of o.steps) {
    if (s.table === 'routing' || s.table === 'ipvs') continue;
    const key = s.rule > 0 ? `${s.table}/${s.chain}/${s.rule}` : /policy/.test(s.verdict) ? `${s.table}/${s.chain}/policy` : undefined;
    if (key) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

const chainOf = (key: string): string => key.split('/').slice(0, 2).join('/');

/** Policy counters count every packet leaving an ACCEPT-policy chain, which kpath does not record. */
function comparable(dump: CounterDump, key: string): boolean {
  return !key.endsWith('/policy') || dump.policies.get(chainOf(key)) === 'DROP';
}

/**
 * Observable facts of one side, without rules. A packet discarded without a DROP/REJECT rule (no
 * route, a blackhole or unreachable route, a NAT target that had to drop it) reads `discarded`:
 * the kernel shows no difference between those, and the rule counters tell where it ended.
 */
export function factText(f: { disposition: string; dst?: string; src?: string; egress?: string }): string {
  if (f.disposition === 'no-route') return 'discarded';
  if (f.disposition !== 'local' && f.disposition !== 'forwarded') return f.disposition;
  return `${f.disposition} → ${f.dst} src ${f.src}${f.disposition === 'forwarded' ? ` via ${f.egress ?? '?'}` : ''}`;
}

/** The observable fact of one kpath outcome (see factText). */
export function outcomeFact(o: NodeOutcome): string {
  if (o.disposition === 'dropped' && !o.steps.some((s) => /^DROP\b/.test(s.verdict))) return 'discarded';
  const dst = o.packet.dport !== undefined ? `${o.packet.dst}:${o.packet.dport}` : o.packet.dst;
  return factText({ disposition: o.disposition, dst, src: o.packet.src, egress: o.egress?.iface });
}

function signature(fact: string, counts: ReadonlyMap<string, number>, dirty: ReadonlySet<string>, dump: CounterDump): string {
  const clean = [...counts].filter(([k, n]) => n > 0 && !dirty.has(chainOf(k)) && comparable(dump, k)).sort(([a], [b]) => a.localeCompare(b));
  return `${fact} | ${clean.map(([k, n]) => (n === 1 ? k : `${k}×${n}`)).join(' ')}`;
}

/** kpath's prediction for one probe, grouped by what the kernel can tell apart. */
export interface Prediction {
  readonly signatures: ReadonlyMap<string, { probability: number; outcomes: NodeOutcome[] }>;
  readonly unknown: readonly NodeOutcome[];
}

export function predict(trace: NodeTrace, probe: Probe, dump: CounterDump, looped = false): Prediction {
  const signatures = new Map<string, { probability: number; outcomes: NodeOutcome[] }>();
  const unknown: NodeOutcome[] = [];
  for (const o of trace.outcomes) {
    if (o.disposition === 'unknown') { unknown.push(o); continue; }
    const fact = outcomeFact(o);
    const dirty = reachable(dump, dirtyStarts(probe, fact.split(' ')[0]!, looped));
    const sig = signature(fact, branchCounts(o), dirty, dump);
    const cur = signatures.get(sig) ?? { probability: 0, outcomes: [] };
    cur.probability += o.probability;
    cur.outcomes.push(o);
    signatures.set(sig, cur);
  }
  return { signatures, unknown };
}

/** The kernel attempt's signature, and rules in dirty chains that counted less than every candidate branch needs. */
export function observedSignature(fact: KernelFact, probe: Probe, dump: CounterDump, looped = false): { sig: string; dirty: Set<string> } {
  const text = factText(fact);
  const dirty = reachable(dump, dirtyStarts(probe, text.split(' ')[0]!, looped));
  return { sig: signature(text, fact.rules, dirty, dump), dirty };
}

/** Rules in dirty chains that a branch says must count but did not (answers can only add). */
export function dirtyShortfall(o: NodeOutcome, fact: KernelFact, dirty: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [k, n] of branchCounts(o)) {
    if (dirty.has(chainOf(k)) && (fact.rules.get(k) ?? 0) < n) out.push(`${k} counted ${fact.rules.get(k) ?? 0}, kpath needs ≥${n}`);
  }
  return out;
}

/** Binomial check of one share: |k − Np| ≤ z·√(Np(1−p)) + 1. */
export function shareAgrees(seen: number, attempts: number, p: number, z: number): boolean {
  const mean = attempts * p;
  return Math.abs(seen - mean) <= z * Math.sqrt(mean * (1 - p)) + 1;
}

/** Attempts needed so that every branch of share ≥ minShare is expected ≥ 12 times (miss chance < 1e-5). */
export function attemptsFor(pred: Prediction, repeats: number, cap: number): number {
  const shares = [...pred.signatures.values()].map((s) => s.probability);
  if (shares.length <= 1) return 1;
  const min = Math.min(...shares);
  return Math.min(cap, Math.max(repeats, Math.ceil(12 / min)));
}

/** One finished comparison: empty `problems` means agreement. */
export interface Verdict {
  readonly problems: readonly string[];
  readonly attempts: number;
  readonly seen: ReadonlyMap<string, number>;
}

/**
 * Compares N kernel attempts with kpath's prediction: every observed signature must be predicted,
 * every predicted one with an expected count ≥ 12 must be seen, shares within z sigma, and
 * dirty-chain rules of the matched branch must have counted at least as kpath says.
 */
export function judge(pred: Prediction, observed: readonly { sig: string; fact: KernelFact; dirty: Set<string> }[], z: number): Verdict {
  const problems: string[] = [];
  if (pred.unknown.length > 0) {
    for (const o of pred.unknown) problems.push(`kpath answers unknown (${(o.probability * 100).toFixed(1)}%): ${o.unknown?.reason ?? ''} at ${o.unknown?.where ?? '?'}`);
  }
  const seen = new Map<string, number>();
  for (const ob of observed) {
    seen.set(ob.sig, (seen.get(ob.sig) ?? 0) + 1);
    const s = pred.signatures.get(ob.sig);
    if (!s) continue;
    const short = s.outcomes.map((o) => dirtyShortfall(o, ob.fact, ob.dirty));
    const text = `dirty-chain counters short for ${ob.sig}: ${short[0]?.join('; ') ?? ''}`;
    if (short.every((x) => x.length > 0) && !problems.includes(text)) problems.push(text);
  }
  const n = observed.length;
  for (const [sig, k] of seen) {
    if (!pred.signatures.has(sig)) {
      const ex = observed.find((o) => o.sig === sig)!;
      problems.push(`kernel did what kpath does not predict (${k}/${n}): ${sig}  [${ex.fact.evidence}]`);
    }
  }
  for (const [sig, s] of pred.signatures) {
    const k = seen.get(sig) ?? 0;
    if (n === 1) {
      if (pred.signatures.size === 1 && k === 0) problems.push(`kpath predicts ${sig}`);
      continue;
    }
    if (k === 0 && s.probability * n >= 12) problems.push(`never seen in ${n} attempts (kpath share ${s.probability.toFixed(4)}): ${sig}`);
    else if (!shareAgrees(k, n, s.probability, z)) problems.push(`share ${k}/${n} = ${(k / n).toFixed(3)}, kpath ${s.probability.toFixed(4)}: ${sig}`);
  }
  return { problems, attempts: n, seen };
}

/** The report printed for a disagreement: what to rerun, the rules, the packet and both answers. */
export function report(title: string, probe: Probe, pred: Prediction, verdict: Verdict, rules: string, extra: string): string {
  const lines = [
    `=== kernel-diff disagreement: ${title}`,
    extra,
    `probe: ${probe.proto} ${probe.src}:${probe.sport} → ${probe.dst}:${probe.dport} from ${probe.from.kind === 'pod' ? `pod ${probe.from.ip}` : probe.from.kind}${probe.label ? ` (${probe.label})` : ''}`,
    'kpath:',
    ...[...pred.signatures].map(([sig, s]) => `  ${(s.probability * 100).toFixed(2)}%  ${sig}`),
    ...pred.unknown.map((o) => `  ${(o.probability * 100).toFixed(2)}%  unknown: ${o.unknown?.reason ?? ''}`),
    `kernel (${verdict.attempts} attempts):`,
    ...[...verdict.seen].map(([sig, k]) => `  ${k}×  ${sig}`),
    'problems:',
    ...verdict.problems.map((p) => `  - ${p}`),
    'kpath steps of the first branch:',
    ...(([...pred.signatures.values()][0]?.outcomes[0] ?? pred.unknown[0])?.steps ?? []).map((s) => `  ${s.table} ${s.chain} #${s.rule}: ${s.verdict}`),
    'rules:',
    rules,
  ];
  return lines.join('\n');
}
