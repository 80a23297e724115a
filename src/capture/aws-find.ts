import {
  DescribeTagsCommand, DescribeTargetGroupsCommand, paginateDescribeLoadBalancers,
  type ElasticLoadBalancingV2Client, type LoadBalancer, type TagDescription, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Cluster, Service } from '../k8s/model.js';

/** DescribeTags and DescribeLoadBalancers take at most 20 ARNs (aws-nlb.md §6). */
export const ARN_BATCH = 20;
/** The largest ELBv2 page (PageSize 1–400). SDK v3 paginators ignore the paginator's pageSize here (clients.md). */
export const ELB_PAGE = 400;

/** The load balancers found for the traced Services, and what was read on the way. */
export interface FoundLbs {
  /** LB ARN → the Services (NAMESPACE/NAME) it serves. */
  readonly byLb: ReadonlyMap<string, readonly string[]>;
  readonly lbs: readonly LoadBalancer[];
  /** Target groups read through TargetGroupBindings (kept for target-groups.json). */
  readonly bindingTgs: readonly TargetGroup[];
}

/** `a`, `b`, … in groups of `n`. */
export function batches<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');
// The tags that name the owning Service (aws-nlb.md §3.5): LBC's stack tag and the in-tree one.
const SERVICE_TAGS = ['service.k8s.aws/stack', 'kubernetes.io/service-name'];

/** Every load balancer of the account and region, all pages (there is no server-side filter by DNS name). */
export async function describeAllLbs(elb: ElasticLoadBalancingV2Client): Promise<LoadBalancer[]> {
  const out: LoadBalancer[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: elb }, { PageSize: ELB_PAGE })) out.push(...(page.LoadBalancers ?? []));
  return out;
}

async function tgsOfBindings(elb: ElasticLoadBalancingV2Client, cluster: Cluster, traced: readonly Service[]): Promise<TargetGroup[]> {
  const keys = new Set(traced.map((s) => `${s.namespace}/${s.name}`));
  const tgbs = cluster.targetGroupBindings.filter((b) => keys.has(`${b.namespace}/${b.serviceRef.name}`));
  // A TGB's targetGroupARN wins over its targetGroupName (aws-nlb.md §3.3).
  const arns = [...new Set(tgbs.flatMap((b) => (b.targetGroupARN ? [b.targetGroupARN] : [])))];
  const names = [...new Set(tgbs.flatMap((b) => (!b.targetGroupARN && b.targetGroupName ? [b.targetGroupName] : [])))];
  const out: TargetGroup[] = [];
  for (const batch of batches(arns, ARN_BATCH)) out.push(...((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: batch }))).TargetGroups ?? []));
  for (const batch of batches(names, ARN_BATCH)) out.push(...((await elb.send(new DescribeTargetGroupsCommand({ Names: batch }))).TargetGroups ?? []));
  return out;
}

/** DescribeTags over `arns`, ≤ 20 a call; an empty list makes no call (it would be a ValidationError). */
export async function describeTags(elb: ElasticLoadBalancingV2Client, arns: readonly string[]): Promise<TagDescription[]> {
  const out: TagDescription[] = [];
  for (const batch of batches([...new Set(arns)], ARN_BATCH)) out.push(...((await elb.send(new DescribeTagsCommand({ ResourceArns: batch }))).TagDescriptions ?? []));
  return out;
}

/**
 * The network load balancers of the traced Services, joined as the trace joins them (src/aws/find.ts,
 * aws-nlb.md §3.5): the Service's status hostname is the LB's DNSName; a TargetGroupBinding of the
 * Service names a target group attached to it; or, only for Services still unmatched, the LB's
 * service tags (this reads the tags of every NLB, so it comes last).
 */
export async function findLbs(elb: ElasticLoadBalancingV2Client, all: readonly LoadBalancer[], cluster: Cluster, traced: readonly Service[]): Promise<FoundLbs> {
  const nlbs = all.filter((lb) => lb.Type === 'network' && lb.LoadBalancerArn);
  const byLb = new Map<string, string[]>();
  const add = (arn: string, svc: string) => byLb.set(arn, [...new Set([...(byLb.get(arn) ?? []), svc])]);
  const matched = new Set<string>();
  for (const svc of traced) {
    const key = `${svc.namespace}/${svc.name}`;
    for (const ing of svc.ingress) {
      for (const lb of nlbs) {
        if (ing.hostname && lb.DNSName && norm(lb.DNSName) === norm(ing.hostname)) { add(lb.LoadBalancerArn!, key); matched.add(key); }
      }
    }
  }
  const bindingTgs = await tgsOfBindings(elb, cluster, traced);
  for (const tg of bindingTgs) {
    const b = cluster.targetGroupBindings.find((x) => (x.targetGroupARN ? x.targetGroupARN === tg.TargetGroupArn : x.targetGroupName === tg.TargetGroupName));
    if (!b) continue;
    const key = `${b.namespace}/${b.serviceRef.name}`;
    for (const arn of tg.LoadBalancerArns ?? []) { add(arn, key); matched.add(key); }
  }
  const unmatched = traced.filter((s) => s.type === 'LoadBalancer' && !matched.has(`${s.namespace}/${s.name}`));
  if (unmatched.length > 0 && nlbs.length > 0) {
    const tags = await describeTags(elb, nlbs.map((lb) => lb.LoadBalancerArn!));
    for (const svc of unmatched) {
      const key = `${svc.namespace}/${svc.name}`;
      for (const td of tags) {
        if (td.ResourceArn && (td.Tags ?? []).some((t) => t.Key !== undefined && SERVICE_TAGS.includes(t.Key) && t.Value === key)) add(td.ResourceArn, key);
      }
    }
  }
  return { byLb, lbs: nlbs.filter((lb) => byLb.has(lb.LoadBalancerArn!)), bindingTgs };
}
