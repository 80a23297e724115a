import type { NodeLab } from './node-lab.js';

// The kernel's side of one connection attempt: what the agent saw, read without any kpath code, so
// that a kpath bug cannot hide in both columns of the comparison.

/** Where a probe starts: a client beyond the uplink, the node itself, or a pod on the node. */
export type ProbeFrom = { readonly kind: 'outside' } | { readonly kind: 'node' } | { readonly kind: 'pod'; readonly ip: string };

/** One probe packet: the first packet of a new connection, with its exact addresses and ports. */
export interface Probe {
  readonly from: ProbeFrom;
  readonly proto: 'tcp' | 'udp';
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  /** Human text for reports. */
  readonly label?: string;
}

/** `no-route` here means: gone without a DROP/REJECT rule counting it (see compare.ts factText). */
export type Disposition = 'local' | 'forwarded' | 'dropped' | 'rejected' | 'no-route';

/** Rule packet counts, keyed `table/chain/position` (built-in chain policies: `table/chain/policy`). */
export type RuleCounts = ReadonlyMap<string, number>;

/** What the kernel did with one attempt. */
export interface KernelFact {
  readonly disposition: Disposition;
  /** Final destination `ip:port` (conntrack reply source), for local/forwarded. */
  readonly dst?: string;
  /** Final source address (conntrack reply destination), for local/forwarded. */
  readonly src?: string;
  /** Device the packet left by, for forwarded packets. */
  readonly egress?: string;
  readonly rules: RuleCounts;
  /** Packets passed lo during the attempt: for a probe from the wire, an answer was answered again. */
  readonly looped: boolean;
  /** Why the classification is what it is (for reports). */
  readonly evidence: string;
}

interface CtTuple { src?: string; dst?: string; proto?: number; sport?: number; dport?: number }
/** What agent.py returns for one attempt. */
export interface RawAttempt {
  readonly err: string | null;
  readonly snmp: Record<string, Record<string, number>>;
  readonly dev: Record<string, { rx?: number; tx?: number }>;
  readonly ct: readonly { orig: CtTuple; reply: CtTuple; mark?: number }[];
  readonly counters?: string;
}

/** Parsed `iptables-legacy-save -c`: packet counters and the jump graph. */
export interface CounterDump {
  readonly counts: ReadonlyMap<string, number>;
  /** table → chain → chains it jumps or goes to. */
  readonly edges: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** table/chain → target of each rule (by position - 1). */
  readonly targets: ReadonlyMap<string, readonly string[]>;
  /** table/chain → policy of each built-in chain. */
  readonly policies: ReadonlyMap<string, string>;
}

/** Reads `iptables-legacy-save -c` output (kernel side; deliberately not kpath's parser). */
export function parseCounters(text: string): CounterDump {
  const counts = new Map<string, number>();
  const edges = new Map<string, Map<string, string[]>>();
  const targets = new Map<string, string[]>();
  const policies = new Map<string, string>();
  let table = '';
  const positions = new Map<string, number>();
  const pending: { table: string; chain: string; target: string }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) { table = line.slice(1).trim(); edges.set(table, new Map()); continue; }
    const decl = /^:(\S+) (\S+) \[(\d+):\d+\]/.exec(line);
    if (decl) {
      edges.get(table)!.set(decl[1]!, []);
      if (decl[2] !== '-') {
        counts.set(`${table}/${decl[1]}/policy`, Number(decl[3]));
        policies.set(`${table}/${decl[1]}`, decl[2]!);
      }
      continue;
    }
    const rule = /^\[(\d+):\d+\] -A (\S+)(.*)$/.exec(line);
    if (!rule) continue;
    const chain = rule[2]!;
    const pos = (positions.get(`${table}/${chain}`) ?? 0) + 1;
    positions.set(`${table}/${chain}`, pos);
    counts.set(`${table}/${chain}/${pos}`, Number(rule[1]));
    const t = / -[jg] (\S+)/.exec(rule[3]!)?.[1] ?? '';
    const list = targets.get(`${table}/${chain}`) ?? [];
    list.push(t);
    targets.set(`${table}/${chain}`, list);
    pending.push({ table, chain, target: t });
  }
  for (const p of pending) {
    const chains = edges.get(p.table)!;
    if (chains.has(p.target)) chains.get(p.chain)?.push(p.target);
  }
  return { counts, edges, targets, policies };
}

/** Counter increments between two dumps of the same rules. */
export function diffCounts(before: CounterDump, after: CounterDump): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after.counts) {
    const d = v - (before.counts.get(k) ?? 0);
    if (d !== 0) out.set(k, d);
  }
  return out;
}

/** Chains reachable from the given built-in chains, as `table/chain`. */
export function reachable(dump: CounterDump, starts: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    const [table, chain] = k.split('/') as [string, string];
    for (const next of dump.edges.get(table)?.get(chain) ?? []) stack.push(`${table}/${next}`);
  }
  return seen;
}

