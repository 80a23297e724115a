import { KpathError, type SourceLoc } from '../../errors.js';
import type { Chain, Rule, RuleKeys, Table } from '../model.js';
import { ruleKeysFromMatches, ruleKeysFromText } from '../rule-keys.js';
import type { DumpLines } from './lines.js';
import { parseRawRule, type PendingRule } from './rule.js';

/** A parsed rule, or the index (into the dump's lines) of an `-A CHAIN …` line kept as text. */
export type Entry = PendingRule | number;

/** A table being read: its chains and their rules (parsed or still text). */
export interface PendingTable {
  readonly name: Table;
  readonly loc: SourceLoc;
  /** `line`: where the chain was declared (1-based), for its location. */
  readonly chains: Map<string, { policy: 'ACCEPT' | 'DROP' | undefined; rules: Entry[]; line: number }>;
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
 */
export class LazyChain implements Chain {
  private cache: (Rule | undefined)[] | undefined;

  constructor(
    readonly name: string,
    readonly policy: Chain['policy'],
    private readonly line: number,
    private readonly entries: readonly Entry[],
    private readonly ctx: TableContext,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  get loc(): SourceLoc {
    return { file: this.ctx.env.file, line: this.line, column: 1 };
  }

  get rules(): readonly Rule[] {
    return this.entries.map((_, i) => this.rule(i));
  }

  rule(i: number): Rule {
    const cache = (this.cache ??= new Array<Rule | undefined>(this.entries.length));
    return (cache[i] ??= buildRule(this.ctx, this.name, this.entries, i));
  }

  keys(i: number): RuleKeys {
    const e = this.entries[i]!;
    if (typeof e !== 'number') return ruleKeysFromMatches(e.matches);
    const parsed = this.cache?.[i];
    return parsed ? ruleKeysFromMatches(parsed.matches) : ruleKeysFromText(this.ctx.env.lines.at(e));
  }
}

function buildRule(ctx: TableContext, chain: string, entries: readonly Entry[], k: number): Rule {
  const t = ctx.table;
  const entry = entries[k]!;
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
