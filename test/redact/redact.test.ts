import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { readAwsDumps } from '../../src/aws/parse.js';
import { buildCluster } from '../../src/k8s/parse.js';
import { buildChainIndex, parseHashedChain } from '../../src/kube/chain-names.js';
import { lintSnapshot } from '../../src/lint/index.js';
import { parseIptablesSave } from '../../src/netfilter/iptables/parse.js';
import type { ServiceQuery } from '../../src/path/service-query.js';
import { redactSnapshot, type RedactResult, type SnapshotFile } from '../../src/redact/index.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { nlbFiles, WEB_EXTRA } from '../lint/aws-files.js';
import { buildSnapshot, services, writeSnapshot } from '../lint/build-snapshot.js';
import { fixtureQueries, mapper, outcome, readTree, traceDir } from './roundtrip.js';

const SALT = 'kpath-test-salt';

function redactDir(dir: string): { result: RedactResult; out: string } {
  const result = redactSnapshot(readTree(dir), { salt: SALT, root: dir });
  const files: Record<string, string> = {};
  for (const f of result.files) files[f.path] = f.text;
  return { result, out: writeSnapshot(files, 'kpath-redacted-') };
}

function mapQuery(q: ServiceQuery, f: (s: string) => string): ServiceQuery {
  const [kind, rest] = q.from.includes(':') ? [q.from.slice(0, q.from.indexOf(':')), q.from.slice(q.from.indexOf(':') + 1)] : [q.from, undefined];
  return { ...q, svc: f(q.svc), from: rest === undefined ? kind! : `${kind}:${f(rest)}`, ...(q.client ? { client: f(q.client) } : {}), ...(q.port ? { port: f(q.port) } : {}) };
}

// Address ranges the redaction keeps by design (loopback, link-local, multicast/reserved, 0/8, documentation).
const KEPT_V4 = [/^127\./, /^0\./, /^169\.254\./, /^2(2[4-9]|[3-5]\d)\./, /^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./];
// Names the redaction keeps by design (Kubernetes' own, and the software kpath recognises by name).
const KEEP_NAMES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kubernetes', 'kube-dns', 'coredns', 'kube-proxy', 'kube-proxy-config', 'metallb-system']);

/** Original addresses and names of a snapshot, found independently of the redactor. */
function originals(files: readonly SnapshotFile[], dir: string): { addresses: string[]; names: string[] } {
  const addresses = new Set<string>();
  for (const f of files) {
    for (const m of f.text.matchAll(/(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d]|\.\d)/g)) if (!KEPT_V4.some((r) => r.test(m[0]))) addresses.add(m[0]);
  }
  const snap = loadSnapshot(dir);
  const c = buildCluster(snap.k8sDocs);
  const aws = readAwsDumps(snap.aws);
  const names = new Set([
    ...c.services.flatMap((s) => [s.namespace, s.name]), ...c.pods.flatMap((p) => [p.namespace, p.name]), ...c.nodes.map((n) => n.name),
    ...c.nodes.flatMap((n) => (n.providerID ? [n.providerID.split('/').pop()!] : [])),
    ...aws.loadBalancers.map((l) => l.name), ...aws.targetGroups.map((t) => t.name), ...aws.loadBalancers.map((l) => l.arn.split(':')[4]!),
  ]);
  return { addresses: [...addresses], names: [...names].filter((n) => n !== '' && !KEEP_NAMES.has(n)) };
}

/**
 * What to grep in a redacted file: for JSON and YAML its string values — keys are field names such
 * as `ingress`, and apiVersion/kind hold API groups such as `apps`, never names.
 */
function searchable(f: SnapshotFile): string {
  if (!/\.(json|ya?ml)$/.test(f.path)) return f.text;
  const docs: unknown[] = f.path.endsWith('.json') ? [JSON.parse(f.text)] : YAML.parseAllDocuments(f.text).map((d) => d.toJSON() as unknown);
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (k === 'apiVersion' || k === 'kind' ? undefined : walk(x)));
  };
  docs.forEach(walk);
  return out.join('\n');
}

function expectNoOriginals(result: RedactResult, files: readonly SnapshotFile[], dir: string): void {
  const o = originals(files.filter((f) => !result.skipped.includes(f.path)), dir);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found: string[] = [];
  for (const f of result.files) {
    const text = searchable(f);
    // A name counts as a word: `ingress` in `--ingress-class` is not the namespace.
    for (const n of o.names) if (new RegExp(`(?<![A-Za-z0-9_-])${escape(n)}(?![A-Za-z0-9_-])`).test(text) || f.path.split('/').includes(n)) found.push(`${f.path}: name ${n}`);
    // An address that is also the image of another one is the permutation at work, not a leak.
    const produced = new Set(Object.values(result.mapping.addresses).map((v) => v.split('/')[0]!));
    for (const a of o.addresses) if (!produced.has(a) && new RegExp(`(?<![\\d.])${escape(a)}(?![\\d]|\\.\\d)`).test(f.text)) found.push(`${f.path}: address ${a}`);
  }
  expect(found).toEqual([]);
  expect(result.leaks).toEqual([]);
}

