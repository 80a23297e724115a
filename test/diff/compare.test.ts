import { describe, expect, test } from 'vitest';
import { diffTraces } from '../../src/diff/compare.js';
import { renderDiffText } from '../../src/render/diff.js';
import { plainStyle } from '../../src/render/style.js';
import { CLIENT, clientHop, delivered, lbHop, mixedEndings, nlbIpLost, nlbIpPreserved, result } from '../support/trace-results.js';

const dirs = { before: 'before', after: 'after' };

describe('diffTraces', () => {
  test('a trace against itself: nothing changed', () => {
    const d = diffTraces(mixedEndings(), mixedEndings(), dirs);
    expect(d.changed).toBe(false);
    expect(d.changes).toEqual([]);
    expect(d.outcomes.every((o) => o.change === 'same')).toBe(true);
    expect(renderDiffText(d, plainStyle)).toMatch(/No change: the same 4 outcomes with the same shares and client-IP verdict\.\n$/);
  });

  test('lost → preserved: sources and verdict change, endpoints do not', () => {
    const d = diffTraces(nlbIpLost(), nlbIpPreserved(), dirs);
    expect(d.changed).toBe(true);
    expect(d.changes).toEqual(['sources', 'client-ip', 'preserved-share']);
    expect(d.verdict.clientIp).toEqual({ before: 'lost', after: 'preserved' });
    expect(d.verdict.reasons.removed).toEqual(['target group k8s-ingress-traefik-0a1b: preserve_client_ip.enabled=false (ip target, TCP)']);
    expect(d.endpoints.map((e) => [e.key, e.before, e.after])).toEqual([['ingress/traefik-a', 0.5, 0.5], ['ingress/traefik-b', 0.5, 0.5]]);
    expect(d.sources.map((e) => [e.key, e.before, e.after])).toEqual([[CLIENT, null, 1], ['10.0.1.200', 0.5, null], ['10.0.2.200', 0.5, null]]);
    expect(d.outcomes.map((o) => [o.endpoint, o.source, o.change])).toEqual([
      ['ingress/traefik-a', '10.0.1.200', 'removed'], ['ingress/traefik-a', CLIENT, 'added'],
      ['ingress/traefik-b', '10.0.2.200', 'removed'], ['ingress/traefik-b', CLIENT, 'added'],
    ]);
    expect(d.outcomes[0]!.via.before).toEqual([
      'k8s-ingress-traefik-3c1a7e9f0b: LB → 10.0.1.57:8000 (listener TCP:80 → target group k8s-ingress-traefik-0a1b (ip))',
      `k8s-ingress-traefik-3c1a7e9f0b: LB ${CLIENT} → 10.0.1.200 (target group k8s-ingress-traefik-0a1b: client IP not preserved)`,
    ]);
  });

  test('paths that end the same way merge; a share moving between endpoints is a change', () => {
    const before = result([
      delivered(0.25, 'web/echo-a', '10.244.1.5', CLIENT, [clientHop, lbHop('10.0.1.10:30080')]),
      delivered(0.25, 'web/echo-a', '10.244.1.5', CLIENT, [clientHop, lbHop('10.0.2.10:30080')]),
      delivered(0.5, 'web/echo-b', '10.244.2.7', CLIENT, [clientHop, lbHop('10.0.2.10:30080')]),
    ]);
    const after = result([
      delivered(1, 'web/echo-a', '10.244.1.5', CLIENT, [clientHop, lbHop('10.0.1.10:30080')]),
    ]);
    const d = diffTraces(before, after, dirs);
    expect(d.outcomes.map((o) => [o.endpoint, o.before, o.after, o.change])).toEqual([
      ['web/echo-a', 0.5, 1, 'share'], ['web/echo-b', 0.5, null, 'removed'],
    ]);
    expect(d.changes).toEqual(['endpoints', 'shares']);
  });

  test('the text names each changed outcome with the rewrites behind it', () => {
    const text = renderDiffText(diffTraces(nlbIpLost(), nlbIpPreserved(), dirs), plainStyle);
    expect(text).toContain('Client IP: LOST → PRESERVED (preserved for 0% → 100% of delivered traffic)');
    expect(text).toContain('  - target group k8s-ingress-traefik-0a1b: preserve_client_ip.enabled=false (ip target, TCP)');
    expect(text).toMatch(/^ {2}\+ ingress\/traefik-a sees 203\.0\.113\.10 +- → 50%$/m);
    expect(text).toMatch(/^ {2}- ingress\/traefik-a sees 10\.0\.1\.200 +50% → -$/m);
    expect(text).toContain('Changed: sources, client-ip, preserved-share.');
  });
});
