import { KpathError, type SourceLoc } from '../../errors.js';
import type { Chain, Rule, RuleKeys, Table } from '../model.js';
import { ruleKeysFromMatches, ruleKeysFromText } from '../rule-keys.js';
import type { DumpLines } from './lines.js';
import { parseRawRule, type PendingRule } from './rule.js';

/** A parsed rule, or the index (into the dump's lines) of an `-A CHAIN …` line kept as text. */
export type Entry = PendingRule | number;

/** A table being read: its chains, which collect their rules as the dump is read. */
export interface PendingTable {
  readonly name: Table;
  readonly loc: SourceLoc;
  readonly chains: Map<string, LazyChain>;
}

/** What building a rule of a table needs: the table being read and the dump's lines. */
export interface TableContext {
  readonly table: PendingTable;
  readonly env: { readonly file: string; readonly family: 4 | 6; readonly lines: DumpLines };
}

/**
 * A chain whose rules are parsed one by one when first read (all at once for an eager parse);
 * index keys of rules still held as text come from the text. A class, not closures, because a
 * kube-proxy dump has tens of thousands of chains and this keeps each one small.
 *
 * iptables-save prints a chain's rules on consecutive lines, so while that holds the rules are
 * only a run of line indexes (`first`, `count`) and no array is made; anything else (a parsed
 * rule, -I, a chain's rules split by other lines) turns the run into a list.
 */
export class LazyChain implements Chain {
  private first = -1;
  private count = 0;
  private list: Entry[] | undefined;
  private cache: (Rule | undefined)[] | undefined;

  constructor(
    readonly name: string,
    readonly policy: Chain['policy'],
    /** Where the chain was declared (1-based). */
    private readonly line: number,
    private readonly ctx: TableContext,
  ) {}

  get size(): number {
    return this.list ? this.list.length : this.count;
  }

  get loc(): SourceLoc {
    return { file: this.ctx.env.file, line: this.line, column: 1 };
  }

  get rules(): readonly Rule[] {
    const out: Rule[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.rule(i));
    return out;
  }

  /** Appends the rule on line `idx` (0-based), kept as text. */
  appendLine(idx: number): void {
    if (this.list) this.list.push(idx);
    else if (this.count === 0) { this.first = idx; this.count = 1; }
    else if (this.first + this.count === idx) this.count++;
    else this.entries().push(idx);
  }

  /** Appends a rule already parsed, or inserts it before rule `at` (0-based; -I). */
  add(rule: PendingRule, at?: number): void {
    if (at === undefined) this.entries().push(rule);
    else this.entries().splice(at, 0, rule);
  }

  /** -F: no rules. */
  flush(): void {
    this.first = -1;
    this.count = 0;
    this.list = undefined;
  }

  rule(i: number): Rule {
    const cache = (this.cache ??= new Array<Rule | undefined>(this.size));
    return (cache[i] ??= buildRule(this.ctx, this.name, this.entry(i), i));
  }

  keys(i: number): RuleKeys {
    const e = this.entry(i);
    if (typeof e !== 'number') return ruleKeysFromMatches(e.matches);
    const parsed = this.cache?.[i];
    return parsed ? ruleKeysFromMatches(parsed.matches) : ruleKeysFromText(this.ctx.env.lines.at(e));
  }

  private entry(i: number): Entry {
    return this.list ? this.list[i]! : this.first + i;
  }

  private entries(): Entry[] {
    if (!this.list) {
      this.list = [];
      for (let k = 0; k < this.count; k++) this.list.push(this.first + k);
    }
    return this.list;
  }
}

function buildRule(ctx: TableContext, chain: string, entry: Entry, k: number): Rule {
  const t = ctx.table;
  const r = typeof entry === 'number' ? parseRawRule(entry, ctx.env) : entry;
  let target = r.target;
  if (r.jumpTo) {
    const known = t.chains.has(r.jumpTo.name);
    if (!known && target.kind === 'goto') {
      throw new KpathError('E_IPT_UNKNOWN_CHAIN', `-g ${r.jumpTo.name}: no such chain in table ${t.name}`, {
        loc: r.jumpTo.loc, token: r.jumpTo.name, sourceLine: r.jumpTo.line,
      });
    }
    if (!known) target = { kind: 'unmodelled', name: r.jumpTo.name, args: [] };
  }
  return { table: t.name, chain, position: k + 1, matches: r.matches, target, raw: r.raw, loc: r.loc, counters: r.counters };
}
