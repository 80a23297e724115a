import type { SourceLoc } from '../errors.js';
import type { Ip } from './cidr.js';
import type { AddrType, Match, Target } from './model.js';

/** One `--option args…` (or core `-s ADDR`) as the parser collected it. */
export interface ParsedOption {
  readonly name: string;
  readonly args: readonly string[];
  readonly negated: boolean;
  readonly loc: SourceLoc;
  /** Source width of the option and its arguments, for error carets. */
  readonly width: number;
  /** Columns of each argument. */
  readonly argLocs: readonly SourceLoc[];
}

/** What a parser family may ask of the rule being parsed. */
export interface ParseCtx {
  readonly family: 4 | 6;
  /** Protocol from -p, when given and not negated. */
  readonly proto: number | undefined;
  /** Throws a positioned KpathError at an option or one of its arguments. */
  fail(code: string, message: string, at: ParsedOption, argIndex?: number, hint?: string): never;
}

/** The packet as a match sees it, at one point of its walk. */
export interface PacketView {
  readonly family: 4 | 6;
  readonly proto: number;
  readonly src: Ip;
  readonly dst: Ip;
  readonly sport: number | undefined;
  readonly dport: number | undefined;
  readonly icmpType: number | undefined;
  readonly icmpCode: number | undefined;
  readonly srcMac: string | undefined;
  readonly iif: string | undefined;
  readonly oif: string | undefined;
  readonly hook: Hook;
  readonly mark: number;
  readonly ctmark: number;
  /**
   * Conntrack facts. `seen`: conntrack has looked at the packet (it runs at priority -200, after
   * the raw table), so a connection exists; before that there is none.
   */
  readonly ct: { readonly seen: boolean; readonly untracked: boolean; readonly dnat: boolean; readonly snat: boolean };
  /** `-m recent` entries added earlier in this walk: list name → addresses. */
  readonly recent: ReadonlyMap<string, readonly string[]>;
}

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** Membership answer of an ipset lookup. */
export type SetAnswer = { readonly result: 'match' | 'no-match' | 'nomatch-entry' | 'unknown'; readonly reason?: string };

/** Node facts a match may consult; supplied by the evaluator. */
export interface MatchEnv {
  /** Whether `ip` has one of `types` as the kernel's address type (optionally limited to a device). */
  addrTypeIs(ip: Ip, types: readonly AddrType[], dev: string | undefined): { is: boolean; assumption?: string } | { unknown: string };
  /** ipset membership; with returnNomatch the kernel inverts nomatch entries (ip_set_test). */
  testSet(name: string, dirs: readonly ('src' | 'dst')[], pkt: PacketView, opts: { returnNomatch: boolean }): SetAnswer;
  /** Whether `iface` is a bridge port (for physdev); undefined when unknown. */
  bridgePortOf(iface: string): string | undefined | null;
}

/** The answer of one match for one packet. */
export type MatchAnswer =
  | { readonly is: 'yes' | 'no'; readonly assumption?: string; readonly recentAdd?: { readonly name: string; readonly addr: string } }
  | { readonly is: 'fork'; readonly probability: number; readonly assumption?: string }
  | { readonly is: 'unknown'; readonly reason: string };

/** A match module: the options it reads, how it parses them and how it tests a packet. */
export interface MatchFamily<K extends Match['kind'] = Match['kind']> {
  readonly kind: K;
  /** `-m` names this family reads (e.g. conntrack and state). */
  readonly modules: readonly string[];
  /** Option name without dashes → number of arguments. */
  readonly options: Readonly<Record<string, number>>;
  parse(module: string, opts: readonly ParsedOption[], ctx: ParseCtx): Match;
  test(m: Extract<Match, { kind: K }>, pkt: PacketView, env: MatchEnv): MatchAnswer;
}

/** A target module: the options it reads and how it parses them (the evaluator applies it). */
export interface TargetFamily {
  readonly names: readonly string[];
  readonly options: Readonly<Record<string, number>>;
  parse(name: string, opts: readonly ParsedOption[], ctx: ParseCtx): Target;
}

/** A short text for a match answer's yes/no. */
export function yes(assumption?: string): MatchAnswer {
  return assumption ? { is: 'yes', assumption } : { is: 'yes' };
}
export function no(assumption?: string): MatchAnswer {
  return assumption ? { is: 'no', assumption } : { is: 'no' };
}
/** Negates a yes/no answer; forks and unknowns are returned as they are. */
export function negate(a: MatchAnswer, negated: boolean): MatchAnswer {
  if (!negated || (a.is !== 'yes' && a.is !== 'no')) return a;
  return { ...a, is: a.is === 'yes' ? 'no' : 'yes' };
}
