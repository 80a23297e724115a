// The AWS phase against a local Query-protocol endpoint with the real SDK v3 clients.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { cliTime } from '../../src/capture/aws-json.js';
import { awsEnv, FIXTURES, k8sObjects, setEnv, startLab, type Lab } from './fixture.js';

type Obj = Record<string, unknown>;
const FIXTURE = join(FIXTURES, 'eks-nlb-ip-traefik');
const LB = 'k8s-ingress-traefik-23351dd98d';
const TRAEFIK = { services: ['ingress/traefik'], all: false, from: 'internet' };

function awsFiles(dir: string): string[] {
  return readdirSync(join(dir, 'aws'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name))).sort();
}
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as unknown;

/** An ALB and another team's NLB in the same account: never described beyond the LB list, never written. */
const DECOYS: Obj[] = [
  { LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/web-alb/0123456789abcdef', DNSName: 'web-alb-1.us-west-2.elb.amazonaws.com', LoadBalancerName: 'web-alb', Scheme: 'internet-facing', Type: 'application', AvailabilityZones: [] },
  { LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/net/other-nlb/fedcba9876543210', DNSName: 'other-nlb-fedcba9876543210.elb.us-west-2.amazonaws.com', LoadBalancerName: 'other-nlb', Scheme: 'internal', Type: 'network', AvailabilityZones: [] },
];

describe('the NLB of ingress/traefik', () => {
  let lab: Lab;
  let undo: () => void;
  let dir: string;
  let gaps: readonly { what: string; why: string }[];
  beforeAll(async () => {
    // One LB a page (the decoys make three), the first DescribeTargetHealth and DescribeNetworkInterfaces are throttled.
    lab = await startLab(FIXTURE, {}, { decoys: DECOYS, maxPage: 1, throttleOnce: ['DescribeTargetHealth', 'DescribeNetworkInterfaces'] });
    undo = setEnv(awsEnv(lab.aws.url));
    const r = await lab.gather({ scope: TRAEFIK });
    dir = r.dir;
    gaps = r.gaps;
  });
  afterAll(async () => { undo(); await lab.close(); });

  test('writes aws/ exactly as the AWS CLI printed the fixture it was served from', () => {
    const want = awsFiles(FIXTURE);
    expect(awsFiles(dir)).toEqual(want);
    for (const f of want) expect(readJson(join(dir, f)), f).toEqual(readJson(join(FIXTURE, f)));
    expect(readFileSync(join(dir, 'aws/load-balancers.json'), 'utf8')).toMatch(/^\{\n {4}"LoadBalancers": \[\n/);
  });

  test('no gaps: the throttled calls were retried by the SDK', () => {
    expect(gaps.filter((g) => g.what.startsWith('aws/'))).toEqual([]);
    const health = lab.aws.calls.filter((c) => c.action === 'DescribeTargetHealth');
    expect(health).toHaveLength(3);
    expect(lab.aws.calls.filter((c) => c.action === 'DescribeNetworkInterfaces')).toHaveLength(2);
  });

  test('only Describe* actions, signed for the region of the Nodes\' providerID', () => {
    for (const c of lab.aws.calls) {
      expect(c.action).toMatch(/^Describe/);
      expect(c.region).toBe('us-west-2');
    }
  });

  test('pages DescribeLoadBalancers with PageSize in the input and follows NextMarker', () => {
    const pages = lab.aws.calls.filter((c) => c.action === 'DescribeLoadBalancers');
    expect(pages.map((c) => [c.params.PageSize, c.params.Marker])).toEqual([['400', undefined], ['400', '1'], ['400', '2']]);
  });

  test('describes only the traced Service\'s NLB, its target groups and its ENIs', () => {
    const arnsTouched = lab.aws.calls.flatMap((c) => Object.entries(c.params).filter(([k]) => /Arn/.test(k)).map(([, v]) => v));
    expect(arnsTouched.some((a) => a.includes('other-nlb') || a.includes('web-alb'))).toBe(false);
    const tags = lab.aws.calls.filter((c) => c.action === 'DescribeTags');
    for (const t of tags) expect(Object.keys(t.params).filter((k) => k.startsWith('ResourceArns.member.')).length).toBeLessThanOrEqual(20);
    const eni = lab.aws.calls.find((c) => c.action === 'DescribeNetworkInterfaces')!;
    expect(eni.params).toMatchObject({ 'Filter.1.Name': 'description', 'Filter.1.Value.1': `ELB net/${LB}/2a3397faeb0a02cd` });
  });
});

describe('joins and failures', () => {
  let lab: Lab | undefined;
  let undo: (() => void) | undefined;
  afterEach(async () => { undo?.(); await lab?.close(); lab = undefined; });

  /** ingress/traefik without its status hostname: the NLB must be found another way. */
  function withoutHostname(dropBindings: boolean): Obj[] {
    return k8sObjects(FIXTURE).flatMap((o) => {
      if (dropBindings && o.kind === 'TargetGroupBinding') return [];
      if (o.kind === 'Service' && (o.metadata as Obj).name === 'traefik') return [{ ...o, status: { loadBalancer: {} } }];
      return [o];
    });
  }

  test('through the TargetGroupBindings (DescribeTargetGroups by ARN) when the Service has no hostname', async () => {
    lab = await startLab(FIXTURE, { objects: withoutHostname(false) });
    undo = setEnv(awsEnv(lab.aws.url));
    const r = await lab.gather({ scope: TRAEFIK });
    expect(lab.aws.calls.some((c) => c.action === 'DescribeTargetGroups' && c.params['TargetGroupArns.member.1'] !== undefined)).toBe(true);
    expect(readJson(join(r.dir, 'aws/load-balancers.json'))).toEqual(readJson(join(FIXTURE, 'aws/load-balancers.json')));
  });

  test('through the LB\'s service.k8s.aws/stack tag when there is neither hostname nor binding', async () => {
    lab = await startLab(FIXTURE, { objects: withoutHostname(true) }, { decoys: DECOYS });
    undo = setEnv(awsEnv(lab.aws.url));
    const r = await lab.gather({ scope: TRAEFIK });
    expect(readJson(join(r.dir, 'aws/load-balancers.json'))).toEqual(readJson(join(FIXTURE, 'aws/load-balancers.json')));
  });

  test('an action the IAM policy lacks is a gap for its file; the rest is written', async () => {
    lab = await startLab(FIXTURE, {}, { deny: ['DescribeLoadBalancerAttributes'] });
    undo = setEnv(awsEnv(lab.aws.url));
    const r = await lab.gather({ scope: TRAEFIK });
    expect(r.gaps).toContainEqual({ what: `aws/load-balancer-attributes/${LB}.json`, why: expect.stringMatching(/^AccessDenied: .*not authorized/) });
    expect(awsFiles(r.dir)).toContain('aws/target-groups.json');
    expect(lab.aws.calls.filter((c) => c.action === 'DescribeLoadBalancerAttributes')).toHaveLength(1);
  });

  test('no credentials is a gap, not a failure; the Kubernetes and node parts are still written', async () => {
    lab = await startLab(FIXTURE);
    undo = setEnv({ ...awsEnv(lab.aws.url), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const r = await lab.gather({ scope: TRAEFIK });
    expect(r.gaps).toContainEqual({ what: 'aws/load-balancers.json', why: expect.stringMatching(/credentials/i) });
    expect(lab.aws.calls).toEqual([]);
    expect(r.nodes).toEqual(['ip-10-0-1-25.us-west-2.compute.internal', 'ip-10-0-2-138.us-west-2.compute.internal']);
  });

  test('a Service with no AWS load balancer makes no AWS call', async () => {
    const metallb = join(FIXTURES, 'metallb-calico-cluster');
    lab = await startLab(metallb);
    undo = setEnv(awsEnv(lab.aws.url));
    const r = await lab.gather({ scope: { services: ['web/nginx'], all: false, from: 'internet' } });
    expect(lab.aws.calls).toEqual([]);
    expect(r.gaps.filter((g) => g.what.startsWith('aws/'))).toEqual([]);
  });
});

test.each([
  [new Date('2026-01-13T14:10:55.318Z'), '2026-01-13T14:10:55.318000+00:00'],
  [new Date('2026-01-13T14:10:55.000Z'), '2026-01-13T14:10:55+00:00'],
  [new Date('2026-01-13T14:10:55.007Z'), '2026-01-13T14:10:55.007000+00:00'],
])('cliTime(%s) prints %s as the AWS CLI does', (d, want) => {
  expect(cliTime(d)).toBe(want);
});
