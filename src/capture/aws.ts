import { DescribeNetworkInterfacesCommand, EC2Client, type NetworkInterface } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancerAttributesCommand, DescribeTargetGroupAttributesCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, paginateDescribeListeners, paginateDescribeTargetGroups,
  type Listener, type LoadBalancer, type TargetGroup, type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Cluster, Service } from '../k8s/model.js';
import { awsWhy, cliJson } from './aws-json.js';
import { batches, describeAllLbs, describeTags, ELB_PAGE, findLbs, type FoundLbs } from './aws-find.js';
import type { Gap } from './model.js';
import { mapLimit } from './pool.js';
import { instanceIdOf, type LbTargets } from './scope.js';
import { writeJson } from './write.js';

/** What the AWS phase wrote: gaps, and per traced Service the nodes its NLB sends to. */
export interface AwsGather {
  readonly gaps: readonly Gap[];
  readonly lbTargets: ReadonlyMap<string, LbTargets>;
  readonly loadBalancers: number;
}

/** What the AWS phase needs: where to write, the cluster read so far, the traced Services, and the AWS settings. */
export interface AwsInput {
  readonly dir: string;
  readonly cluster: Cluster;
  readonly traced: readonly Service[];
  readonly region?: string;
  readonly profile?: string;
  readonly timeoutMs: number;
}

/** Per-target-group calls in flight at once: ELBv2 throttles an account's describe calls together. */
const AWS_CONCURRENCY = 4;
/** EC2 filter values per DescribeNetworkInterfaces call. */
const ENI_BATCH = 50;

function clientConfig(input: AwsInput) {
  return {
    ...(input.region ? { region: input.region } : {}),
    ...(input.profile ? { profile: input.profile } : {}),
    // The SDK's standard retry strategy: exponential backoff with jitter, Throttling/5xx retried.
    maxAttempts: 5,
    requestHandler: { requestTimeout: input.timeoutMs, connectionTimeout: Math.min(input.timeoutMs, 5000) },
  };
}

/** Runs `fn`; an AWS error becomes a gap for `what` and the result undefined. */
async function tryAws<T>(gaps: Gap[], what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    gaps.push({ what, why: awsWhy(e) });
    return undefined;
  }
}

async function listeners(elb: ElasticLoadBalancingV2Client, arn: string): Promise<Listener[]> {
  const out: Listener[] = [];
  for await (const page of paginateDescribeListeners({ client: elb }, { LoadBalancerArn: arn, PageSize: ELB_PAGE })) out.push(...(page.Listeners ?? []));
  return out;
}

async function targetGroups(elb: ElasticLoadBalancingV2Client, arn: string): Promise<TargetGroup[]> {
  const out: TargetGroup[] = [];
  for await (const page of paginateDescribeTargetGroups({ client: elb }, { LoadBalancerArn: arn, PageSize: ELB_PAGE })) out.push(...(page.TargetGroups ?? []));
  return out;
}

/** An NLB's ENIs carry the description `ELB net/<name>/<id>`, id = the ARN's last part (aws-nlb.md §1.1). */
function eniDescription(lb: LoadBalancer): string {
  return `ELB net/${lb.LoadBalancerName}/${(lb.LoadBalancerArn ?? '').split('/').pop() ?? ''}`;
}

async function nlbInterfaces(ec2: EC2Client, lbs: readonly LoadBalancer[]): Promise<NetworkInterface[]> {
  const out: NetworkInterface[] = [];
  for (const batch of batches(lbs.map(eniDescription), ENI_BATCH)) {
    let token: string | undefined;
    do {
      const page = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: batch }], NextToken: token }));
      out.push(...(page.NetworkInterfaces ?? []));
      token = page.NextToken || undefined;
    } while (token !== undefined);
  }
  return out;
}

/** Which nodes an NLB's target groups send to, from their registered targets. */
function targetsOf(cluster: Cluster, tgs: readonly TargetGroup[], health: ReadonlyMap<string, TargetHealthDescription[]>): LbTargets {
  const nodes = new Set<string>();
  let unknown = false;
  for (const tg of tgs) {
    const h = health.get(tg.TargetGroupArn ?? '');
    if (!h) { unknown ||= tg.TargetType === 'instance'; continue; }
    for (const d of h) {
      const id = d.Target?.Id ?? '';
      const node = tg.TargetType === 'instance'
        ? cluster.nodes.find((n) => instanceIdOf(n.providerID) === id)?.name
        : cluster.pods.find((p) => !p.hostNetwork && p.ips.includes(id))?.nodeName
          ?? cluster.endpointSlices.flatMap((s) => s.endpoints).find((e) => e.addresses.includes(id))?.nodeName;
      if (node) nodes.add(node);
    }
  }
  return { nodes: [...nodes].sort(), unknown };
}

