import { describe, expect, test } from 'vitest';
import { KpathError } from '../../src/errors.js';
import { readAwsDumps } from '../../src/aws/index.js';
import type { AwsDumps, FileJson } from '../../src/snapshot/model.js';
import { awsFixture, jsonFixture, noDumps } from './fixture.js';

describe('readAwsDumps on fixtures/aws/nlb-ip', () => {
  const aws = readAwsDumps(awsFixture('nlb-ip'));

  test('load balancers keep every type; AvailabilityZones and empty LoadBalancerAddresses', () => {
    expect(aws.loadBalancers.map((lb) => [lb.name, lb.type])).toEqual([
      ['k8s-ingress-traefik-3c1a7e9f0b', 'network'], ['k8s-web-shop-0d9e8f7a6b', 'application'],
    ]);
    const nlb = aws.loadBalancers[0]!;
    expect(nlb).toMatchObject({
      dnsName: 'k8s-ingress-traefik-3c1a7e9f0b-5f2d9c8e7a6b4c3d.elb.us-west-2.amazonaws.com', scheme: 'internet-facing',
      state: { code: 'active' }, source: { file: 'fixtures/aws/nlb-ip/load-balancers.json', at: '$.LoadBalancers[0]' },
    });
    expect(nlb.availabilityZones).toEqual([
      { zoneName: 'us-west-2a', subnetId: 'subnet-0aa11bb22cc33dd44', loadBalancerAddresses: [] },
      { zoneName: 'us-west-2b', subnetId: 'subnet-0ee55ff66aa77bb88', loadBalancerAddresses: [] },
    ]);
  });

  test('listeners, target groups, health, attributes, tags, NLB interfaces', () => {
    expect(aws.listeners.map((l) => [l.port, l.protocol, l.defaultActions[0]?.forwardConfig?.targetGroups[0]?.weight])).toEqual([[80, 'TCP', 1], [443, 'TCP', 1]]);
    expect(aws.listenerFiles.get('k8s-ingress-traefik-3c1a7e9f0b')).toBe('fixtures/aws/nlb-ip/listeners/k8s-ingress-traefik-3c1a7e9f0b.json');
    const tg = aws.targetGroups[0]!;
    expect(tg).toMatchObject({ name: 'k8s-ingress-traefik-1a2b3c4d5e', targetType: 'ip', port: 1, protocol: 'TCP', healthCheck: { port: 'traffic-port', intervalSeconds: 10 } });
    const th = aws.targetHealth.get('k8s-ingress-traefik-1a2b3c4d5e')!;
    expect(th.descriptions.map((d) => [d.target.id, d.target.port, d.target.availabilityZone, d.targetHealth.state])).toEqual([
      ['10.0.1.57', 8000, 'us-west-2a', 'healthy'], ['10.0.1.88', 8000, 'us-west-2a', 'healthy'], ['10.0.2.31', 8000, 'us-west-2b', 'healthy'],
    ]);
    expect(aws.targetGroupAttributes.get('k8s-ingress-traefik-1a2b3c4d5e')?.values.get('preserve_client_ip.enabled')).toBe('false');
    expect(aws.loadBalancerAttributes.get('k8s-ingress-traefik-3c1a7e9f0b')?.values.get('load_balancing.cross_zone.enabled')).toBe('false');
    expect(aws.tags.get(aws.loadBalancers[0]!.arn)?.values.get('service.k8s.aws/stack')).toBe('ingress/traefik');
    expect(aws.nlbInterfaces.map((i) => [i.lbName, i.lbId, i.availabilityZone, i.privateIpAddress, i.publicIp])).toEqual([
      ['k8s-ingress-traefik-3c1a7e9f0b', '5f2d9c8e7a6b4c3d', 'us-west-2a', '10.0.1.200', '52.12.34.56'],
      ['k8s-ingress-traefik-3c1a7e9f0b', '5f2d9c8e7a6b4c3d', 'us-west-2b', '10.0.2.200', '52.12.34.78'],
    ]);
  });

  test('internal NLB with static private IPs lists them in LoadBalancerAddresses', () => {
    const lb = readAwsDumps(awsFixture('nlb-instance')).loadBalancers[0]!;
    expect(lb.availabilityZones.map((z) => z.loadBalancerAddresses[0]?.privateIPv4Address)).toEqual(['10.0.1.250', '10.0.2.250']);
  });
});

