import { describe, expect, test } from 'vitest';
import { modelNlbHop, readAwsDumps, type NlbHop } from '../../src/aws/index.js';
import type { Cluster, Service, ServicePort } from '../../src/k8s/model.js';
import type { AwsDumps } from '../../src/snapshot/model.js';
import { ECHO_HTTP, TRAEFIK_WEB, TRAEFIK_WEBSECURE, cluster, echoService, traefikService } from './cluster.js';
import { attributes, awsFixture, editJson, withFile } from './fixture.js';

const CLIENT = { ip: '203.0.113.7' };
const WEB_TG = 'k8s-ingress-traefik-1a2b3c4d5e';
const SECURE_TG = 'k8s-ingress-traefik-6f7a8b9c0d';
const ECHO_TG = 'k8s-web-echo-0a1b2c3d4e';
const ARN = 'arn:aws:elasticloadbalancing:us-west-2:111122223333';
// The attribute set LBC writes for ip targets by default (fixtures/aws/nlb-ip).
const IP_DEFAULTS = { 'proxy_protocol_v2.enabled': 'false', 'preserve_client_ip.enabled': 'false', 'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration' };

/** One branch as [NLB AZ, target ip:port, share, source after the NLB, preserved?]. */
type Row = [string, string, number, string, boolean];

function rows(hop: NlbHop): Row[] {
  return hop.branches
    .map((b): Row => [b.az, `${b.target.ip}:${b.target.port}`, b.share, b.sourceAfter.ip, b.clientIpPreserved])
    .sort((x, y) => x[0].localeCompare(y[0]) || x[1].localeCompare(y[1]));
}

/** Branch shares are exact fractions: they must sum to 1 within 1e-12 and match the hand values. */
function expectRows(hop: NlbHop, want: Row[]): void {
  const got = rows(hop);
  const sorted = [...want].sort((x, y) => x[0].localeCompare(y[0]) || x[1].localeCompare(y[1]));
  expect(got.map(([az, t, , s, p]) => [az, t, s, p])).toEqual(sorted.map(([az, t, , s, p]) => [az, t, s, p]));
  got.forEach((r, i) => expect(Math.abs(r[2] - sorted[i]![2])).toBeLessThan(1e-12));
  expect(Math.abs(hop.branches.reduce((a, b) => a + b.share, 0) - 1)).toBeLessThan(1e-12);
}

function hop(d: AwsDumps, c: Cluster, svc: Service, port: ServicePort, client = CLIENT): NlbHop {
  return modelNlbHop(readAwsDumps(d), c, svc, port, client);
}

const ipFixture = awsFixture('nlb-ip');
const instFixture = awsFixture('nlb-instance');

