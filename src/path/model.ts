import type { Step as NetfilterStep, TranslationType } from '../netfilter/trace.js';

/** Trace JSON v1 (shared/spec/trace-json.md): the contract CI jobs parse. */
export const TRACE_SCHEMA = 'kpath/trace/v1';

export type ClientIpVerdict = 'preserved' | 'lost' | 'partial' | 'proxy-protocol' | 'unknown';
export type PathDisposition = 'delivered' | 'dropped' | 'rejected' | 'no-route' | 'unknown';
export type HopKind = 'client' | 'load-balancer' | 'node' | 'pod' | 'proxy';

export interface HopStep {
  readonly table: string;
  readonly chain: string;
  readonly rule: number;
  readonly text: string;
  readonly verdict: string;
  /** file:line of the rule, when it came from a dump. */
  readonly where?: string;
}

export interface HopTranslation {
  readonly type: TranslationType;
  readonly from: string;
  readonly to: string;
  /** What decided it: "KUBE-SEP-… rule 2", "target group k8s-… (ip target)". */
  readonly by?: string;
  readonly how?: string;
}

export interface Hop {
  readonly kind: HopKind;
  readonly name: string;
  readonly steps: readonly HopStep[];
  readonly translations: readonly HopTranslation[];
  /** Short facts about this hop (zone, health, routing). */
  readonly notes?: readonly string[];
}

export interface Endpoint {
  readonly ip: string;
  readonly port?: number;
  readonly pod?: string;
  readonly node?: string;
}

export interface TracePath {
  readonly probability: number;
  readonly disposition: PathDisposition;
  readonly endpoint: Endpoint | null;
  readonly sourceSeenByEndpoint: { readonly ip: string; readonly port?: number } | null;
  readonly clientIpPreserved: boolean | null;
  readonly proxyProtocol: boolean;
  readonly hops: readonly Hop[];
  /** Assumptions this path rests on. */
  readonly assumptions: readonly string[];
  /** Why the path ended where it did (drop/reject rule, unknown reason). */
  readonly reason?: string;
}

export interface Unknown {
  readonly what: string;
  readonly where: string;
  readonly effect: string;
}

export interface Verdict {
  readonly clientIp: ClientIpVerdict;
  readonly preservedShare: number;
  readonly summary: string;
  readonly reasons: readonly string[];
  readonly fix?: string;
}

export interface TraceResult {
  readonly schema: typeof TRACE_SCHEMA;
  readonly query: Readonly<Record<string, unknown>>;
  readonly verdict: Verdict;
  readonly paths: readonly TracePath[];
  readonly unknowns: readonly Unknown[];
  /** Assumptions that hold for the whole trace. */
  readonly assumptions: readonly string[];
}

/** Converts evaluator steps to hop steps. */
export function hopSteps(steps: readonly NetfilterStep[]): HopStep[] {
  return steps.map((s) => ({
    table: s.table, chain: s.chain, rule: s.rule, text: s.text, verdict: s.verdict,
    ...(s.loc ? { where: `${s.loc.file}:${s.loc.line}` } : {}),
  }));
}