/** Traces every query on the original and on the redacted copy and compares them through the mapping. */
function expectSameOutcomes(dir: string, out: string, result: RedactResult, queries: readonly ServiceQuery[]): void {
  const f = mapper(result.mapping);
  expect(queries.length).toBeGreaterThan(0);
  for (const q of queries) {
    const before = traceDir(dir, q);
    const after = traceDir(out, mapQuery(q, f));
    expect(outcome(after), `${q.svc} from ${q.from}`).toEqual(outcome(before, f));
  }
}

/** Every hashed chain of the redacted dumps is named by kube-proxy's hash of a redacted Service port. */
function expectChainsRehashed(out: string): void {
  const snap = loadSnapshot(out);
  const rulesets = [...snap.nodes.values()].flatMap((n) => (n.iptablesSave ? [parseIptablesSave(n.iptablesSave.text, { file: n.iptablesSave.path })] : []));
  const fwd = buildChainIndex(buildCluster(snap.k8sDocs));
  const all = buildChainIndex(buildCluster(snap.k8sDocs), rulesets);
  const orphan: string[] = [];
  for (const rs of rulesets) {
    for (const name of rs.tables.get('nat')?.chains.keys() ?? []) {
      if (parseHashedChain(name) && !fwd.get(name) && all.get(name)?.how !== 'hash') orphan.push(name);
    }
  }
  expect(orphan).toEqual([]);
}

describe('built snapshots (iptables + NLB ip targets, instance targets, IPVS)', () => {
  const cases = [
    { name: 'iptables, NLB ip targets', files: buildSnapshot(services(), { extra: WEB_EXTRA, files: nlbFiles('ip', [{ id: '10.244.1.5', port: 8080 }, { id: '10.244.2.7', port: 8080 }]) }) },
    { name: 'iptables, NLB instance targets', files: buildSnapshot(services(), { extra: WEB_EXTRA, files: nlbFiles('instance', [{ id: 'i-0aaa1111aaaa1111a', port: 31080 }, { id: 'i-0bbb2222bbbb2222b', port: 31080 }]) }) },
    { name: 'IPVS', files: buildSnapshot(services(), { mode: 'ipvs' }) },
  ];
  const queries: ServiceQuery[] = [
    { svc: 'demo/web', from: 'internet', client: '198.51.100.7' }, { svc: 'demo/web', from: 'node:node-a' },
    { svc: 'shop/cart', from: 'pod:demo/web-1-5' }, { svc: 'kube-system/kube-dns', port: 'dns-tcp', from: 'node:node-b' },
  ];
  for (const c of cases) {
    test(`${c.name}: same outcomes modulo the mapping, no original left, chains re-hashed, lint still clean`, () => {
      const dir = writeSnapshot({ ...c.files, 'README.md': 'demo/web on node-a at 10.244.1.5\n' });
      const { result, out } = redactDir(dir);
      expect(result.skipped).toEqual(['README.md']);
      expectSameOutcomes(dir, out, result, queries);
      expectNoOriginals(result, readTree(dir), dir);
      expectChainsRehashed(out);
      const snap = loadSnapshot(out);
      expect(lintSnapshot(snap, buildCluster(snap.k8sDocs)).findings).toEqual([]);
    });
  }

  test('the same salt gives the same files; another salt other pseudonyms', () => {
    const files = Object.entries(buildSnapshot(services())).map(([path, text]) => ({ path, text }));
    const a = redactSnapshot(files, { salt: 'one' });
    expect(redactSnapshot(files, { salt: 'one' }).files).toEqual(a.files);
    expect(redactSnapshot(files, { salt: 'two' }).mapping.names.demo).not.toBe(a.mapping.names.demo);
  });
});

describe('bundled fixtures', () => {
  const root = 'fixtures/snapshots';
  const fixtures = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'k8s'))).sort() : [];
  test.skipIf(fixtures.length === 0)('there are fixtures to redact', () => expect(fixtures.length).toBeGreaterThan(0));
  for (const name of fixtures) {
    test(`${name}: the redacted copy traces the expected.json queries to the same outcomes, and holds no original name or address`, () => {
      const dir = join(root, name);
      const { result, out } = redactDir(dir);
      expectSameOutcomes(dir, out, result, fixtureQueries(dir));
      expectNoOriginals(result, readTree(dir), dir);
      expectChainsRehashed(out);
    });
  }
});
