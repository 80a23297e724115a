import type { Service } from '../k8s/model.js';
import type { Arrival } from './arrivals.js';
import type { TracePath } from './model.js';

/**
 * A one-line fix where there is one: externalTrafficPolicy Local when kube-proxy masquerades
 * external traffic (eTP Cluster); preserve_client_ip or proxy protocol v2 when an NLB hides the
 * client. Facts: kube-proxy.md §1.14, aws-nlb.md §1.5–1.7.
 */
export function suggestFix(svc: Service, paths: readonly TracePath[], arrivals: readonly Arrival[]): string | undefined {
  const lost = paths.filter((p) => p.disposition === 'delivered' && p.clientIpPreserved === false && !p.proxyProtocol);
  if (lost.length === 0) return undefined;
  const name = `${svc.namespace}/${svc.name}`;
  const nodeMasq = lost.some((p) => p.hops.some((h) => h.kind === 'node' && h.translations.some((t) => t.type === 'MASQUERADE' || t.type === 'SNAT')));
  const external = arrivals.some((a) => a.hops.some((h) => h.kind === 'load-balancer' || h.kind === 'client'));
  const lbHidden = lost.some((p) => p.hops.some((h) => h.kind === 'load-balancer' && h.translations.some((t) => t.by?.includes('client IP not preserved'))));
  if (lbHidden) {
    return `set the target group attribute preserve_client_ip.enabled=true on ${name} (annotation service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: preserve_client_ip.enabled=true), or enable proxy protocol v2 with an app that reads it`;
  }
  if (nodeMasq && external && svc.externalTrafficPolicy === 'Cluster' && svc.type !== 'ClusterIP') {
    return `set spec.externalTrafficPolicy: Local on ${name}: kube-proxy then delivers external traffic only to local endpoints without masquerading (nodes without a ready endpoint stop receiving it)`;
  }
  return undefined;
}
