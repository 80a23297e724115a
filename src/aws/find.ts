import type { Cluster, Service } from '../k8s/model.js';
import type { AwsData, LoadBalancer, TargetGroup } from './model.js';

/** An NLB that serves a Service, and how kpath joined them (for the trace's "how"). */
export interface ServiceNlb {
  readonly lb: LoadBalancer;
  readonly how: string;
}

// Tags that name the owning Service: LBC's stack tag and the in-tree provider's service-name tag
// (aws-nlb.md §3.5, §4). Both hold "<namespace>/<name>".
const SERVICE_TAGS = ['service.k8s.aws/stack', 'kubernetes.io/service-name'] as const;

function dnsEqual(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

/** Target groups attached to a load balancer (DescribeTargetGroups `LoadBalancerArns`). */
export function targetGroupsOf(aws: AwsData, lb: LoadBalancer): TargetGroup[] {
  return aws.targetGroups.filter((tg) => tg.loadBalancerArns.includes(lb.arn));
}

function serviceTag(aws: AwsData, arn: string, svcKey: string): string | undefined {
  const tags = aws.tags.get(arn)?.values;
  return SERVICE_TAGS.find((k) => tags?.get(k) === svcKey);
}

function byHostname(svc: Service, nlbs: readonly LoadBalancer[]): ServiceNlb[] {
  return svc.ingress.flatMap((ing) => {
    const h = ing.hostname;
    if (h === undefined) return [];
    return nlbs.filter((lb) => dnsEqual(lb.dnsName, h)).map((lb) => ({
      lb, how: `Service ${svc.namespace}/${svc.name} status.loadBalancer.ingress hostname ${h} is the DNSName of ${lb.name} (${lb.source.file})`,
    }));
  });
}

function byTags(aws: AwsData, svc: Service, nlbs: readonly LoadBalancer[]): ServiceNlb[] {
  const key = `${svc.namespace}/${svc.name}`;
  return nlbs.flatMap((lb) => {
    const onLb = serviceTag(aws, lb.arn, key);
    if (onLb) return [{ lb, how: `tag ${onLb}=${key} on ${lb.name} (${aws.tags.get(lb.arn)?.file ?? 'tags'})` }];
    for (const tg of targetGroupsOf(aws, lb)) {
      const onTg = serviceTag(aws, tg.arn, key);
      if (onTg) return [{ lb, how: `tag ${onTg}=${key} on target group ${tg.name}, attached to ${lb.name} (${aws.tags.get(tg.arn)?.file ?? 'tags'})` }];
    }
    return [];
  });
}

function byBinding(aws: AwsData, cluster: Cluster, svc: Service, nlbs: readonly LoadBalancer[]): ServiceNlb[] {
  const tgbs = cluster.targetGroupBindings.filter((b) => b.namespace === svc.namespace && b.serviceRef.name === svc.name);
  return nlbs.flatMap((lb) => {
    for (const tg of targetGroupsOf(aws, lb)) {
      // TGB: spec.targetGroupARN wins over spec.targetGroupName (aws-nlb.md §3.3).
      const b = tgbs.find((x) => (x.targetGroupARN !== undefined ? x.targetGroupARN === tg.arn : x.targetGroupName === tg.name));
      if (b) return [{ lb, how: `TargetGroupBinding ${b.namespace}/${b.name} binds target group ${tg.name} of ${lb.name} to Service ${svc.namespace}/${svc.name} (${b.source})` }];
    }
    return [];
  });
}

/**
 * The NLBs (Type network) that serve `svc`, best join first (aws-nlb.md §3.5): the Service's
 * status hostname = DNSName; then the service tags on the LB or on one of its target groups; then a
 * TargetGroupBinding of this Service whose target group is attached to the LB. Each LB appears
 * once, with the first join that found it.
 */
export function findServiceNlbs(aws: AwsData, cluster: Cluster, svc: Service): ServiceNlb[] {
  const nlbs = aws.loadBalancers.filter((lb) => lb.type === 'network');
  const seen = new Set<string>();
  const out: ServiceNlb[] = [];
  for (const found of [byHostname(svc, nlbs), byTags(aws, svc, nlbs), byBinding(aws, cluster, svc, nlbs)]) {
    for (const f of found) {
      if (seen.has(f.lb.arn)) continue;
      seen.add(f.lb.arn);
      out.push(f);
    }
  }
  return out;
}
