import type { SourceLoc } from '../errors.js';
import type { ClientIpVerdict } from '../path/model.js';
import type { ServiceQuery } from '../path/service-query.js';
import type { LabelRequirement } from './selector.js';

/** Which pods an expectation wants the traffic delivered to. */
export type EndpointMatcher =
  | { readonly kind: 'selector'; readonly text: string; readonly requirements: readonly LabelRequirement[] }
  | { readonly kind: 'pods'; readonly pods: readonly string[] };

/** The keys of an expectation that assert something about the trace (the rest say what to trace). */
export type AssertionKey = 'reachable' | 'clientIp' | 'preservedShare' | 'endpoints' | 'sources';

/**
 * One entry of an expectations file (README: "kpath check"), validated. `at` holds the position
 * of each key's value (and `pod:NS/NAME` of each listed pod), so that errors found later (an
 * unknown Service or Pod) still name file:line:col.
 */
export interface Expectation {
  readonly name: string;
  /** Whether the name was written in the file (else it is generated from the query). */
  readonly isNamed: boolean;
  readonly loc: SourceLoc;
  readonly at: Readonly<Record<string, SourceLoc>>;
  readonly query: ServiceQuery;
  readonly reachable?: boolean;
  readonly clientIp?: ClientIpVerdict;
  readonly preservedShare?: { readonly min?: number; readonly max?: number };
  readonly endpoints?: EndpointMatcher;
  /** Least share of all traffic (0..1) that must reach a matching pod; needs `endpoints`. */
  readonly minShare?: number;
  /** Addresses or CIDRs (as written) that every delivered path's endpoint may see as its source. */
  readonly sources?: readonly string[];
}

/** The outcome of one assertion of one expectation, with what was found. */
export interface AssertionResult {
  readonly key: AssertionKey;
  readonly passed: boolean;
  /** What the expectation asked for, as written ("preserved", "≥ 100% to app=traefik"). */
  readonly want: string;
  /** What the trace shows, one line. */
  readonly got: string;
  /** Why: the verdict's reasons, per-endpoint shares, drop reasons. */
  readonly details: readonly string[];
}

/** One expectation checked against one snapshot. */
export interface CheckResult {
  readonly expectation: Expectation;
  readonly passed: boolean;
  /** The trace's own title (Service, port, origin, client). */
  readonly traced: string;
  readonly assertions: readonly AssertionResult[];
}

/** Every expectation of a file, checked. */
export interface CheckReport {
  /** The expectations file as named on the command line. */
  readonly file: string;
  readonly snapshot: string;
  readonly results: readonly CheckResult[];
  readonly passed: boolean;
}
