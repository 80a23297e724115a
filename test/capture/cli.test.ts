// `kpath gather` and gatherForTrace through commander, as src/cli/index.ts wires them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { gatherForTrace, registerGather } from '../../src/cli/gather.js';
import type { CliIo } from '../../src/cli/options.js';
import { KpathError } from '../../src/errors.js';
import { buildCluster } from '../../src/k8s/parse.js';
import { traceService } from '../../src/path/service-trace.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { awsEnv, FIXTURES, setEnv, startLab, type Lab } from './fixture.js';

const FIXTURE = join(FIXTURES, 'eks-nlb-ip-traefik');

function testIo(isTTY = false): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), env: {}, isTTY, stdout, stderr };
}

async function kpath(io: CliIo, args: string[]): Promise<void> {
  const program = new Command('kpath').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerGather(program, io);
  await program.parseAsync(args, { from: 'user' });
}

let lab: Lab;
let undo: () => void;
beforeAll(async () => {
  lab = await startLab(FIXTURE, { execLatencyMs: 5 });
  undo = setEnv(awsEnv(lab.aws.url));
});
afterAll(async () => { undo(); await lab.close(); });

test('kpath gather --save DIR --svc … writes the snapshot, prints DIR on stdout and the gaps on stderr', async () => {
  const io = testIo();
  const dir = join(lab.scratch, 'cli-save');
  await kpath(io, ['gather', '--save', dir, '--svc', 'ingress/traefik', '--kubeconfig', lab.kubeconfig, '--concurrency', '2', '--timeout', '5']);
  expect(io.stdout.join('')).toBe(`${dir}\n`);
  expect(io.stderr).toContain(`kpath: gap: nodes/ip-10-0-1-25.us-west-2.compute.internal/ipset-save.txt: ipset: not in the image (kube-proxy pod kube-proxy-6wz9d)\n`);
  expect(io.stderr.at(-1)).toBe(`kpath: wrote ${dir} (2 gap(s))\n`);
  const meta = JSON.parse(readFileSync(join(dir, 'kpath-snapshot.json'), 'utf8')) as { tool: string; capturedAt: string };
  expect(meta.tool).toMatch(/^kpath \d+\.\d+\.\d+/);
  expect(meta.capturedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('progress per phase on a terminal, none with --quiet', async () => {
  const tty = testIo(true);
  await kpath(tty, ['gather', '--save', join(lab.scratch, 'cli-tty'), '--svc', 'traefik', '--kubeconfig', lab.kubeconfig]);
  const lines = tty.stderr.filter((l) => !l.startsWith('kpath: gap:'));
  expect(lines[0]).toBe('kpath: gather: kubernetes (fake-ctx) …\n');
  expect(lines.some((l) => /^kpath: gather: aws done: 1 load balancer\(s\), 0 gap\(s\) \(\d+\.\d s\)\n$/.test(l))).toBe(true);
  expect(lines.some((l) => /^kpath: gather: nodes \(2 via kube-proxy\) done: 2 node\(s\), 0 complete, 2 gap\(s\)/.test(l))).toBe(true);
  const quiet = testIo(true);
  await kpath(quiet, ['gather', '--save', join(lab.scratch, 'cli-quiet'), '--svc', 'traefik', '--kubeconfig', lab.kubeconfig, '--quiet']);
  expect(quiet.stderr.filter((l) => !l.startsWith('kpath: gap:'))).toEqual([]);
});

test.each([
  [['gather', '--svc', 'ingress/traefik'], /needs --save DIR/],
  [['gather', '--save', '/tmp/x'], /say what to gather/],
  [['gather', '--save', '/tmp/x', '--all', '--svc', 'a/b'], /cannot be combined/],
])('kpath %j is a usage error', async (args, msg) => {
  const err = await kpath(testIo(), args).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(KpathError);
  expect((err as KpathError).code).toBe('E_USAGE');
  expect((err as KpathError).message).toMatch(msg);
});

test('--node-access wants kube-proxy or debug-pod', async () => {
  const err = await kpath(testIo(), ['gather', '--save', '/tmp/x', '--all', '--node-access', 'ssh']).catch((e: unknown) => e);
  expect((err as { code?: string }).code).toBe('commander.invalidArgument');
});

test('gatherForTrace gathers into a temporary snapshot that traces like the fixture and is removed by cleanup', async () => {
  const io = testIo();
  const q = { svc: 'ingress/traefik', port: 'web', from: 'internet', client: '198.51.100.20' };
  const g = await gatherForTrace({ svc: q.svc, from: q.from, kubeconfig: lab.kubeconfig, quiet: true, timeoutMs: 5000 }, io);
  const snap = loadSnapshot(g.dir);
  const got = traceService(snap, buildCluster(snap.k8sDocs), q);
  const fx = loadSnapshot(FIXTURE);
  const want = traceService(fx, buildCluster(fx.k8sDocs), q);
  expect(got.verdict).toEqual(want.verdict);
  expect(got.paths.map((p) => [p.probability, p.endpoint, p.sourceSeenByEndpoint])).toEqual(want.paths.map((p) => [p.probability, p.endpoint, p.sourceSeenByEndpoint]));
  expect(io.stdout).toEqual([]);
  g.cleanup();
  expect(existsSync(g.dir)).toBe(false);
});

test('gatherForTrace with save keeps the snapshot', async () => {
  const dir = join(lab.scratch, 'kept');
  const g = await gatherForTrace({ svc: 'ingress/traefik', from: 'internet', kubeconfig: lab.kubeconfig, save: dir, quiet: true }, testIo());
  g.cleanup();
  expect(g.dir).toBe(dir);
  expect(existsSync(join(dir, 'kpath-snapshot.json'))).toBe(true);
});

test('gatherForTrace removes its temporary directory when the gather fails', async () => {
  const temps = () => readdirSync(tmpdir()).filter((f) => f.startsWith('kpath-snapshot-')).sort();
  const before = temps();
  const err = await gatherForTrace({ svc: 'ingress/nope', from: 'internet', kubeconfig: lab.kubeconfig, quiet: true }, testIo()).catch((e: unknown) => e);
  expect((err as KpathError).code).toBe('E_SVC_UNKNOWN');
  expect(temps()).toEqual(before);
});

test('Ctrl-C during a debug-pod gather deletes the live debug pods and exits 130', async () => {
  const slow = await startLab(FIXTURE, { execLatencyMs: 1500 });
  const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  try {
    const io = testIo();
    const running = gatherForTrace({ svc: 'ingress/traefik', from: 'internet', kubeconfig: slow.kubeconfig, nodeAccess: 'debug-pod', quiet: true, timeoutMs: 10_000 }, io);
    await vi.waitFor(() => expect(slow.kube.execs.length).toBeGreaterThan(0), { timeout: 5000 });
    expect(slow.kube.createdPods()).toHaveLength(2);
    process.emit('SIGINT');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(130), { timeout: 5000 });
    expect(slow.kube.createdPods()).toEqual([]);
    expect(io.stderr[0]).toBe('\nkpath: interrupted: deleting 2 debug pod(s)\n');
    (await running).cleanup();
  } finally {
    exit.mockRestore();
    await slow.close();
  }
});
