import { describe, expect, test } from 'vitest';
import { findServiceNlbs, readAwsDumps } from '../../src/aws/index.js';
import type { TargetGroupBinding } from '../../src/k8s/model.js';
import type { AwsDumps, FileJson } from '../../src/snapshot/model.js';
import { cluster, echoService, traefikService } from './cluster.js';
import { awsFixture, editJson } from './fixture.js';

const TRAEFIK_LB = 'k8s-ingress-traefik-3c1a7e9f0b';
const ECHO_LB = 'k8s-web-echo-9f8e7d6c5b';
const ECHO_TG_ARN = 'arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/k8s-web-echo-0a1b2c3d4e/1234567890abcdef';
const ECHO_DNS = 'k8s-web-echo-9f8e7d6c5b-fedcba0987654321.elb.us-west-2.amazonaws.com';

/** Both fixtures in one aws/ folder: top-level lists concatenated, per-resource maps joined. */
function bothFixtures(): AwsDumps {
  const a = awsFixture('nlb-ip');
  const b = awsFixture('nlb-instance');
  const cat = (x: FileJson | undefined, y: FileJson | undefined, key: string): FileJson | undefined => {
    const list = (f: FileJson | undefined): unknown[] => (f ? ((f.json as Record<string, unknown[]>)[key] ?? []) : []);
    return x || y ? { path: x?.path ?? y!.path, json: { [key]: [...list(x), ...list(y)] } } : undefined;
  };
  return {
    loadBalancers: cat(a.loadBalancers, b.loadBalancers, 'LoadBalancers'),
    targetGroups: cat(a.targetGroups, b.targetGroups, 'TargetGroups'),
    tags: cat(a.tags, b.tags, 'TagDescriptions'),
    networkInterfaces: cat(a.networkInterfaces, b.networkInterfaces, 'NetworkInterfaces'),
    listeners: new Map([...a.listeners, ...b.listeners]),
    targetHealth: new Map([...a.targetHealth, ...b.targetHealth]),
    targetGroupAttributes: new Map([...a.targetGroupAttributes, ...b.targetGroupAttributes]),
    loadBalancerAttributes: new Map([...a.loadBalancerAttributes, ...b.loadBalancerAttributes]),
  };
}

function withoutTags(d: AwsDumps): AwsDumps {
  const { tags: _dropped, ...rest } = d;
  return rest;
}

function tgb(over: Partial<TargetGroupBinding>): TargetGroupBinding {
  return { namespace: 'web', name: 'k8s-web-echo-0a1b2c3d4e', serviceRef: { name: 'echo', port: 80 }, source: 'test:tgb.yaml', ...over };
}

const names = (r: readonly { lb: { name: string } }[]) => r.map((x) => x.lb.name);

