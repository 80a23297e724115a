import { describe, expect, test } from 'vitest';
import { dotToSvg, hasDot } from '../render/graphviz.js';
import { lintMermaid } from '../render/mermaid-lint.js';
import { kpath } from './run-kpath.js';

const DEMO = ['trace', '--snapshot', 'fixtures/snapshots/eks-nlb-ip-traefik', '--svc', 'ingress/traefik', '--port', 'web', '--from', 'internet', '--client', '198.51.100.20'];

describe('kpath trace -o mermaid|dot (CLI)', () => {
  test('-o mermaid prints the flowchart, exit 0', async () => {
    const r = kpath(...DEMO, '-o', 'mermaid');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('flowchart LR');
    expect(lintMermaid(r.out)).toEqual([]);
    await expect(r.out).toMatchFileSnapshot('../golden/diagram/eks-nlb-ip-traefik.mmd');
  });

  test('-o dot prints the digraph, exit 0', async () => {
    const r = kpath(...DEMO, '-o', 'dot');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^digraph kpath \{\n/);
    await expect(r.out).toMatchFileSnapshot('../golden/diagram/eks-nlb-ip-traefik.dot');
    if (hasDot) expect(dotToSvg(r.out).status).toBe(0);
  });
});