function instHealth(states: Record<'a1' | 'a2' | 'b1', string>): unknown {
  const ids = { a1: 'i-0aaa1111aaaa1111a', a2: 'i-0bbb2222bbbb2222b', b1: 'i-0ccc3333cccc3333c' };
  return {
    TargetHealthDescriptions: (Object.keys(ids) as (keyof typeof ids)[]).map((k) => ({
      Target: { Id: ids[k], Port: 31080 }, HealthCheckPort: '32001',
      TargetHealth: states[k] === 'healthy' ? { State: 'healthy' } : { State: states[k], Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' },
    })),
  };
}

describe('ip targets (fixtures/aws/nlb-ip, ingress/traefik)', () => {
  test('TCP defaults: source is the NLB private IP of each AZ; cross-zone off splits per AZ', () => {
    const h = hop(ipFixture, cluster(), traefikService(), TRAEFIK_WEB);
    // Cross-zone off: us-west-2a and us-west-2b each get 1/2 of clients; 2a has two pods (1/4 each), 2b one (1/2).
    expectRows(h, [
      ['us-west-2a', '10.0.1.57:8000', 1 / 4, '10.0.1.200', false],
      ['us-west-2a', '10.0.1.88:8000', 1 / 4, '10.0.1.200', false],
      ['us-west-2b', '10.0.2.31:8000', 1 / 2, '10.0.2.200', false],
    ]);
    const b = h.branches.find((x) => x.target.ip === '10.0.2.31')!;
    expect(b.reasons[0]).toBe(`target group ${WEB_TG} preserve_client_ip.enabled=false (default for ip targets over TCP)`);
    expect(b).toMatchObject({
      lb: { name: 'k8s-ingress-traefik-3c1a7e9f0b' }, listener: { port: 80, protocol: 'TCP' },
      targetGroup: { name: WEB_TG, targetType: 'ip', port: 1 }, nlbIp: '10.0.2.200', proxyProtocol: false,
      target: { id: '10.0.2.31', az: 'us-west-2b', health: 'healthy', pod: 'ingress/traefik-6d8f7c9b5-c3v8n', node: 'ip-10-0-2-10.us-west-2.compute.internal' },
      sourceAfter: { ip: '10.0.2.200', known: true },
    });
    expect(h.found).toBe(true);
    expect(h.unknowns).toEqual([]);
    expect(h.how).toMatch(/hostname .* is the DNSName of k8s-ingress-traefik-3c1a7e9f0b.*listener TCP:80 is Service port 80/);
  });

  test('second Service port takes its own listener and target group; port from target-health, not TG Port 1', () => {
    const h = hop(ipFixture, cluster(), traefikService(), TRAEFIK_WEBSECURE);
    expect(new Set(h.branches.map((b) => `${b.listener.port} ${b.targetGroup.name}`))).toEqual(new Set([`443 ${SECURE_TG}`]));
    expect(h.branches.map((b) => b.target.port)).toEqual([8443, 8443, 8443]);
  });

  test('NLB interfaces not captured: the source is a named placeholder, with an unknown', () => {
    const { networkInterfaces: _n, ...d } = ipFixture;
    const h = hop(d, cluster(), traefikService(), TRAEFIK_WEB);
    expect(h.branches.map((b) => [b.az, b.sourceAfter, b.nlbIp])).toContainEqual(['us-west-2a', { ip: 'NLB private IP in us-west-2a (not captured)', known: false }, undefined]);
    expect(h.unknowns.map((u) => u.what)).toEqual(['private IPs of NLB k8s-ingress-traefik-3c1a7e9f0b']);
  });

  test('target-group attributes not captured: AWS defaults, said in reasons and unknowns', () => {
    const h = hop(withFile(ipFixture, 'targetGroupAttributes', WEB_TG, undefined), cluster(), traefikService(), TRAEFIK_WEB);
    expect(h.branches[0]!.reasons[0]).toBe(`target group ${WEB_TG} preserve_client_ip.enabled=false (default for ip targets over TCP; attribute not captured)`);
    expect(h.branches.every((b) => !b.clientIpPreserved)).toBe(true);
    expect(h.unknowns.map((u) => u.where)).toEqual([`aws/target-group-attributes/${WEB_TG}.json`]);
  });

  const attrCases: { name: string; attrs: Record<string, string>; preserved: boolean; pp: boolean; reason: RegExp }[] = [
    { name: 'preserve_client_ip on', attrs: { ...IP_DEFAULTS, 'preserve_client_ip.enabled': 'true' }, preserved: true, pp: false, reason: /preserve_client_ip\.enabled=true \(set; the default for ip targets over TCP is false\)/ },
    { name: 'proxy protocol v2 on', attrs: { ...IP_DEFAULTS, 'proxy_protocol_v2.enabled': 'true' }, preserved: false, pp: true, reason: /proxy_protocol_v2\.enabled=true: the client address travels in the PROXY v2 header/ },
  ];
  test.each(attrCases)('$name', ({ attrs, preserved, pp, reason }) => {
    const h = hop(withFile(ipFixture, 'targetGroupAttributes', WEB_TG, attributes(attrs)), cluster(), traefikService(), TRAEFIK_WEB);
    const nlbSrc = (az: string) => (preserved ? CLIENT.ip : az === 'us-west-2a' ? '10.0.1.200' : '10.0.2.200');
    expectRows(h, [
      ['us-west-2a', '10.0.1.57:8000', 1 / 4, nlbSrc('us-west-2a'), preserved],
      ['us-west-2a', '10.0.1.88:8000', 1 / 4, nlbSrc('us-west-2a'), preserved],
      ['us-west-2b', '10.0.2.31:8000', 1 / 2, nlbSrc('us-west-2b'), preserved],
    ]);
    expect(h.branches.every((b) => b.proxyProtocol === pp)).toBe(true);
    expect(h.branches[0]!.reasons.join('\n')).toMatch(reason);
  });

  test('UDP: preservation is always on, whatever the attribute says', () => {
    const listeners = editJson(ipFixture.listeners.get('k8s-ingress-traefik-3c1a7e9f0b')!, (j) => { j.Listeners[0].Port = 53; j.Listeners[0].Protocol = 'UDP'; });
    const tgs = editJson(ipFixture.targetGroups!, (j) => { j.TargetGroups[0].Protocol = 'UDP'; });
    const d = { ...ipFixture, targetGroups: tgs, listeners: new Map([['k8s-ingress-traefik-3c1a7e9f0b', listeners]]) };
    const dns: ServicePort = { name: 'web', port: 53, protocol: 'UDP', targetPort: 'web' };
    const h = hop(d, cluster(), traefikService(), dns);
    expectRows(h, [
      ['us-west-2a', '10.0.1.57:8000', 1 / 4, CLIENT.ip, true],
      ['us-west-2a', '10.0.1.88:8000', 1 / 4, CLIENT.ip, true],
      ['us-west-2b', '10.0.2.31:8000', 1 / 2, CLIENT.ip, true],
    ]);
    expect(h.branches[0]!.reasons[0]).toBe(`target group ${WEB_TG} protocol UDP: client IP preservation is always on for UDP (the attribute's preserve_client_ip.enabled=false does not apply)`);
    // The TCP port 53 of the same Service has no listener that carries TCP.
    const tcp = hop(d, cluster(), traefikService(), { ...dns, protocol: 'TCP' });
    expect(tcp).toMatchObject({ found: true, branches: [] });
    expect(tcp.unknowns.at(-1)?.effect).toMatch(/listener on port 53 is UDP, which does not carry TCP/);
  });

  test('cross-zone on (target-group attribute): every AZ node spreads over all targets; source is the client-side AZ node', () => {
    const h = hop(withFile(ipFixture, 'targetGroupAttributes', WEB_TG, attributes({ ...IP_DEFAULTS, 'load_balancing.cross_zone.enabled': 'true' })), cluster(), traefikService(), TRAEFIK_WEB);
    // 2 AZs × 3 targets, each 1/2 × 1/3 = 1/6.
    expectRows(h, ['us-west-2a', 'us-west-2b'].flatMap((az): Row[] => ['10.0.1.57', '10.0.1.88', '10.0.2.31'].map((ip): Row =>
      [az, `${ip}:8000`, 1 / 6, az === 'us-west-2a' ? '10.0.1.200' : '10.0.2.200', false])));
    expect(h.branches.find((b) => b.az === 'us-west-2a' && b.target.ip === '10.0.2.31')?.target.az).toBe('us-west-2b');
  });

  test('cross-zone on from the LB attribute when the TG says use_load_balancer_configuration', () => {
    const h = hop(withFile(ipFixture, 'loadBalancerAttributes', 'k8s-ingress-traefik-3c1a7e9f0b', attributes({ 'load_balancing.cross_zone.enabled': 'true' })), cluster(), traefikService(), TRAEFIK_WEB);
    expect(h.branches.map((b) => b.share)).toEqual(Array(6).fill(1 / 6));
    expect(h.branches[0]!.notes.join('\n')).toMatch(/cross-zone on/);
  });

  test('weighted forward to two target groups (3:1)', () => {
    const listeners = editJson(ipFixture.listeners.get('k8s-ingress-traefik-3c1a7e9f0b')!, (j) => {
      j.Listeners[0].DefaultActions = [{ Type: 'forward', ForwardConfig: { TargetGroups: [
        { TargetGroupArn: `${ARN}:targetgroup/${WEB_TG}/7c1d2e3f4a5b6c7d`, Weight: 3 },
        { TargetGroupArn: `${ARN}:targetgroup/${SECURE_TG}/0e1f2a3b4c5d6e7f`, Weight: 1 },
      ] } }];
    });
    // The second group has one target, in us-west-2b only.
    const canary = editJson(ipFixture.targetHealth.get(SECURE_TG)!, (j) => { j.TargetHealthDescriptions = j.TargetHealthDescriptions.slice(2); });
    const d = withFile({ ...ipFixture, listeners: new Map([['k8s-ingress-traefik-3c1a7e9f0b', listeners]]) }, 'targetHealth', SECURE_TG, canary.json);
    const h = hop(d, cluster(), traefikService(), TRAEFIK_WEB);
    // 3/4 to the first group (1/4, 1/4, 1/2 inside it); 1/4 to the second, whose only live AZ is us-west-2b.
    expectRows(h, [
      ['us-west-2a', '10.0.1.57:8000', (3 / 4) * (1 / 4), '10.0.1.200', false],
      ['us-west-2a', '10.0.1.88:8000', (3 / 4) * (1 / 4), '10.0.1.200', false],
      ['us-west-2b', '10.0.2.31:8000', (3 / 4) * (1 / 2), '10.0.2.200', false],
      ['us-west-2b', '10.0.2.31:8443', 1 / 4, '10.0.2.200', false],
    ]);
    expect(h.branches.find((b) => b.target.port === 8443)?.targetGroup.name).toBe(SECURE_TG);
  });

  test('IPv6 client with preservation on: translated, so the source is the NLB address', () => {
    const d = withFile(ipFixture, 'targetGroupAttributes', WEB_TG, attributes({ ...IP_DEFAULTS, 'preserve_client_ip.enabled': 'true' }));
    const h = hop(d, cluster(), traefikService(), TRAEFIK_WEB, { ip: '2001:db8::7' });
    expect(h.branches.map((b) => [b.sourceAfter.ip, b.clientIpPreserved])).toContainEqual(['10.0.1.200', false]);
    expect(h.branches[0]!.reasons[1]).toMatch(/differ in IP family/);
  });
});

describe('instance targets (fixtures/aws/nlb-instance, web/echo NodePort 31080)', () => {
  const nodeRows = (shares: { a1?: number; a2?: number; b1?: number }): Row[] => {
    const all: Row[] = [];
    if (shares.a1) all.push(['us-west-2a', '10.0.1.10:31080', shares.a1, CLIENT.ip, true]);
    if (shares.a2) all.push(['us-west-2a', '10.0.1.20:31080', shares.a2, CLIENT.ip, true]);
    if (shares.b1) all.push(['us-west-2b', '10.0.2.10:31080', shares.b1, CLIENT.ip, true]);
    return all;
  };
  const cases: { name: string; etp: 'Cluster' | 'Local'; health: unknown; echoOn?: ('a1' | 'a2' | 'b1')[]; want: Row[]; note?: RegExp; unknown?: RegExp }[] = [
    // Cross-zone off, AZ a has 2 nodes and AZ b 1: each AZ gets 1/2, split inside the AZ.
    { name: 'eTP Cluster, all healthy', etp: 'Cluster', health: instHealth({ a1: 'healthy', a2: 'healthy', b1: 'healthy' }), want: nodeRows({ a1: 1 / 4, a2: 1 / 4, b1: 1 / 2 }) },
    { name: 'eTP Cluster, target-health missing: all assumed healthy', etp: 'Cluster', health: undefined, want: nodeRows({ a1: 1 / 4, a2: 1 / 4, b1: 1 / 2 }), unknown: /all registered targets assumed healthy/ },
    // The fixture's own target-health: i-0bbb… (a2) fails the healthCheckNodePort check.
    { name: 'eTP Local, health from target-health', etp: 'Local', health: 'fixture', want: nodeRows({ a1: 1 / 2, b1: 1 / 2 }), note: /i-0bbb2222bbbb2222b is unhealthy \(Target\.ResponseCodeMismatch/ },
    { name: 'eTP Local, target-health missing: derived, endpoints in AZ a only', etp: 'Local', health: undefined, echoOn: ['a1', 'a2'], want: nodeRows({ a1: 1 / 2, a2: 1 / 2 }), note: /no receiving target in us-west-2b/, unknown: /health derived from EndpointSlices/ },
    { name: 'eTP Local, target-health missing: derived, one endpoint in AZ b', etp: 'Local', health: undefined, echoOn: ['b1'], want: nodeRows({ b1: 1 }), unknown: /health derived/ },
    { name: 'no healthy target: fails open to all registered', etp: 'Local', health: instHealth({ a1: 'unhealthy', a2: 'unhealthy', b1: 'unhealthy' }), want: nodeRows({ a1: 1 / 4, a2: 1 / 4, b1: 1 / 2 }), note: /fails open/ },
    { name: 'fail-open skips draining targets', etp: 'Local', health: instHealth({ a1: 'unhealthy', a2: 'draining', b1: 'unhealthy' }), want: nodeRows({ a1: 1 / 2, b1: 1 / 2 }), note: /fails open/ },
  ];
  test.each(cases)('$name', ({ etp, health, echoOn, want, note, unknown }) => {
    const d = health === 'fixture' ? instFixture : withFile(instFixture, 'targetHealth', ECHO_TG, health);
    const h = hop(d, cluster(echoOn ? { echoOn } : {}), echoService(etp), ECHO_HTTP);
    expectRows(h, want);
    for (const b of h.branches) {
      expect(b.targetGroup).toMatchObject({ targetType: 'instance', port: 31080 });
      expect(b.nlbIp).toBe(b.az === 'us-west-2a' ? '10.0.1.250' : '10.0.2.250');
      expect(b.target.node).toMatch(/^ip-10-0-\d-\d+\.us-west-2\.compute\.internal$/);
      expect(b.reasons[0]).toBe(`target group ${ECHO_TG} preserve_client_ip.enabled=true (default for instance targets over TCP)`);
    }
    if (note) expect(h.branches.flatMap((b) => b.notes).join('\n')).toMatch(note);
    if (unknown) expect(h.unknowns.map((u) => u.effect).join('\n')).toMatch(unknown);
    else expect(h.unknowns).toEqual([]);
  });

  test('derived health names the node and the kube-proxy answer', () => {
    const h = hop(withFile(instFixture, 'targetHealth', ECHO_TG, undefined), cluster({ echoOn: ['b1'] }), echoService('Local'), ECHO_HTTP);
    expect(h.branches[0]!.target).toMatchObject({ id: 'i-0ccc3333cccc3333c', health: 'healthy', az: 'us-west-2b', node: 'ip-10-0-2-10.us-west-2.compute.internal' });
    expect(h.branches[0]!.notes).toContain('target i-0ccc3333cccc3333c health derived: kube-proxy\'s healthCheckNodePort 32001 answers 200 (a local ready endpoint)');
  });
});

describe('no path', () => {
  test('no NLB for the Service → found: false', () => {
    const h = hop(instFixture, cluster(), traefikService(null), TRAEFIK_WEB);
    expect(h).toEqual({ found: false, branches: [], unknowns: [] });
  });

  test('no aws/ data at all → found: false with an unknown', () => {
    const h = modelNlbHop(readAwsDumps({ listeners: new Map(), targetHealth: new Map(), targetGroupAttributes: new Map(), loadBalancerAttributes: new Map() }), cluster(), traefikService(), TRAEFIK_WEB, CLIENT);
    expect(h.found).toBe(false);
    expect(h.unknowns.map((u) => u.where)).toEqual(['aws/load-balancers.json']);
  });

  test('NLB found but no listener on the port → found: true, no branches, an unknown', () => {
    const h = hop(ipFixture, cluster(), traefikService(), { name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 9100, nodePort: 30910 });
    expect(h).toMatchObject({ found: true, branches: [] });
    expect(h.unknowns).toEqual([{ what: 'listener of k8s-ingress-traefik-3c1a7e9f0b for Service port TCP 9100', where: 'fixtures/aws/nlb-ip/listeners/k8s-ingress-traefik-3c1a7e9f0b.json', effect: 'no listener on port 9100: no NLB path for this Service port' }]);
  });

  test('listeners not captured → found: true, no branches, an unknown', () => {
    const h = hop({ ...ipFixture, listeners: new Map() }, cluster(), traefikService(), TRAEFIK_WEB);
    expect(h).toMatchObject({ found: true, branches: [], unknowns: [{ what: 'listeners of k8s-ingress-traefik-3c1a7e9f0b' }] });
  });
});

describe('what the NLB hop cannot model is said, not guessed', () => {
  test('a listener on another port bound to the Service port by a TargetGroupBinding', () => {
    const listeners = editJson(instFixture.listeners.get('k8s-web-echo-9f8e7d6c5b')!, (j) => { j.Listeners[0].Port = 8080; });
    const d = { ...instFixture, listeners: new Map([['k8s-web-echo-9f8e7d6c5b', listeners]]) };
    const tgbs = [{ namespace: 'web', name: 'echo-tf', targetGroupName: ECHO_TG, serviceRef: { name: 'echo', port: 80 }, source: 'test:tgb.yaml' }];
    const h = hop(d, cluster({ tgbs }), echoService('Local'), ECHO_HTTP);
    expect(h.branches.map((b) => b.listener.port)).toEqual([8080, 8080]);
    expect(h.how).toMatch(/listener TCP:8080 forwards to a target group bound to Service port 80 by a TargetGroupBinding/);
    expect(hop(d, cluster(), echoService('Local'), ECHO_HTTP).branches).toEqual([]);
  });

  test('a target group of type alb → no branches, an unknown', () => {
    const tgs = editJson(instFixture.targetGroups!, (j) => { j.TargetGroups[0].TargetType = 'alb'; });
    const h = hop({ ...instFixture, targetGroups: tgs }, cluster(), echoService('Local'), ECHO_HTTP);
    expect(h).toMatchObject({ found: true, branches: [] });
    expect(h.unknowns.at(-1)).toMatchObject({ what: `target group ${ECHO_TG} of target type alb`, effect: expect.stringMatching(/only instance and ip targets/) });
  });

  test('an instance with no Node: cross-zone off cannot place it; cross-zone on keeps it with an unknown', () => {
    const c = cluster({ nodes: ['a1', 'a2'] });
    const off = hop(instFixture, c, echoService('Local'), ECHO_HTTP);
    expect(off.branches).toEqual([]);
    expect(off.unknowns.at(-1)?.effect).toMatch(/AZ of target i-0ccc3333cccc3333c is unknown/);
    const d = withFile(instFixture, 'targetGroupAttributes', ECHO_TG, attributes({ 'preserve_client_ip.enabled': 'true', 'load_balancing.cross_zone.enabled': 'true' }));
    const on = hop(d, c, echoService('Local'), ECHO_HTTP);
    // Healthy: a1 and i-0ccc… (a2 is unhealthy); 2 AZs × 2 targets = 1/4 each.
    expect(on.branches.map((b) => [b.az, b.target.ip, b.share])).toEqual([
      ['us-west-2a', '10.0.1.10', 1 / 4], ['us-west-2a', 'i-0ccc3333cccc3333c (no Node with this instance ID)', 1 / 4],
      ['us-west-2b', '10.0.1.10', 1 / 4], ['us-west-2b', 'i-0ccc3333cccc3333c (no Node with this instance ID)', 1 / 4],
    ]);
    expect(on.unknowns.map((u) => u.what)).toEqual(['node of instance target i-0ccc3333cccc3333c']);
  });
});