describe('readAwsDumps edge cases', () => {
  test('nothing captured → empty data, no error', () => {
    const aws = readAwsDumps(noDumps);
    expect([aws.loadBalancers, aws.targetGroups, aws.listeners, aws.nlbInterfaces]).toEqual([[], [], [], []]);
    expect(aws.tags.size + aws.targetHealth.size + aws.targetGroupAttributes.size).toBe(0);
  });

  test('interfaces that are not NLB nodes are skipped; a tag without Value is empty', () => {
    const aws = readAwsDumps({
      ...noDumps,
      networkInterfaces: { path: 'n.json', json: { NetworkInterfaces: [
        { Description: 'ELB app/k8s-web-shop-0d9e8f7a6b/0a1b2c3d4e5f6a7b', AvailabilityZone: 'us-west-2a', PrivateIpAddress: '10.0.1.9' },
        { Description: '', AvailabilityZone: 'us-west-2a', PrivateIpAddress: '10.0.1.10' },
        { Description: 'ELB net/a/b', AvailabilityZone: 'us-west-2b', PrivateIpAddress: '10.0.2.9' },
      ] } },
      tags: { path: 't.json', json: { TagDescriptions: [{ ResourceArn: 'arn:x', Tags: [{ Key: 'k' }] }] } },
    });
    expect(aws.nlbInterfaces.map((i) => i.privateIpAddress)).toEqual(['10.0.2.9']);
    expect(aws.tags.get('arn:x')?.values.get('k')).toBe('');
  });
});

describe('malformed files → E_AWS_SHAPE naming the file and JSON path', () => {
  type Slot = 'loadBalancers' | 'targetGroups' | 'tags' | 'networkInterfaces' | 'listeners' | 'targetHealth' | 'targetGroupAttributes';
  const cases: { file: string; slot: Slot; path: string }[] = [
    { file: 'bad-top-array.json', slot: 'loadBalancers', path: '$' },
    { file: 'bad-lb-list-not-array.json', slot: 'loadBalancers', path: '$.LoadBalancers' },
    { file: 'bad-lb-no-dnsname.json', slot: 'loadBalancers', path: '$.LoadBalancers[0].DNSName' },
    { file: 'bad-listener-port-string.json', slot: 'listeners', path: '$.Listeners[0].Port' },
    { file: 'bad-forward-weight-string.json', slot: 'listeners', path: '$.Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups[1].Weight' },
    { file: 'bad-tg-lb-arns-string.json', slot: 'targetGroups', path: '$.TargetGroups[0].LoadBalancerArns' },
    { file: 'bad-health-no-target.json', slot: 'targetHealth', path: '$.TargetHealthDescriptions[0].Target' },
    { file: 'bad-attributes-value-bool.json', slot: 'targetGroupAttributes', path: '$.Attributes[1].Value' },
    { file: 'bad-tags-object.json', slot: 'tags', path: '$.TagDescriptions[0].Tags' },
    { file: 'bad-eni-association-string.json', slot: 'networkInterfaces', path: '$.NetworkInterfaces[0].Association' },
    { file: 'bad-top-array.json', slot: 'targetGroupAttributes', path: '$' },
  ];
  const place = (slot: Slot, f: FileJson): AwsDumps =>
    slot === 'listeners' || slot === 'targetHealth' || slot === 'targetGroupAttributes'
      ? { ...noDumps, [slot]: new Map([['x', f]]) }
      : { ...noDumps, [slot]: f };

  test.each(cases)('$file as $slot → $path', ({ file, slot, path }) => {
    const f = jsonFixture(file);
    let err: unknown;
    try {
      readAwsDumps(place(slot, f));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KpathError);
    const k = err as KpathError;
    expect(k.code).toBe('E_AWS_SHAPE');
    expect(k.message.startsWith(`fixtures/aws/${file}: `)).toBe(true);
    expect(k.token).toBe(path);
  });
});
