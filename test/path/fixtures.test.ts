// Every scenario snapshot under fixtures/snapshots/ carries expected.json: facts derived from the
// documented behaviour (kube-proxy, AWS NLB semantics, the seed situations), written with the
// fixture, not from kpath's output. This test traces each query and checks those facts, then
// pins the full text and JSON output as goldens (reviewed like code).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildCluster } from '../../src/k8s/parse.js';
import type { TracePath, TraceResult } from '../../src/path/model.js';
import { traceService } from '../../src/path/service-trace.js';
import { renderJson } from '../../src/render/json.js';
import { plainStyle } from '../../src/render/style.js';
import { renderText } from '../../src/render/text.js';
import { loadSnapshot } from '../../src/snapshot/load.js';

interface ExpectedEndpoint { pod?: string; ip?: string; port?: number; share: number; sourceSeen?: string[] }
interface ExpectedQuery {
  args: { svc: string; port?: string; from: string; client?: string; node?: string };
  reachable?: boolean;
  clientIp?: string;
  preservedShare?: number;
  endpoints?: ExpectedEndpoint[];
}

const VERDICTS = new Set(['preserved', 'lost', 'partial', 'proxy-protocol', 'unknown']);
const root = 'fixtures/snapshots';
const fixtures = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'expected.json'))).sort() : [];

/** Paths entering the cluster at `node` (their first node hop), with shares renormalised. */
function atNode(paths: readonly TracePath[], node: string): TracePath[] {
  const sel = paths.filter((p) => p.hops.find((h) => h.kind === 'node')?.name === node);
  const total = sel.reduce((s, p) => s + p.probability, 0);
  return sel.map((p) => ({ ...p, probability: p.probability / total }));
}

function byEndpoint(paths: readonly TracePath[]): Map<string, { share: number; seen: Set<string> }> {
  const m = new Map<string, { share: number; seen: Set<string> }>();
  for (const p of paths) {
    if (p.disposition !== 'delivered' || !p.endpoint) continue;
    const key = p.endpoint.pod ?? `${p.endpoint.ip}:${p.endpoint.port ?? ''}`;
    const e = m.get(key) ?? { share: 0, seen: new Set<string>() };
    e.share += p.probability;
    if (p.sourceSeenByEndpoint) e.seen.add(p.sourceSeenByEndpoint.ip);
    m.set(key, e);
  }
  return m;
}

function describePaths(r: TraceResult): string {
  return r.paths.map((p) => `${p.probability.toFixed(4)} ${p.disposition} ${p.hops.map((h) => h.name).join(' > ')} → ${p.endpoint?.pod ?? p.endpoint?.ip ?? '-'} sees ${p.sourceSeenByEndpoint?.ip ?? '-'}${p.reason ? ` (${p.reason})` : ''}`).join('\n');
}

describe.each(fixtures)('fixture %s', (name) => {
  const dir = join(root, name);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { queries: ExpectedQuery[] };
  const snap = loadSnapshot(dir);
  const cluster = buildCluster(snap.k8sDocs);
  expected.queries.forEach((q, i) => {
    const label = `${q.args.svc} from ${q.args.from}${q.args.node ? ` arriving at ${q.args.node}` : ''}${q.args.port ? ` port ${q.args.port}` : ''}`;
    test(label, async () => {
      const r = traceService(snap, cluster, { svc: q.args.svc, port: q.args.port, from: q.args.from, client: q.args.client });
      const why = describePaths(r);
      const paths = q.args.node ? atNode(r.paths, q.args.node) : r.paths;
      if (q.reachable !== undefined) expect(paths.some((p) => p.disposition === 'delivered'), why).toBe(q.reachable);
      if (q.clientIp && VERDICTS.has(q.clientIp) && !q.args.node) expect(r.verdict.clientIp, why).toBe(q.clientIp);
      if (q.preservedShare !== undefined && !q.args.node) expect(r.verdict.preservedShare, why).toBeCloseTo(q.preservedShare, 6);
      if (q.endpoints) {
        const got = byEndpoint(paths);
        const want = new Map(q.endpoints.map((e) => [e.pod ?? `${e.ip}:${e.port ?? ''}`, e]));
        expect([...got.keys()].sort(), why).toEqual([...want.keys()].sort());
        for (const [k, e] of want) {
          expect(got.get(k)!.share, `${k}\n${why}`).toBeCloseTo(e.share, 6);
          if (e.sourceSeen) expect([...got.get(k)!.seen].sort(), `${k}\n${why}`).toEqual([...e.sourceSeen].sort());
        }
      }
      const base = `../golden/trace/${name}--${i + 1}`;
      await expect(renderText(r, plainStyle)).toMatchFileSnapshot(`${base}.txt`);
      await expect(renderJson(r)).toMatchFileSnapshot(`${base}.json`);
    });
  });
});

test('fixtures with expected facts exist', () => expect(fixtures.length).toBeGreaterThan(0));
