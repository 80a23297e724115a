/** What `kpath gather` could not get: one entry of kpath-snapshot.json `gaps` (shared/spec/snapshot.md). */
export interface Gap {
  /** The snapshot file (or folder) that is missing or incomplete: `nodes/ip-10-0-1-5/ipset-save.txt`. */
  readonly what: string;
  /** Why, in a few words: `exec denied (403)`, `timed out after 20 s`, `ipset: not in the kube-proxy image`. */
  readonly why: string;
}

/** How node dumps are taken: exec into the node's kube-proxy pod, or a short-lived privileged debug pod. */
export type NodeAccess = 'kube-proxy' | 'debug-pod';

/** What to gather: the Services a trace will ask about (or every one), and the trace's origin. */
export interface GatherScope {
  /** `[NAMESPACE/]NAME` of the Services to trace; ignored with `all`. */
  readonly services: readonly string[];
  /** Every Service, LB and node of the cluster. */
  readonly all: boolean;
  /** The trace's `--from` (internet | node:NAME | pod:NAMESPACE/NAME | ip:ADDRESS), which may add a node. */
  readonly from?: string;
}

/** Everything `gatherSnapshot` needs; the CLI fills it from flags and the environment. */
export interface GatherOptions {
  /** The snapshot directory to write (created when missing). */
  readonly dir: string;
  readonly scope: GatherScope;
  /** A kubeconfig file; default: KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** AWS shared-config profile; default: the SDK's default credential chain. */
  readonly profile?: string;
  /** AWS region; default: from the Nodes' providerID (`aws:///<az>/i-…`), then the SDK's own. */
  readonly region?: string;
  readonly nodeAccess: NodeAccess;
  /** Image of the debug pod (`--node-access debug-pod`); it needs iptables, ipset, ipvsadm, nft and ip. */
  readonly debugImage: string;
  /** Nodes dumped at the same time. */
  readonly concurrency: number;
  /** Limit for one node's dumps (and for one API request). */
  readonly timeoutMs: number;
  /** `kpath 0.x` for kpath-snapshot.json. */
  readonly tool: string;
  /** Progress lines (no trailing newline); undefined = quiet. */
  readonly progress?: (line: string) => void;
  /** When gathering started, as an ISO time (passed in so tests can fix it). */
  readonly capturedAt: string;
  /** Called when a debug pod is created (alive) and when it is deleted, so that Ctrl-C can delete it. */
  readonly onDebugPod?: (pod: LiveDebugPod, alive: boolean) => void;
}

/** What a gather did: the directory, the cluster it read, and what it could not get. */
export interface GatherResult {
  readonly dir: string;
  readonly cluster: string;
  readonly gaps: readonly Gap[];
  /** The nodes whose dumps were attempted, sorted. */
  readonly nodes: readonly string[];
}

/** A debug pod that exists right now, and how to delete it (resolves to why not, if it fails). */
export interface LiveDebugPod {
  readonly namespace: string;
  readonly name: string;
  readonly remove: () => Promise<string | undefined>;
}
