import { describe, expect, test } from 'vitest';
import { buildDiagram, translationLine } from '../../src/render/diagram.js';
import { CLIENT, mixedEndings, nlbIpLost } from '../support/trace-results.js';

describe('buildDiagram', () => {
  test('one box per hop reached one way; shares on edges; endpoints shared', () => {
    const d = buildDiagram(nlbIpLost());
    expect(d.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['client_internet_203_0_113_10', 'client'],
      ['lb_k8s_ingress_traefik_3c1a7e9f0b', 'load-balancer'],
      ['pod_ingress_traefik_a', 'pod'],
      ['pod_ingress_traefik_b', 'pod'],
    ]);
    expect(d.edges.map((e) => [e.from, e.to, e.share, e.lines])).toEqual([
      ['client_internet_203_0_113_10', 'lb_k8s_ingress_traefik_3c1a7e9f0b', 1, []],
      ['lb_k8s_ingress_traefik_3c1a7e9f0b', 'pod_ingress_traefik_a', 0.5, ['LB → 10.0.1.57:8000', `LB source ${CLIENT} → 10.0.1.200`, 'sees 10.0.1.200']],
      ['lb_k8s_ingress_traefik_3c1a7e9f0b', 'pod_ingress_traefik_b', 0.5, ['LB → 10.0.2.31:8000', `LB source ${CLIENT} → 10.0.2.200`, 'sees 10.0.2.200']],
    ]);
  });

  test('a node reached two ways is two boxes; each ending is its own kind of box', () => {
    const d = buildDiagram(mixedEndings());
    expect(d.nodes.map((n) => n.kind)).toEqual(['client', 'node', 'pod', 'node', 'pod', 'node', 'dropped', 'unknown']);
    expect(d.nodes.filter((n) => n.lines[0] === 'node node-b').map((n) => n.id)).toEqual(['node_node_b', 'node_node_b_2']);
    expect(d.nodes.find((n) => n.kind === 'dropped')!.lines).toEqual([
      'dropped',
      'filter KUBE-FIREWALL rule 1: -A KUBE-FIREWALL -m comment',
      '--comment "block \\"bad\\" <traffic> #1 | a\\b" -j DROP',
    ]);
  });

  test('shares are conserved: what enters a box leaves it', () => {
    for (const r of [nlbIpLost(), mixedEndings()]) {
      const d = buildDiagram(r);
      for (const n of d.nodes) {
        const inflow = d.edges.filter((e) => e.to === n.id).reduce((s, e) => s + e.share, 0);
        const outflow = d.edges.filter((e) => e.from === n.id).reduce((s, e) => s + e.share, 0);
        if (inflow > 0 && outflow > 0) expect(outflow).toBeCloseTo(inflow, 12);
      }
      const fromStart = d.edges.filter((e) => e.from === d.nodes[0]!.id).reduce((s, e) => s + e.share, 0);
      expect(fromStart).toBeCloseTo(1, 12);
    }
  });

  test('long label lines wrap at spaces and are cut after three lines', () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const r = mixedEndings();
    const d = buildDiagram({ ...r, paths: r.paths.map((p) => (p.disposition === 'unknown' ? { ...p, reason: long } : p)) });
    const lines = d.nodes.find((n) => n.kind === 'unknown')!.lines.slice(1);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.length <= 64)).toBe(true);
    expect(lines[2]).toMatch(/…$/);
  });

  const translations = [
    { name: 'DNAT', t: { type: 'DNAT' as const, from: '10.0.1.10:30080', to: '10.0.1.57:8000' }, want: 'DNAT 10.0.1.10:30080 → 10.0.1.57:8000' },
    { name: 'MASQUERADE keeps only the new source', t: { type: 'MASQUERADE' as const, from: `${CLIENT}:40000`, to: '10.0.1.10 (random port)' }, want: 'MASQUERADE → 10.0.1.10' },
    { name: 'SNAT', t: { type: 'SNAT' as const, from: `${CLIENT}:40000`, to: '10.0.1.10:40000' }, want: 'SNAT → 10.0.1.10:40000' },
    { name: 'IPVS', t: { type: 'IPVS' as const, from: '172.19.100.2:80', to: '10.233.98.39:80' }, want: 'IPVS 172.19.100.2:80 → 10.233.98.39:80' },
    { name: 'LB target choice', t: { type: 'LB' as const, from: 'x.elb.amazonaws.com:80', to: '10.0.1.10:30080' }, want: 'LB → 10.0.1.10:30080' },
    { name: 'LB source rewrite', t: { type: 'LB' as const, from: CLIENT, to: '10.0.1.200' }, want: `LB source ${CLIENT} → 10.0.1.200` },
  ];
  test.each(translations)('edge line for $name', ({ t, want }) => expect(translationLine(t, CLIENT)).toBe(want));
});
