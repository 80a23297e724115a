import type { EndpointInfo, ServicePortInfo } from './proxier-model.js';
import { usesClusterEndpoints, usesLocalEndpoints } from './proxier-model.js';

/** The endpoint sets kube-proxy derives for one service port (proxy.CategorizeEndpoints). */
export interface EndpointCategories {
  /** Endpoints for "Cluster" policy; empty when the port never uses Cluster endpoints. */
  readonly cluster: readonly EndpointInfo[];
  /** Endpoints for "Local" policy; empty when the port never uses Local endpoints. */
  readonly local: readonly EndpointInfo[];
  /** Every endpoint some rule can reach from this node: the SEP chains to write. */
  readonly reachable: readonly EndpointInfo[];
  /** Any usable endpoint anywhere in the cluster. */
  readonly hasAny: boolean;
}

/**
 * 1.24+ CategorizeEndpoints (pkg/proxy/topology.go), without topology hints: Cluster uses ready
 * endpoints, falling back to serving+terminating ones when none is ready; Local does the same over
 * local endpoints. `allowTerminating` false models releases where that fallback was off by default.
 */
export function categorizeEndpoints(info: ServicePortInfo, allowTerminating: boolean): EndpointCategories {
  const all = info.endpoints;
  const servingTerminating = (ep: EndpointInfo): boolean => allowTerminating && ep.isServing && ep.isTerminating;
  let cluster: EndpointInfo[] = [];
  let hasAny = false;
  const usesCluster = usesClusterEndpoints(info);
  if (usesCluster) {
    cluster = all.filter((ep) => ep.isReady);
    if (cluster.length === 0) cluster = all.filter(servingTerminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(info)) return { cluster, local: [], reachable: cluster, hasAny };

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of all) {
    if (ep.isReady) {
      hasAny = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (servingTerminating(ep)) {
      hasAny = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  let local: EndpointInfo[] = [];
  if (hasLocalReady) local = all.filter((ep) => ep.isLocal && ep.isReady);
  else if (hasLocalServingTerminating) local = all.filter((ep) => ep.isLocal && servingTerminating(ep));

  if (!usesCluster) return { cluster, local, reachable: local, hasAny };
  if (!hasLocalServingTerminating || hasLocalReady) return { cluster, local, reachable: cluster, hasAny };
  // Terminating local endpoints are not in `cluster`: merge, keeping the sorted order.
  const merged = new Set<EndpointInfo>([...cluster, ...local]);
  const reachable = all.filter((ep) => merged.has(ep));
  return { cluster, local, reachable, hasAny };
}
