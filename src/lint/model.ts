/** Lint JSON v1: what `kpath lint -o json` prints. */
export const LINT_SCHEMA = 'kpath/lint/v1';

/** `error`: traffic goes wrong (or would); `warning`: state that disagrees but may be harmless. */
export type Severity = 'error' | 'warning';

/** Stable finding codes (tests and CI filters use them). */
export type FindingCode =
  | 'no-kube-proxy-rules'
  | 'missing-endpoint-chain'
  | 'missing-endpoint-dnat'
  | 'endpoint-not-balanced'
  | 'stale-endpoint-rules'
  | 'not-ready-endpoint-rules'
  | 'unexpected-endpoint-rules'
  | 'stale-service-rules'
  | 'unknown-chain'
  | 'missing-virtual-server'
  | 'stale-virtual-server'
  | 'missing-real-server'
  | 'stale-real-server'
  | 'target-missing'
  | 'target-stale'
  | 'target-not-ready'
  | 'target-port-mismatch';

/** One disagreement between the cluster's objects and what a node or load balancer holds. */
export interface Finding {
  readonly severity: Severity;
  readonly code: FindingCode;
  /** The node whose dump disagrees; absent for load-balancer findings. */
  readonly node?: string;
  /** `file:line` of the dump line, or `file $.json.path` for JSON. */
  readonly where: string;
  /** Service port as `ns/name:port` (or `ns/name`). */
  readonly service?: string;
  /** Endpoint or target as `ip:port`. */
  readonly endpoint?: string;
  readonly message: string;
}

/** What could not be checked, and why (not findings: they do not change the exit code). */
export interface NotChecked {
  readonly what: string;
  readonly why: string;
}

/** The result of linting one snapshot. */
export interface LintReport {
  readonly schema: typeof LINT_SCHEMA;
  readonly snapshot: string;
  /** Sorted by severity (errors first), then node, then where. */
  readonly findings: readonly Finding[];
  readonly checked: {
    readonly nodes: readonly { readonly name: string; readonly mode: 'iptables' | 'ipvs' }[];
    readonly servicePorts: number;
    readonly targetGroups: number;
  };
  readonly notChecked: readonly NotChecked[];
  /** What lint assumed where the snapshot does not say (e.g. the kube-proxy version). */
  readonly assumptions: readonly string[];
}
