// The CLI as people and scripts use it: bin/kpath.js on bundled snapshots, asserting stdout,
// stderr and the exit code together. Needs `npm run build` (npm test does it first).
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

function kpath(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/kpath.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const DEMO = ['trace', '--snapshot', 'fixtures/snapshots/eks-nlb-ip-traefik', '--svc', 'ingress/traefik', '--from', 'internet'];

describe('kpath trace (CLI)', () => {
  test("README's demo command: the NLB ip-target verdict, exit 0", async () => {
    const r = kpath(...DEMO);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Client IP: LOST/m);
    expect(r.out).toMatch(/preserve_client_ip\.enabled=false/);
    await expect(r.out).toMatchFileSnapshot('../golden/cli/demo.txt');
  });

  test('-o json follows the trace JSON v1 contract', () => {
    const r = kpath(...DEMO, '-o', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { schema: string; verdict: { clientIp: string; preservedShare: number }; paths: { probability: number; endpoint: unknown; sourceSeenByEndpoint: unknown; hops: unknown[] }[] };
    expect(j.schema).toBe('kpath/trace/v1');
    expect(j.verdict.clientIp).toBe('lost');
    expect(j.paths.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 9);
    for (const p of j.paths) expect(p).toHaveProperty('endpoint');
  });

  test('node level: one packet on one node, entering on the interface the node routes the source to', () => {
    const r = kpath('trace', '--snapshot', 'fixtures/snapshots/metallb-calico-cluster', '--node', 'k8s-node-1', '--src', '198.51.100.20', '--dst', '192.168.20.10', '--dport', '80', '-o', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { query: { entry: string }; paths: { probability: number; disposition: string }[] };
    expect(j.query.entry).toBe('eth0');
    expect(j.paths.every((p) => p.disposition === 'delivered')).toBe(true);
  });

  test('a missing snapshot: exit 2 with the error code and a hint on stderr', () => {
    const r = kpath('trace', '--snapshot', 'fixtures/snapshots/nope', '--svc', 'x', '--from', 'internet');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/E_SNAPSHOT_MISSING/);
    expect(r.err).toMatch(/hint:/);
  });

  test('an unknown Service: exit 2 and suggestions', () => {
    const r = kpath('trace', '--snapshot', 'fixtures/snapshots/eks-nlb-ip-traefik', '--svc', 'traefk', '--from', 'internet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E_SVC_UNKNOWN: Service traefk is not in the snapshot/);
    // Found by reading every Service again after the focused read missed it.
    expect(r.err).toMatch(/hint: .*ingress\/traefik/);
  });

  test('a dump kpath cannot read: file:line:col, the code, the frame', () => {
    const r = kpath('trace', '--snapshot', 'test/cli/broken-snapshot', '--node', 'node-a', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--dport', '80');
    expect(r.code).toBe(2);
    expect(r.err).toContain('test/cli/broken-snapshot/nodes/node-a/iptables-save.txt:4:57: E_IPT_BAD_VALUE');
    expect(r.err).toMatch(/\^{14}/);
  });

  test('bad usage exits 2; --help teaches and lists the exit codes', () => {
    expect(kpath('trace', '--snapshot', 'fixtures/snapshots/eks-nlb-ip-traefik').code).toBe(2);
    expect(kpath('trace', '--dport', 'eighty').code).toBe(2);
    const h = kpath('trace', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/Exit codes:/);
    expect(h.out).toMatch(/--from <where>/);
  });
});
