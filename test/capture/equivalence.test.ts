// Tracing a gathered snapshot gives what tracing the snapshot it was served from gives: the fakes
// serve a scenario fixture, kpath gathers it through the real clients, and both are traced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCluster } from '../../src/k8s/parse.js';
import type { TraceResult, Unknown } from '../../src/path/model.js';
import { traceService } from '../../src/path/service-trace.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { awsEnv, FIXTURES, setEnv, startLab, type Lab } from './fixture.js';

interface Query { svc: string; port?: string; from: string; client?: string }

function queriesOf(name: string): Query[] {
  const doc = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as { queries: { args: Query & { node?: string } }[] };
  return doc.queries.filter((q) => q.args.node === undefined).map((q) => q.args);
}

function trace(dir: string, q: Query): TraceResult {
  const snap = loadSnapshot(dir);
  return traceService(snap, buildCluster(snap.k8sDocs), q);
}

/** The result with the snapshot's directory replaced (file paths are the only thing allowed to differ). */
function normalize(r: TraceResult, dir: string): unknown {
  return JSON.parse(JSON.stringify(r).split(`${dir}/`).join('<snapshot>/').split(dir).join('<snapshot>'));
}

/** Unknowns from kpath-snapshot.json gaps: the gathered snapshot records the tools the fixture has no dump of. */
const isGapUnknown = (u: Unknown) => u.where === 'kpath-snapshot.json';

const SCENARIOS = ['eks-nlb-ip-traefik', 'eks-nlb-instance-cluster', 'eks-nlb-instance-local', 'metallb-calico-cluster'];

describe.each(SCENARIOS)('%s', (name) => {
  const fixture = join(FIXTURES, name);
  let lab: Lab;
  let undo: () => void;
  beforeAll(async () => {
    lab = await startLab(fixture, { maxPage: 3 });
    undo = setEnv(awsEnv(lab.aws.url));
  });
  afterAll(async () => { undo(); await lab.close(); });

  test.each(queriesOf(name))('$svc port $port from $from', async (q) => {
    const gathered = await lab.gather({ scope: { services: [q.svc], all: false, from: q.from } });
    const want = normalize(trace(fixture, q), fixture) as TraceResult;
    const got = normalize(trace(gathered.dir, q), gathered.dir) as TraceResult;
    const gapUnknowns = got.unknowns.filter(isGapUnknown);
    // Every extra unknown is a dump the fixture does not have either (so the fake's tool is "missing").
    for (const u of gapUnknowns) {
      const file = /^(nodes\/[^ ]+) was not gathered$/.exec(u.what)?.[1];
      expect(file, u.what).toBeDefined();
      expect(() => readFileSync(join(fixture, file!)), `${file} exists in the fixture but was reported missing`).toThrow();
    }
    expect({ ...got, unknowns: got.unknowns.filter((u) => !isGapUnknown(u)) }).toEqual(want);
  });
});
