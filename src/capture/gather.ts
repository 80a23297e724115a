import { mkdirSync } from 'node:fs';
import { buildCluster } from '../k8s/parse.js';
import type { Service } from '../k8s/model.js';
import { gatherAws } from './aws.js';
import { gatherKube } from './kube.js';
import { loadKubeAccess } from './kube-config.js';
import type { Gap, GatherOptions, GatherResult } from './model.js';
import { dumpNode, toolsFor } from './node-dumps.js';
import { mapLimit } from './pool.js';
import { startPhase } from './progress.js';
import { looksLikeAwsLb, nodesThatMatter, regionFromNodes, statedKubeProxyMode, type LbTargets } from './scope.js';
import { writeMeta } from './write.js';

function countObjects(docs: readonly { doc: unknown }[]): number {
  return docs.reduce((n, d) => n + (Array.isArray((d.doc as { items?: unknown }).items) ? (d.doc as { items: unknown[] }).items.length : 1), 0);
}

async function awsPhase(opts: GatherOptions, cluster: ReturnType<typeof buildCluster>, traced: readonly Service[], gaps: Gap[]): Promise<Map<string, LbTargets>> {
  const lbTargets = new Map<string, LbTargets>();
  const awsLike = traced.filter((s) => looksLikeAwsLb(cluster, s));
  if (awsLike.length === 0 && opts.region === undefined && opts.profile === undefined) return lbTargets;
  const phase = startPhase(opts.progress, 'aws');
  const aws = await gatherAws({
    dir: opts.dir, cluster, traced, region: opts.region ?? regionFromNodes(cluster), profile: opts.profile, timeoutMs: opts.timeoutMs,
  });
  gaps.push(...aws.gaps);
  for (const [svc, t] of aws.lbTargets) lbTargets.set(svc, t);
  // An AWS load balancer kpath could not read: the trace stops at it, so no node beyond the endpoints' is needed.
  for (const s of awsLike) if (!lbTargets.has(`${s.namespace}/${s.name}`)) lbTargets.set(`${s.namespace}/${s.name}`, { nodes: [], unknown: false });
  phase.end(`${aws.loadBalancers} load balancer(s), ${aws.gaps.length} gap(s)`);
  return lbTargets;
}

/**
 * `kpath gather`: reads the Kubernetes API, AWS ELBv2/EC2 and the nodes that matter for the
 * scope, and writes a snapshot directory (shared/spec/snapshot.md) with kpath-snapshot.json
 * listing every gap. Throws only when the cluster cannot be read at all (E_CAPTURE) or the
 * kubeconfig or a Service name is wrong; everything else becomes a gap.
 */
export async function gatherSnapshot(opts: GatherOptions): Promise<GatherResult> {
  mkdirSync(opts.dir, { recursive: true });
  const access = loadKubeAccess(opts);
  const gaps: Gap[] = [];

  const kubePhase = startPhase(opts.progress, `kubernetes (${access.cluster})`);
  const kube = await gatherKube(access.kc, opts.dir, opts.scope, opts.timeoutMs);
  gaps.push(...kube.gaps);
  const cluster = buildCluster(kube.docs);
  kubePhase.end(`${countObjects(kube.docs)} objects, ${kube.gaps.length} gap(s)`);
  const traced = cluster.services.filter((s) => kube.traced.includes(`${s.namespace}/${s.name}`));

  const lbTargets = await awsPhase(opts, cluster, traced, gaps);

  const nodes = opts.scope.all ? cluster.nodes.map((n) => n.name).sort() : nodesThatMatter(cluster, traced, opts.scope.from, lbTargets);
  const hasIpv6 = cluster.services.some((s) => s.clusterIPs.some((ip) => ip.includes(':'))) || cluster.nodes.some((n) => n.addresses.some((a) => a.address.includes(':')));
  const tools = toolsFor(statedKubeProxyMode(kube.docs), hasIpv6);
  const nodePhase = startPhase(opts.progress, `nodes (${nodes.length} via ${opts.nodeAccess})`);
  let done = 0;
  const nodeGaps = await mapLimit(nodes, opts.concurrency, async (node) => {
    const g = await dumpNode({
      kc: access.kc, dir: opts.dir, node, access: opts.nodeAccess, kubeProxyPod: kube.kubeProxyPods.get(node),
      debugImage: opts.debugImage, timeoutMs: opts.timeoutMs, tools, onDebugPod: opts.onDebugPod,
    });
    nodePhase.step(++done, nodes.length);
    return g;
  });
  for (const g of nodeGaps) gaps.push(...g);
  nodePhase.end(`${nodes.length} node(s), ${nodeGaps.filter((g) => g.length === 0).length} complete, ${nodeGaps.flat().length} gap(s)`);

  // Sorted, so that two gathers of the same cluster diff cleanly (phases run side by side).
  gaps.sort((a, z) => a.what.localeCompare(z.what) || a.why.localeCompare(z.why));
  writeMeta(opts.dir, { capturedAt: opts.capturedAt, tool: opts.tool, cluster: access.cluster, gaps });
  return { dir: opts.dir, cluster: access.cluster, gaps, nodes };
}
