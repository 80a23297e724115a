import { describe, expect, test } from 'vitest';
import { checkExpectation } from '../../src/check/evaluate.js';
import { parseExpectations } from '../../src/check/parse.js';
import type { Cluster, Pod } from '../../src/k8s/model.js';
import { CLIENT, clientHop, delivered, ended, mixedEndings, nlbIpLost, nlbIpPreserved, result } from '../support/trace-results.js';

function pod(ns: string, name: string, labels: Record<string, string>): Pod {
  return { namespace: ns, name, ips: [], hostNetwork: false, labels, source: 'test' };
}

const cluster: Cluster = {
  services: [], endpointSlices: [], nodes: [], targetGroupBindings: [], problems: [],
  pods: [
    pod('ingress', 'traefik-a', { app: 'traefik' }),
    pod('ingress', 'traefik-b', { app: 'traefik' }),
    pod('web', 'echo-a', { app: 'echo', tier: 'web' }),
    pod('web', 'echo-b', { app: 'echo', tier: 'canary' }),
  ],
};

/** Checks one expectation written as YAML flow text (svc and from are filled in). */
function check(yaml: string, r = nlbIpLost()) {
  const [e] = parseExpectations(`- {svc: ingress/traefik, from: internet, ${yaml}}`, 't.yaml');
  return checkExpectation(e!, r, cluster);
}

describe('checkExpectation', () => {
  const cases = [
    { name: 'reachable when delivered', yaml: 'reachable: true', passed: true, got: /^100% of the traffic is delivered$/ },
    { name: 'not unreachable when delivered', yaml: 'reachable: false', passed: false, got: /^100% of the traffic is delivered$/ },
    { name: 'clientIp equals the verdict', yaml: 'clientIp: lost', passed: true, got: /^lost: endpoints never see 203\.0\.113\.10: they see 10\.0\.1\.200, 10\.0\.2\.200$/ },
    { name: 'clientIp differs', yaml: 'clientIp: preserved', passed: false, got: /^lost: / },
    { name: 'preservedShare within', yaml: 'preservedShare: {max: 0}', passed: true, got: /^0% of delivered traffic keeps/ },
    { name: 'preservedShare below min', yaml: 'preservedShare: {min: 0.5}', passed: false, got: /^0% of delivered/ },
    { name: 'selector matches every endpoint', yaml: 'endpoints: {selector: app=traefik}, minShare: 1', passed: true, got: /^100% of all traffic reaches matching pods: ingress\/traefik-a 50%, ingress\/traefik-b 50%$/ },
    { name: 'selector misses', yaml: 'endpoints: {selector: app=echo}', passed: false, got: /^100% is delivered to endpoints that do not match; no traffic reaches a matching pod$/ },
    { name: 'sources inside a CIDR', yaml: 'sources: [10.0.0.0/16]', passed: true, got: /^endpoints see 10\.0\.1\.200 50%, 10\.0\.2\.200 50%$/ },
    { name: 'sources listed one by one, one missing', yaml: 'sources: [10.0.1.200]', passed: false, got: /^endpoints also see 10\.0\.2\.200 50%$/ },
    { name: 'pods list with one missing', yaml: 'endpoints: {pods: [ingress/traefik-a]}', passed: false, got: /^50% is delivered to endpoints that do not match$/ },
    { name: 'pods list covering both', yaml: 'endpoints: {pods: [ingress/traefik-a, ingress/traefik-b]}, minShare: 1.0', passed: true, got: /^100% of all traffic/ },
  ];
  test.each(cases)('$name', ({ yaml, passed, got }) => {
    const [a] = check(yaml);
    expect(a!.passed).toBe(passed);
    expect(a!.got).toMatch(got);
  });

  test('a failed clientIp names the verdict reasons and the fix', () => {
    const [a] = check('clientIp: preserved');
    expect(a!.details).toEqual(['target group k8s-ingress-traefik-0a1b: preserve_client_ip.enabled=false (ip target, TCP)']);
    expect(check('clientIp: lost', nlbIpPreserved())[0]!.got).toBe(`preserved: every delivered connection reaches its endpoint from ${CLIENT}`);
  });

  test('minShare counts all traffic, so drops and unknowns fail it and are named', () => {
    const [a] = check('endpoints: {selector: app=echo}, minShare: 0.9', mixedEndings());
    expect(a!.passed).toBe(false);
    expect(a!.got).toBe('50% reaches matching pods, below 90%');
    expect(a!.details).toEqual([
      'matches: web/echo-a 25%',
      'matches: web/echo-b 25%',
      '25% dropped: filter KUBE-FIREWALL rule 1: -A KUBE-FIREWALL -m comment --comment "block \\"bad\\" <traffic> #1 | a\\b" -j DROP',
      '25% unknown: match -m bpf is not modelled at nodes/node-b/iptables-save.txt:12',
    ]);
    expect(check('endpoints: {selector: "app=echo,tier in (web)"}', mixedEndings())[0]!.details[1]).toBe('does not match: web/echo-b 25% (labels app=echo,tier=canary)');
  });

  test('reachable: false wants every path shown undelivered: unknown is not enough', () => {
    const dropped = result([ended(1, 'dropped', 'filter INPUT policy DROP', [clientHop])]);
    expect(check('reachable: false', dropped)[0]).toMatchObject({ passed: true, got: 'no path delivers the traffic', details: ['100% dropped: filter INPUT policy DROP'] });
    const unknown = result([ended(0.5, 'dropped', 'x', [clientHop]), ended(0.5, 'unknown', 'no dump', [clientHop])]);
    expect(check('reachable: false', unknown)[0]!.passed).toBe(false);
  });

  test('sources: nothing delivered never passes', () => {
    const dropped = result([ended(1, 'dropped', 'filter INPUT policy DROP', [clientHop])]);
    expect(check('sources: [0.0.0.0/0]', dropped)[0]).toMatchObject({ passed: false, got: 'nothing is delivered, so no endpoint sees a source' });
  });

  test('an endpoint that is not a Pod of the snapshot never matches a selector', () => {
    const r = result([delivered(1, 'ingress/ghost', '10.0.9.9', CLIENT, [clientHop])]);
    expect(check('endpoints: {selector: app=traefik}', r)[0]!.details).toEqual(['does not match: ingress/ghost 100% (the Pod is not in the snapshot, so its labels are unknown)']);
  });
});
