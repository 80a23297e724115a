/** A file of the snapshot, with the path shown in messages. */
export interface FileText {
  readonly path: string;
  readonly text: string;
}

/** A parsed JSON file of the snapshot. */
export interface FileJson {
  readonly path: string;
  readonly json: unknown;
}

/** The raw dumps of one node folder (nodes/<name>/). */
export interface NodeDumps {
  readonly name: string;
  readonly iptablesSave?: FileText;
  readonly ip6tablesSave?: FileText;
  readonly ipsetSave?: FileText;
  readonly ipvsadm?: FileText;
  readonly nftRuleset?: FileText;
  readonly ipAddr?: FileText;
  readonly ipRoute?: FileText;
}

/** The aws/ folder: AWS CLI v2 JSON outputs, per-resource files keyed by resource name. */
export interface AwsDumps {
  readonly loadBalancers?: FileJson;
  readonly targetGroups?: FileJson;
  readonly listeners: ReadonlyMap<string, FileJson>;
  readonly targetHealth: ReadonlyMap<string, FileJson>;
  readonly targetGroupAttributes: ReadonlyMap<string, FileJson>;
  readonly loadBalancerAttributes: ReadonlyMap<string, FileJson>;
  readonly tags?: FileJson;
  readonly networkInterfaces?: FileJson;
}

export interface SnapshotGap {
  readonly what: string;
  readonly why: string;
}

/** A snapshot directory as data (shared/spec/snapshot.md v1). */
export interface Snapshot {
  readonly dir: string;
  readonly meta?: { readonly format?: string; readonly capturedAt?: string; readonly tool?: string; readonly cluster?: string };
  readonly k8sDocs: readonly { readonly file: string; readonly doc: unknown }[];
  readonly nodes: ReadonlyMap<string, NodeDumps>;
  readonly aws: AwsDumps;
  /** What gathering could not get (kpath-snapshot.json gaps). */
  readonly gaps: readonly SnapshotGap[];
}
