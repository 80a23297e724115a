import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildSnapshot, services, writeSnapshot } from '../lint/build-snapshot.js';
import { runKpath } from './run-in-process.js';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'kpath-out-')), 'out');

describe('kpath redact', () => {
  test('writes the redacted snapshot, not README.md; the mapping goes elsewhere, private', async () => {
    const dir = writeSnapshot({ ...buildSnapshot(services()), 'README.md': 'demo/web\n' });
    const out = fresh();
    const mapping = join(mkdtempSync(join(tmpdir(), 'kpath-map-')), 'mapping.json');
    const r = await runKpath('redact', dir, '--out', out, '--salt', 's', '--mapping', mapping);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('not copied: README.md (not a snapshot file)');
    expect(existsSync(join(out, 'README.md'))).toBe(false);
    expect(existsSync(join(out, 'k8s', 'cluster.json'))).toBe(true);
    const m = JSON.parse(readFileSync(mapping, 'utf8')) as { schema: string; names: Record<string, string>; files: Record<string, string> };
    expect(m.schema).toBe('kpath/redact-mapping/v1');
    expect(existsSync(join(out, ...m.files['nodes/node-a/iptables-save.txt']!.split('/')))).toBe(true);
    expect(readFileSync(join(out, 'k8s', 'cluster.json'), 'utf8')).toContain(`"namespace": "${m.names.demo}"`);
    expect(statSync(mapping).mode & 0o077).toBe(0);
  });

  test('without --salt a random one is used, and said', async () => {
    const r = await runKpath('redact', writeSnapshot(buildSnapshot(services())), '--out', fresh());
    expect(r.code).toBe(0);
    expect(r.out).toContain('salt: random');
  });

  test('an original name left where names are kept by design (an interface named like a namespace): exit 1, listed', async () => {
    const files = buildSnapshot(services());
    const ipt = files['nodes/node-a/iptables-save.txt']!.replace('-A FORWARD ', '-A FORWARD -i demo -j ACCEPT\n-A FORWARD ');
    const out = fresh();
    const r = await runKpath('redact', writeSnapshot({ ...files, 'nodes/node-a/iptables-save.txt': ipt }), '--out', out, '--salt', 's');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kpath: 1 original value still found in the redacted files:\n {2}.*\/iptables-save\.txt:\d+: name demo$/m);
  });

  test.each([
    { name: '--out inside the snapshot', args: (dir: string) => ['--out', join(dir, 'red')], code: 'E_USAGE' },
    { name: '--mapping inside --out', args: (_dir: string, out = fresh()) => ['--out', out, '--mapping', join(out, 'm.json')], code: 'E_USAGE' },
    { name: 'no --out', args: () => [], code: 'E_USAGE' },
  ])('$name: exit 2', async ({ args, code }) => {
    const dir = writeSnapshot(buildSnapshot(services()));
    const r = await runKpath('redact', dir, ...args(dir));
    expect(r.code).toBe(2);
    expect(r.err).toContain(code);
  });

  test('a non-empty --out and a missing snapshot: exit 2', async () => {
    const dir = writeSnapshot(buildSnapshot(services()));
    expect((await runKpath('redact', dir, '--out', dir.replace(/[^/]+$/, ''))).code).toBe(2);
    const r = await runKpath('redact', '/nonexistent/kpath', '--out', fresh());
    expect(r.code).toBe(2);
    expect(r.err).toContain('E_SNAPSHOT_MISSING');
  });

  test('an unreadable dump: exit 2 naming file:line:col, nothing written', async () => {
    const out = fresh();
    const dir = writeSnapshot({ ...buildSnapshot(services()), 'nodes/node-a/iptables-save.txt': '*nat\n-A KUBE-SERVICES -j\nCOMMIT\n' });
    const r = await runKpath('redact', dir, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/iptables-save\.txt:2:\d+: E_IPT_/);
    expect(existsSync(out)).toBe(false);
  });
});
