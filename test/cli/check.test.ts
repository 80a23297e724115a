import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixturesWithExpectations, kpath } from './run-kpath.js';

const IP_TRAEFIK = 'fixtures/snapshots/eks-nlb-ip-traefik';

/**
 * Fixtures whose documented facts kpath gets wrong, with the bug; their check stays visible as
 * test.fails until kpath is fixed. None at the moment.
 */
const KNOWN_BUGS: Readonly<Record<string, string>> = {};

describe('kpath check (CLI)', () => {
  const fixtures = fixturesWithExpectations();

  test('every bundled snapshot has an expectations file', () => {
    const all = readdirSync('fixtures/snapshots', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(fixtures).toEqual(all);
  });

  for (const name of fixtures) {
    const bug = KNOWN_BUGS[name];
    const t = bug ? test.fails : test;
    t(`${name}: every documented fact holds, exit 0${bug ? ` (kpath bug: ${bug})` : ''}`, () => {
      const dir = `fixtures/snapshots/${name}`;
      const r = kpath('check', '--snapshot', dir, '--expect', `${dir}/kpath-expect.yaml`);
      expect(r.err).toBe('');
      expect(r.out).not.toMatch(/^FAIL/m);
      expect(r.out).toMatch(/^(\d+) expectations?: \1 passed, 0 failed\.$/m);
      expect(r.code).toBe(0);
    });
  }

  test('deliberately failing expectations: exit 1, each FAIL says what was found and why', async () => {
    const r = kpath('check', '--snapshot', IP_TRAEFIK, '--expect', 'fixtures/expect/fails-eks-nlb-ip-traefik.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PASS {2}reachable on web {2}fixtures\/expect\/fails-eks-nlb-ip-traefik\.yaml:4:3$/m);
    expect(r.out).toMatch(/^FAIL {2}wants the client IP preserved {2}fixtures\/expect\/fails-eks-nlb-ip-traefik\.yaml:9:3$/m);
    expect(r.out).toContain('✗ clientIp: want preserved; got lost: endpoints never see 198.51.100.20: they see 10.0.101.87, 10.0.102.142');
    expect(r.out).toMatch(/· target group k8s-ingress-traefik-\w+ preserve_client_ip\.enabled=false/);
    expect(r.out).toMatch(/fix: set the target group attribute preserve_client_ip\.enabled=true/);
    expect(r.out).toContain('✗ sources: want every endpoint sees a source within 198.51.100.20; got endpoints also see 10.0.101.87 50%, 10.0.102.142 50%');
    expect(r.out).toContain('✗ endpoints: want every delivered path ends at a pod with app=backend, ≥ 50% of all traffic');
    expect(r.out).toMatch(/^4 expectations: 1 passed, 3 failed\.$/m);
    await expect(r.out).toMatchFileSnapshot('../golden/cli/check-fails.txt');
  });

  test('--junit writes one testsuite with a testcase per expectation and the failures', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kpath-junit-')), 'report.xml');
    const r = kpath('check', '--snapshot', IP_TRAEFIK, '--expect', 'fixtures/expect/fails-eks-nlb-ip-traefik.yaml', '--junit', file);
    expect(r.code).toBe(1);
    const xml = readFileSync(file, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toMatch(/<testsuite name="kpath check fixtures\/expect\/fails-eks-nlb-ip-traefik\.yaml" tests="4" failures="3" errors="0" skipped="0">/);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure /g)).toHaveLength(3);
    expect(xml).toContain('<testcase classname="fixtures/expect/fails-eks-nlb-ip-traefik.yaml" name="reachable on web"/>');
    expect(xml).toContain('<failure message="clientIp: want preserved; got lost: endpoints never see 198.51.100.20: they see 10.0.101.87, 10.0.102.142" type="clientIp">');
    expect(xml).toContain('≥ 50% of all traffic');
    await expect(xml).toMatchFileSnapshot('../golden/cli/check-fails.junit.xml');
  });

  test('--junit also for a passing run', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kpath-junit-')), 'report.xml');
    const r = kpath('check', '--snapshot', IP_TRAEFIK, '--expect', `${IP_TRAEFIK}/kpath-expect.yaml`, '--junit', file);
    expect(r.code).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/tests="3" failures="0"/);
    expect(xml).not.toContain('<failure');
  });

  const bad = [
    { name: 'bad-unknown-key', code: 'E_EXPECT_KEY', line: 4, column: 5 },
    { name: 'bad-wrong-type', code: 'E_EXPECT_TYPE', line: 3, column: 14 },
    { name: 'bad-share-percent', code: 'E_EXPECT_TYPE', line: 4, column: 13 },
    { name: 'bad-selector', code: 'E_EXPECT_VALUE', line: 4, column: 46 },
    { name: 'bad-yaml', code: 'E_YAML_BAD', line: 4, column: 3 },
    { name: 'bad-unknown-service', code: 'E_SVC_UNKNOWN', line: 1, column: 8 },
    { name: 'bad-unknown-pod', code: 'E_POD_UNKNOWN', line: 3, column: 56 },
  ];
  test.each(bad)('$name.yaml: exit 2, $code at $line:$column, with the frame', async ({ name, code, line, column }) => {
    const path = `fixtures/expect/${name}.yaml`;
    const r = kpath('check', '--snapshot', IP_TRAEFIK, '--expect', path);
    expect(r.out).toBe('');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(new RegExp(`^kpath: ${path.replace(/[./]/g, '\\$&')}:${line}:${column}: ${code}: `));
    expect(r.err).toMatch(/\n {2}\d+ \| .*\n {2} *\| *\^+/);
    await expect(r.err).toMatchFileSnapshot(`../golden/expect/${name}.txt`);
  });

  test('every fixtures/expect/bad-*.yaml is in the table above', () => {
    const files = readdirSync('fixtures/expect').filter((f) => /^bad-.*\.yaml$/.test(f)).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).toEqual(bad.map((b) => b.name).sort());
  });

  test('usage errors exit 2: no --expect, a missing file, an unwritable --junit', () => {
    const noExpect = kpath('check', '--snapshot', IP_TRAEFIK);
    expect(noExpect.code).toBe(2);
    expect(noExpect.err).toMatch(/--expect <file>/);
    const missing = kpath('check', '--snapshot', IP_TRAEFIK, '--expect', 'fixtures/expect/nope.yaml');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/E_EXPECT_MISSING: expectations file fixtures\/expect\/nope\.yaml does not exist/);
    const junit = kpath('check', '--snapshot', IP_TRAEFIK, '--expect', `${IP_TRAEFIK}/kpath-expect.yaml`, '--junit', 'fixtures/expect/no-such-dir/r.xml');
    expect(junit.code).toBe(2);
    expect(junit.err).toMatch(/E_JUNIT_WRITE: cannot write fixtures\/expect\/no-such-dir\/r\.xml/);
    const snap = kpath('check', '--snapshot', 'fixtures/snapshots/nope', '--expect', `${IP_TRAEFIK}/kpath-expect.yaml`);
    expect(snap.code).toBe(2);
    expect(snap.err).toMatch(/E_SNAPSHOT_MISSING/);
  });

  test('--help documents the schema and the exit codes', () => {
    const h = kpath('check', '--help');
    expect(h.code).toBe(0);
    for (const key of ['svc:', 'port:', 'from:', 'client:', 'reachable:', 'clientIp:', 'preservedShare:', 'endpoints:', 'minShare:', 'sources:', 'Exit codes:']) expect(h.out).toContain(key);
  });
});