const sum = (o: Record<string, number> | undefined, k: string): number => o?.[k] ?? 0;

function ruleTargetCounted(dump: CounterDump, delta: ReadonlyMap<string, number>, target: RegExp): boolean {
  for (const [k, n] of delta) {
    if (n <= 0 || k.endsWith('/policy')) continue;
    const [table, chain, pos] = k.split('/') as [string, string, string];
    const t = dump.targets.get(`${table}/${chain}`)?.[Number(pos) - 1] ?? '';
    if (target.test(t)) return true;
  }
  return false;
}

/**
 * Classifies one attempt. A conntrack NEW event means the packet passed every hook (the entry is
 * confirmed last); local delivery shows as Ip InDelivers, forwarding as ForwDatagrams or an
 * egress device. Without an event, a counted REJECT rule means rejected, a counted DROP rule or
 * policy dropped, and nothing counted a routing drop (blackhole/unreachable: no-route).
 */
export function classify(node: NodeLab, probe: Probe, raw: RawAttempt, dump: CounterDump, delta: ReadonlyMap<string, number>): KernelFact {
  const ip = raw.snmp['Ip'];
  const ev = raw.ct.find((e) => e.orig.src === probe.src && e.orig.dst === probe.dst && e.orig.sport === probe.sport && e.orig.dport === probe.dport);
  const egress = Object.entries(raw.dev)
    .filter(([name, d]) => name !== 'lo' && ((d.tx ?? 0) > 0 || (node.ifbs.has(name) && (d.rx ?? 0) > 0)))
    .map(([name]) => name);
  const rejectCounted = ruleTargetCounted(dump, delta, /^REJECT$/);
  const dropCounted = ruleTargetCounted(dump, delta, /^DROP$/) || [...delta].some(([k, n]) => k.endsWith('/policy') && n > 0 && isDropPolicy(dump, k));
  const base = { rules: delta, looped: (raw.dev['lo']?.rx ?? 0) > 0 };
  if (probe.from.kind === 'node' && raw.err && ['EHOSTUNREACH', 'ENETUNREACH', 'EINVAL'].includes(raw.err)) {
    return { ...base, disposition: 'no-route', evidence: `connect: ${raw.err}` };
  }
  if (probe.from.kind === 'node' && raw.err === 'EPERM') {
    return { ...base, disposition: rejectCounted ? 'rejected' : 'dropped', evidence: 'connect: EPERM' };
  }
  if (ev) {
    const passed = { dst: `${ev.reply.src}:${ev.reply.sport}`, src: ev.reply.dst };
    if (sum(ip, 'ForwDatagrams') > 0) return { ...base, ...passed, disposition: 'forwarded', egress: egress.join(','), evidence: 'ct NEW, Ip ForwDatagrams' };
    if (sum(ip, 'InDelivers') > 0) {
      // From the node, what got delivered may be a REJECT's ICMP error instead of the probe: the
      // probe (or the answer to it) reached TCP/UDP only if it was delivered itself.
      const udp = raw.snmp['Udp'];
      const transport = probe.proto === 'tcp' ? sum(raw.snmp['Tcp'], 'InSegs') : sum(udp, 'InDatagrams') + sum(udp, 'NoPorts') + sum(udp, 'InErrors');
      if (probe.from.kind === 'node' && transport === 0 && rejectCounted) return { ...base, disposition: 'rejected', evidence: 'REJECT counted, only its ICMP error delivered' };
      return { ...base, ...passed, disposition: 'local', evidence: 'ct NEW, Ip InDelivers' };
    }
    if (probe.from.kind === 'node') {
      // Local traffic to a local address is confirmed in POSTROUTING, before its loop through lo.
      if ((raw.dev['lo']?.rx ?? 0) > 0) return { ...base, disposition: rejectCounted ? 'rejected' : 'dropped', evidence: 'ct NEW, looped through lo, not delivered' };
      return { ...base, ...passed, disposition: 'forwarded', egress: egress.join(','), evidence: 'ct NEW, sent out' };
    }
    return { ...base, ...passed, disposition: 'forwarded', egress: egress.join(','), evidence: 'ct NEW without forward/deliver counters' };
  }
  if (rejectCounted) return { ...base, disposition: 'rejected', evidence: 'no ct event, REJECT rule counted' };
  if (dropCounted) return { ...base, disposition: 'dropped', evidence: 'no ct event, DROP rule or policy counted' };
  if (probe.from.kind === 'node' && sum(ip, 'OutRequests') === 0 && !raw.err) {
    return { ...base, disposition: 'dropped', evidence: 'no ct event, nothing sent' };
  }
  return { ...base, disposition: 'no-route', evidence: `no ct event, no DROP/REJECT counted (Ip ${JSON.stringify(ip)})` };
}

function isDropPolicy(dump: CounterDump, key: string): boolean {
  return dump.policies.get(key.split('/').slice(0, 2).join('/')) === 'DROP';
}