describe('findServiceNlbs join order (aws-nlb.md §3.5)', () => {
  test('status hostname = DNSName comes first, even when tags also match', () => {
    const r = findServiceNlbs(readAwsDumps(awsFixture('nlb-ip')), cluster(), traefikService());
    expect(names(r)).toEqual([TRAEFIK_LB]);
    expect(r[0]!.how).toMatch(/status\.loadBalancer\.ingress hostname k8s-ingress-traefik-3c1a7e9f0b-5f2d9c8e7a6b4c3d/);
  });

  test('hostname compare ignores case and a trailing dot', () => {
    const r = findServiceNlbs(readAwsDumps(awsFixture('nlb-instance')), cluster(), echoService('Local', `${ECHO_DNS.toUpperCase()}.`));
    expect(names(r)).toEqual([ECHO_LB]);
  });

  test('without a hostname: service.k8s.aws/stack on the LB', () => {
    const r = findServiceNlbs(readAwsDumps(awsFixture('nlb-ip')), cluster(), traefikService(null));
    expect(r.map((x) => x.how)).toEqual([expect.stringMatching(/^tag service\.k8s\.aws\/stack=ingress\/traefik on k8s-ingress-traefik-3c1a7e9f0b/)]);
  });

  test('without a hostname: service.k8s.aws/stack on a target group of the LB', () => {
    const r = findServiceNlbs(readAwsDumps(awsFixture('nlb-instance')), cluster(), echoService('Local', null));
    expect(names(r)).toEqual([ECHO_LB]);
    expect(r[0]!.how).toMatch(/on target group k8s-web-echo-0a1b2c3d4e, attached to k8s-web-echo-9f8e7d6c5b/);
  });

  test('in-tree tag kubernetes.io/service-name on the LB', () => {
    const d = awsFixture('nlb-instance');
    const tags = editJson(d.tags!, (j) => {
      j.TagDescriptions = [{ ResourceArn: 'arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/net/k8s-web-echo-9f8e7d6c5b/fedcba0987654321', Tags: [{ Key: 'kubernetes.io/service-name', Value: 'web/echo' }] }];
    });
    const r = findServiceNlbs(readAwsDumps({ ...d, tags }), cluster(), echoService('Local', null));
    expect(r.map((x) => x.how)).toEqual([expect.stringMatching(/^tag kubernetes\.io\/service-name=web\/echo on k8s-web-echo-9f8e7d6c5b/)]);
  });

  const tgbCases: { name: string; binding: Partial<TargetGroupBinding>; want: string[] }[] = [
    { name: 'TGB by targetGroupARN', binding: { targetGroupARN: ECHO_TG_ARN }, want: [ECHO_LB] },
    { name: 'TGB by targetGroupName', binding: { targetGroupName: 'k8s-web-echo-0a1b2c3d4e' }, want: [ECHO_LB] },
    { name: 'TGB ARN wins over a matching name', binding: { targetGroupARN: `${ECHO_TG_ARN}0`, targetGroupName: 'k8s-web-echo-0a1b2c3d4e' }, want: [] },
    { name: 'TGB of another Service', binding: { targetGroupARN: ECHO_TG_ARN, serviceRef: { name: 'other', port: 80 } }, want: [] },
    { name: 'TGB in another namespace', binding: { targetGroupARN: ECHO_TG_ARN, namespace: 'default' }, want: [] },
  ];
  test.each(tgbCases)('without hostname or tags: $name', ({ binding, want }) => {
    const aws = readAwsDumps(withoutTags(awsFixture('nlb-instance')));
    const r = findServiceNlbs(aws, cluster({ tgbs: [tgb(binding)] }), echoService('Local', null));
    expect(names(r)).toEqual(want);
    if (want.length > 0) expect(r[0]!.how).toMatch(/^TargetGroupBinding web\/k8s-web-echo-0a1b2c3d4e binds target group k8s-web-echo-0a1b2c3d4e/);
  });

  test('several NLBs: hostname, then tags, then TGB; each LB once', () => {
    const aws = readAwsDumps(bothFixtures());
    // traefik's hostname points at the echo NLB; its own NLB is found by tags; a TGB binds the echo TG too.
    const svc = traefikService(ECHO_DNS);
    const tgbs = [tgb({ namespace: 'ingress', serviceRef: { name: 'traefik', port: 80 }, targetGroupARN: ECHO_TG_ARN })];
    const r = findServiceNlbs(aws, cluster({ tgbs }), svc);
    expect(names(r)).toEqual([ECHO_LB, TRAEFIK_LB]);
    expect(r.map((x) => x.how.split(' ')[0])).toEqual(['Service', 'tag']);
    const r2 = findServiceNlbs(aws, cluster({ tgbs }), traefikService(null));
    expect(names(r2)).toEqual([TRAEFIK_LB, ECHO_LB]);
    expect(r2.map((x) => x.how.split(' ')[0])).toEqual(['tag', 'TargetGroupBinding']);
  });

  test('only Type network: an ALB with matching tags and hostname is not an NLB', () => {
    const d = awsFixture('nlb-ip');
    const tags = editJson(d.tags!, (j) => {
      j.TagDescriptions = [{ ResourceArn: 'arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/k8s-web-shop-0d9e8f7a6b/0a1b2c3d4e5f6a7b', Tags: [{ Key: 'service.k8s.aws/stack', Value: 'ingress/traefik' }] }];
    });
    const r = findServiceNlbs(readAwsDumps({ ...d, tags }), cluster(), traefikService('k8s-web-shop-0d9e8f7a6b-1234567890.us-west-2.elb.amazonaws.com'));
    expect(r).toEqual([]);
  });
});
