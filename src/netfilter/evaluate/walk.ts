import type { MatchAnswer, MatchEnv } from '../family.js';
import type { Chain, Match, Rule, Ruleset, Table } from '../model.js';
import { MATCH_FAMILIES } from '../registry.js';
import { assume, forkBranch, type Branch } from './branch.js';
import { candidateRules } from './chain-index.js';
import { applyTarget, type TargetContext } from './apply-target.js';

/** How a chain walk ended for one branch. */
export type ChainEnd =
  | { readonly b: Branch; readonly end: 'return' }
  | { readonly b: Branch; readonly end: 'accept' | 'drop' }
  | { readonly b: Branch; readonly end: 'reject'; readonly rejectWith: string }
  | { readonly b: Branch; readonly end: 'unknown'; readonly reason: string; readonly where: string };

/** What a walk needs besides the branch. */
export interface WalkContext extends TargetContext {
  readonly ruleset: Ruleset;
  readonly matchEnv: MatchEnv;
}

/** The kernel refuses rule sets with loops; nesting this deep means a broken dump. */
const MAX_DEPTH = 100;

function testMatch(m: Match, b: Branch, env: MatchEnv): MatchAnswer {
  if (m.kind === 'unmodelled') return { is: 'unknown', reason: m.reason };
  const family = MATCH_FAMILIES[m.kind] as { test(m: Match, pkt: Branch, env: MatchEnv): MatchAnswer };
  return family.test(m, b, env);
}

function where(rule: Rule): string {
  return `${rule.loc.file}:${rule.loc.line}`;
}

/**
 * Runs one branch through the rules of a match list. Returns the branches for which every match
 * held (`hit`), those for which one failed (`miss`), and one ending unknown, if any. A statistic
 * match splits the branch: one part continues as a hit, the other as a miss.
 */
function matchRule(rule: Rule, b: Branch, env: MatchEnv): { hit: Branch[]; miss: Branch[]; unknown?: ChainEnd } {
  let live: Branch[] = [b];
  const miss: Branch[] = [];
  for (const m of rule.matches) {
    const next: Branch[] = [];
    for (const cur of live) {
      const a = testMatch(m, cur, env);
      if (a.is === 'unknown') {
        return { hit: [], miss, unknown: { b: cur, end: 'unknown', reason: a.reason, where: where(rule) } };
      }
      if (a.is === 'fork') {
        const yesB = forkBranch(cur, cur.probability * a.probability);
        const noB = forkBranch(cur, cur.probability * (1 - a.probability));
        assume(yesB, a.assumption);
        assume(noB, a.assumption);
        next.push(yesB);
        miss.push(noB);
        continue;
      }
      assume(cur, a.assumption);
      if (a.is === 'no') {
        miss.push(cur);
        continue;
      }
      if (a.recentAdd) {
        const list = cur.recent.get(a.recentAdd.name) ?? [];
        if (!list.includes(a.recentAdd.addr)) cur.recent.set(a.recentAdd.name, [...list, a.recentAdd.addr]);
      }
      next.push(cur);
    }
    live = next;
    if (live.length === 0) break;
  }
  return { hit: live, miss };
}

/**
 * Walks `chainName` of `table` for one branch, following jumps (return to the next rule), gotos
 * (the callee's return returns from this chain too) and RETURN, as ip_tables.c does with its
 * jump stack. Every rule a branch matches is recorded as a step.
 */
export function walkChain(ctx: WalkContext, start: Branch, table: Table, chainName: string, depth = 0): ChainEnd[] {
  const chain = ctx.ruleset.tables.get(table)?.chains.get(chainName);
  if (!chain) return [{ b: start, end: 'return' }];
  if (depth > MAX_DEPTH) {
    return [{ b: start, end: 'unknown', reason: `jumps nest deeper than ${MAX_DEPTH} chains at ${chainName}`, where: `${chain.loc.file}:${chain.loc.line}` }];
  }
  const ends: ChainEnd[] = [];
  const queue: { b: Branch; from: number }[] = [{ b: start, from: 0 }];
  while (queue.length > 0) {
    const item = queue.pop()!;
    walkFrom(ctx, chain, table, item.b, item.from, depth, ends, queue);
  }
  return ends;
}

function walkFrom(
  ctx: WalkContext, chain: Chain, table: Table, b: Branch, from: number, depth: number,
  ends: ChainEnd[], queue: { b: Branch; from: number }[],
): void {
  const cands = candidateRules(chain, b.family, b.dst.value, b.dport, from);
  const count = cands ? cands.length : chain.size - from;
  for (let k = 0; k < count; k++) {
    const i = cands ? cands[k]! : from + k;
    const rule = chain.rule(i);
    const r = matchRule(rule, b, ctx.matchEnv);
    if (r.unknown) ends.push(r.unknown);
    // Branches split off by a statistic match continue after this rule, each on its own.
    const misses = r.miss.filter((x) => x !== b);
    for (const m of misses) queue.push({ b: m, from: i + 1 });
    if (r.hit.length === 0) {
      if (r.miss.includes(b)) continue;
      return;
    }
    // Each split sends one part on as a hit and the rest to the misses, so at most one branch hits.
    const res = runTarget(ctx, rule, r.hit[0]!, table, depth);
    for (const e of res.ends) ends.push(e);
    for (const c of res.continuing) queue.push({ b: c, from: i + 1 });
    return;
  }
  ends.push({ b, end: 'return' });
}

function runTarget(ctx: WalkContext, rule: Rule, b: Branch, table: Table, depth: number): { ends: ChainEnd[]; continuing: Branch[] } {
  const t = rule.target;
  const step = (verdict: string) => b.steps.push({ table, chain: rule.chain, rule: rule.position, text: rule.raw, verdict, loc: rule.loc });
  switch (t.kind) {
    case 'jump':
    case 'goto': {
      step(`${t.kind} ${t.chain}`);
      const sub = walkChain(ctx, b, table, t.chain, depth + 1);
      const ends: ChainEnd[] = [];
      const continuing: Branch[] = [];
      for (const e of sub) {
        if (e.end === 'return' && t.kind === 'jump') continuing.push(e.b);
        else ends.push(e);
      }
      return { ends, continuing };
    }
    case 'return':
      step('RETURN');
      return { ends: [{ b, end: 'return' }], continuing: [] };
    case 'accept':
      step('ACCEPT');
      return { ends: [{ b, end: 'accept' }], continuing: [] };
    case 'drop':
      step('DROP');
      return { ends: [{ b, end: 'drop' }], continuing: [] };
    case 'reject':
      step(`REJECT ${t.with}`);
      return { ends: [{ b, end: 'reject', rejectWith: t.with }], continuing: [] };
    case 'unmodelled':
      step(`${t.name} (not modelled)`);
      return { ends: [{ b, end: 'unknown', reason: `target -j ${t.name} is not modelled`, where: where(rule) }], continuing: [] };
    default: {
      const out = applyTarget(ctx, rule, b);
      return {
        ends: out.flatMap((o) => (o.kind === 'continue' ? [] : [o.end])),
        continuing: out.flatMap((o) => (o.kind === 'continue' ? [o.b] : [])),
      };
    }
  }
}