/** Per LB: listeners, attributes and attached target groups. Returns every target group and listener ARN seen. */
async function describeLbs(elb: ElasticLoadBalancingV2Client, dir: string, found: FoundLbs, gaps: Gap[]): Promise<{ groups: TargetGroup[]; listenerArns: string[] }> {
  const tgs = new Map<string, TargetGroup>(found.bindingTgs.map((tg) => [tg.TargetGroupArn ?? '', tg]));
  const listenerArns = new Map<string, string[]>();
  await mapLimit(found.lbs, AWS_CONCURRENCY, async (lb) => {
    const name = lb.LoadBalancerName ?? '';
    const ls = await tryAws(gaps, `aws/listeners/${name}.json`, () => listeners(elb, lb.LoadBalancerArn!));
    if (ls) writeJson(dir, `aws/listeners/${name}.json`, cliJson({ Listeners: ls }));
    listenerArns.set(lb.LoadBalancerArn!, (ls ?? []).flatMap((l) => (l.ListenerArn ? [l.ListenerArn] : [])));
    const attrs = await tryAws(gaps, `aws/load-balancer-attributes/${name}.json`, () => elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn })));
    if (attrs) writeJson(dir, `aws/load-balancer-attributes/${name}.json`, cliJson({ Attributes: attrs.Attributes ?? [] }));
    const own = await tryAws(gaps, `aws/target-groups.json (${name})`, () => targetGroups(elb, lb.LoadBalancerArn!));
    for (const tg of own ?? []) tgs.set(tg.TargetGroupArn ?? '', tg);
  });
  const groups = [...tgs.values()].sort((a, z) => (a.TargetGroupName ?? '').localeCompare(z.TargetGroupName ?? ''));
  writeJson(dir, 'aws/target-groups.json', cliJson({ TargetGroups: groups }));
  return { groups, listenerArns: found.lbs.flatMap((lb) => listenerArns.get(lb.LoadBalancerArn!) ?? []) };
}

/** Per target group: target health and attributes (neither is paginated). Returns the health by TG ARN. */
async function describeTgs(elb: ElasticLoadBalancingV2Client, dir: string, groups: readonly TargetGroup[], gaps: Gap[]): Promise<Map<string, TargetHealthDescription[]>> {
  const health = new Map<string, TargetHealthDescription[]>();
  await mapLimit(groups, AWS_CONCURRENCY, async (tg) => {
    const name = tg.TargetGroupName ?? '';
    const h = await tryAws(gaps, `aws/target-health/${name}.json`, () => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn })));
    if (h) {
      health.set(tg.TargetGroupArn ?? '', h.TargetHealthDescriptions ?? []);
      writeJson(dir, `aws/target-health/${name}.json`, cliJson({ TargetHealthDescriptions: h.TargetHealthDescriptions ?? [] }));
    }
    const a = await tryAws(gaps, `aws/target-group-attributes/${name}.json`, () => elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn })));
    if (a) writeJson(dir, `aws/target-group-attributes/${name}.json`, cliJson({ Attributes: a.Attributes ?? [] }));
  });
  return health;
}

/** Per traced Service, the nodes its NLBs send to. */
function lbTargetsOf(cluster: Cluster, found: FoundLbs, groups: readonly TargetGroup[], health: ReadonlyMap<string, TargetHealthDescription[]>): Map<string, LbTargets> {
  const out = new Map<string, LbTargets>();
  for (const lb of found.lbs) {
    const t = targetsOf(cluster, groups.filter((tg) => (tg.LoadBalancerArns ?? []).includes(lb.LoadBalancerArn!)), health);
    for (const svc of found.byLb.get(lb.LoadBalancerArn!) ?? []) {
      const prev = out.get(svc);
      out.set(svc, { nodes: [...new Set([...(prev?.nodes ?? []), ...t.nodes])].sort(), unknown: (prev?.unknown ?? false) || t.unknown });
    }
  }
  return out;
}

/**
 * The AWS phase: describes only the NLBs of the traced Services (and their listeners, target
 * groups, target health, attributes, tags and ENIs) and writes aws/ as the AWS CLI v2 prints it.
 * Credentials come from the SDK's default chain (or `--profile`); every AWS error is a gap.
 */
export async function gatherAws(input: AwsInput): Promise<AwsGather> {
  const gaps: Gap[] = [];
  const elb = new ElasticLoadBalancingV2Client(clientConfig(input));
  const ec2 = new EC2Client(clientConfig(input));
  const { dir } = input;
  try {
    const all = await tryAws(gaps, 'aws/load-balancers.json', () => describeAllLbs(elb));
    const found = all && await tryAws(gaps, 'aws/target-groups.json', () => findLbs(elb, all, input.cluster, input.traced));
    if (!found) return { gaps, lbTargets: new Map(), loadBalancers: 0 };
    writeJson(dir, 'aws/load-balancers.json', cliJson({ LoadBalancers: found.lbs }));
    const { groups, listenerArns } = await describeLbs(elb, dir, found, gaps);
    const health = await describeTgs(elb, dir, groups, gaps);
    // LBC tags the LB, its target groups and its listeners (aws-nlb.md §3.5); tags.json holds all three.
    const tagged = [...found.lbs.map((lb) => lb.LoadBalancerArn!), ...groups.map((tg) => tg.TargetGroupArn!), ...listenerArns];
    const tags = await tryAws(gaps, 'aws/tags.json', () => describeTags(elb, tagged));
    if (tags) writeJson(dir, 'aws/tags.json', cliJson({ TagDescriptions: tags }));
    if (found.lbs.length > 0) {
      const enis = await tryAws(gaps, 'aws/network-interfaces.json', () => nlbInterfaces(ec2, found.lbs));
      if (enis) writeJson(dir, 'aws/network-interfaces.json', cliJson({ NetworkInterfaces: enis }));
    }
    return { gaps, lbTargets: lbTargetsOf(input.cluster, found, groups, health), loadBalancers: found.lbs.length };
  } finally {
    elb.destroy();
    ec2.destroy();
  }
}
