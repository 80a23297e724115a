import { readAwsDumps } from '../aws/parse.js';
import type { Cluster } from '../k8s/model.js';
import { buildChainIndex } from '../kube/chain-names.js';
import { parseIptablesSave } from '../netfilter/iptables/parse.js';
import { parseIpvsadm } from '../netfilter/ipvs/parse.js';
import type { IpvsTable } from '../netfilter/ipvs/model.js';
import type { Ruleset } from '../netfilter/model.js';
import type { NodeDumps, Snapshot } from '../snapshot/model.js';
import { flattenObjects } from '../k8s/parse.js';
import type { KubeProxyVersion } from '../kube/proxier-model.js';
import { expectedPorts, proxierGeneration, serviceSpecs } from './expected.js';
import { lintIptablesNode } from './iptables.js';
import { lintIpvsNode } from './ipvs.js';
import { LINT_SCHEMA, type Finding, type LintReport, type NotChecked } from './model.js';
import { lintNlbTargets } from './nlb.js';

interface NodeInput {
  readonly name: string;
  readonly ruleset?: Ruleset;
  readonly ipvs?: IpvsTable;
}

/** Dumps kpath cannot read are input errors (exit 2): lint would otherwise report drift that is not there. */
function readNode(d: NodeDumps): NodeInput {
  return {
    name: d.name,
    ...(d.iptablesSave ? { ruleset: parseIptablesSave(d.iptablesSave.text, { file: d.iptablesSave.path, family: 4 }) } : {}),
    ...(d.ipvsadm ? { ipvs: parseIpvsadm(d.ipvsadm.text, d.ipvsadm.path) } : {}),
  };
}

/** The proxy mode to lint a node in: kube-proxy's ConfigMap when captured, else what the dumps show. */
function modeOf(cluster: Cluster, n: NodeInput): 'iptables' | 'ipvs' | 'nftables' {
  const configured = cluster.kubeProxy?.mode;
  if (configured === 'iptables' || configured === 'ipvs' || configured === 'nftables') return configured;
  return n.ipvs && n.ipvs.services.length > 0 ? 'ipvs' : 'iptables';
}

/** Node name → status.nodeInfo.kubeProxyVersion, from the raw k8s/ objects (the Cluster model does not keep it). */
function kubeProxyVersions(snap: Snapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const { doc } of snap.k8sDocs) {
    for (const o of flattenObjects(doc)) {
      if (o.kind !== 'Node') continue;
      const name = (o.metadata as { name?: unknown } | undefined)?.name;
      const v = ((o.status as { nodeInfo?: { kubeProxyVersion?: unknown } } | undefined)?.nodeInfo)?.kubeProxyVersion;
      if (typeof name === 'string' && typeof v === 'string') out.set(name, v);
    }
  }
  return out;
}

const RANK = { error: 0, warning: 1 } as const;

function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort((a, z) => RANK[a.severity] - RANK[z.severity] || (a.node ?? '').localeCompare(z.node ?? '') ||
    a.where.localeCompare(z.where, 'en', { numeric: true }) || a.message.localeCompare(z.message));
}

/**
 * Lints a snapshot for drift between the cluster's objects and what the nodes and load balancers
 * hold: endpoints kube-proxy has not programmed, rules and real servers for endpoints that are
 * gone, and NLB targets that disagree with the endpoints. Throws KpathError for unreadable dumps.
 */
export function lintSnapshot(snap: Snapshot, cluster: Cluster): LintReport {
  const notChecked: NotChecked[] = [];
  const findings: Finding[] = [];
  const nodes = [...snap.nodes.values()].map(readNode);
  const index = buildChainIndex(cluster, nodes.flatMap((n) => (n.ruleset ? [n.ruleset] : [])));
  const specs = serviceSpecs(cluster, notChecked);
  const checkedNodes: { name: string; mode: 'iptables' | 'ipvs' }[] = [];
  const versions = kubeProxyVersions(snap);
  const assumptions: string[] = [];
  const hasSlices = cluster.endpointSlices.length > 0;
  if (!hasSlices) notChecked.push({ what: 'node rules', why: 'the snapshot has no EndpointSlices (or Endpoints): there is nothing to compare the rules with' });
  for (const n of hasSlices ? nodes : []) {
    const mode = modeOf(cluster, n);
    if (mode === 'nftables') {
      notChecked.push({ what: `node ${n.name}`, why: 'kube-proxy runs in nftables mode, which kpath does not read yet' });
      continue;
    }
    if (mode === 'ipvs' && !n.ipvs) {
      notChecked.push({ what: `node ${n.name}`, why: `IPVS mode, but nodes/${n.name}/ipvsadm.txt was not captured` });
      continue;
    }
    if (mode === 'iptables' && !n.ruleset) {
      notChecked.push({ what: `node ${n.name}`, why: `nodes/${n.name}/iptables-save.txt was not captured` });
      continue;
    }
    const generation: KubeProxyVersion = proxierGeneration(versions.get(n.name)) ?? '1.28';
    if (!versions.has(n.name)) assumptions.push(`${n.name}: kube-proxy version unknown (no Node status.nodeInfo.kubeProxyVersion): 1.28 behaviour assumed`);
    const { input, infos } = expectedPorts(cluster, specs, n.name, mode, generation);
    if (!cluster.nodes.some((x) => x.name === n.name)) {
      notChecked.push({ what: `node ${n.name}`, why: 'no Node object: endpoints cannot be told local or remote, so Local-policy expectations may be off' });
    }
    checkedNodes.push({ name: n.name, mode });
    findings.push(...(mode === 'ipvs'
      ? lintIpvsNode({ node: n.name, table: n.ipvs!, input, infos, cluster })
      : lintIptablesNode({ node: n.name, ruleset: n.ruleset!, infos, index, cluster, allowTerminating: generation !== '1.19' && generation !== '1.23' })));
  }
  for (const name of cluster.nodes.map((x) => x.name).filter((x) => !snap.nodes.has(x))) {
    notChecked.push({ what: `node ${name}`, why: `no nodes/${name}/ folder in the snapshot` });
  }
  const nlb = lintNlbTargets(readAwsDumps(snap.aws), cluster, notChecked);
  findings.push(...nlb.findings);
  return {
    schema: LINT_SCHEMA, snapshot: snap.dir, findings: sortFindings(findings),
    checked: { nodes: checkedNodes, servicePorts: specs.length, targetGroups: nlb.groups },
    notChecked,
    assumptions,
  };
}
