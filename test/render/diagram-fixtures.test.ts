// Diagram goldens per bundled snapshot: the first query of its kpath-expect.yaml, traced and drawn
// as Mermaid and DOT. The Mermaid text passes the structural lint; the DOT text renders with the
// real Graphviz where `dot` is installed.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseExpectations } from '../../src/check/parse.js';
import { buildCluster } from '../../src/k8s/parse.js';
import { traceService } from '../../src/path/service-trace.js';
import { renderDot } from '../../src/render/dot.js';
import { renderMermaid } from '../../src/render/mermaid.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { fixturesWithExpectations } from '../cli/run-kpath.js';
import { dotToSvg, hasDot } from './graphviz.js';
import { lintMermaid } from './mermaid-lint.js';

function traceFirst(name: string) {
  const dir = `fixtures/snapshots/${name}`;
  const file = `${dir}/kpath-expect.yaml`;
  const [first] = parseExpectations(readFileSync(file, 'utf8'), file);
  const snap = loadSnapshot(dir);
  return traceService(snap, buildCluster(snap.k8sDocs), first!.query);
}

describe.each(fixturesWithExpectations())('%s', (name) => {
  const result = traceFirst(name);

  test('Mermaid golden, structurally valid', async () => {
    const text = renderMermaid(result);
    expect(lintMermaid(text)).toEqual([]);
    await expect(text).toMatchFileSnapshot(`../golden/diagram/${name}.mmd`);
  });

  test('DOT golden', async () => {
    await expect(renderDot(result)).toMatchFileSnapshot(`../golden/diagram/${name}.dot`);
  });

  test.skipIf(!hasDot)('DOT renders to SVG with Graphviz', () => {
    const out = dotToSvg(renderDot(result));
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.svg).toMatch(/<svg[\s>]/);
  });
});
