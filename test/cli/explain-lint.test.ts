import { describe, expect, test } from 'vitest';
import { sepChainName, svcChainName } from '../../src/kube/index.js';
import { buildSnapshot, services, writeSnapshot } from '../lint/build-snapshot.js';
import { runKpath } from './run-in-process.js';

const WEB_SVC = svcChainName('demo/web:http', 'tcp');
const WEB_SEP = sepChainName('demo/web:http', 'tcp', '10.244.2.7:8080');

describe('kpath explain', () => {
  const dir = writeSnapshot(buildSnapshot(services()));

  test('a SEP chain: endpoint, Service port, the hash input, its rules on each node and who jumps to it', async () => {
    const r = await runKpath('explain', WEB_SEP, '--snapshot', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = r.out.replaceAll(dir, 'SNAP');
    expect(out).toContain(`${WEB_SEP}\n  endpoint chain (hairpin masquerade + DNAT to one endpoint)\n  Service port demo/web:http (port 80/tcp)\n  endpoint 10.244.2.7:8080 (pod demo/web-2-7 on node-b)\n`);
    expect(out).toContain('identified by hash: sha256("demo/web:httptcp10.244.2.7:8080")');
    expect(out).toMatch(new RegExp(`^node-a {2}nat ${WEB_SEP} {2}SNAP/nodes/node-a/iptables-save\\.txt:\\d+$`, 'm'));
    expect(out).toMatch(/^ {4}#1 {3}-A KUBE-SEP-\w+ -s 10\.244\.2\.7\/32 .*-j KUBE-MARK-MASQ {2}:\d+$/m);
    expect(out).toMatch(/^ {4}#2 {3}-A KUBE-SEP-\w+ -p tcp .*DNAT --to-destination 10\.244\.2\.7:8080 /m);
    expect(out).toMatch(new RegExp(`^ {4}nat ${WEB_SVC} #\\d+ {2}SNAP/nodes/node-b/`, 'm'));
  });

  test('--node limits the rules; a unique prefix is accepted; -o json', async () => {
    const r = await runKpath('explain', WEB_SVC.slice(0, 14), '--snapshot', dir, '--node', 'node-b', '-o', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { chain: string; expandedFrom: string; identity: { hashInput: string }; nodes: { node: string }[] };
    expect(j).toMatchObject({ chain: WEB_SVC, expandedFrom: WEB_SVC.slice(0, 14), identity: { hashInput: 'demo/web:httptcp' } });
    expect(j.nodes.map((n) => n.node)).toEqual(['node-b']);
  });

  test('a fixed kube-proxy chain is described', async () => {
    const r = await runKpath('explain', 'KUBE-MARK-MASQ', '--snapshot', dir, '--node', 'node-a');
    expect(r.code).toBe(0);
    expect(r.out).toContain('sets the masquerade mark');
  });

  test('a name found nowhere exits 2', async () => {
    const r = await runKpath('explain', 'KUBE-SVC-AAAAAAAAAAAAAAAA', '--snapshot', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^kpath: E_CHAIN_UNKNOWN: chain KUBE-SVC-AAAAAAAAAAAAAAAA is not in any dump/);
  });

  test('an unknown node exits 2', async () => {
    const r = await runKpath('explain', WEB_SVC, '--snapshot', dir, '--node', 'node-z');
    expect(r.code).toBe(2);
    expect(r.err).toContain('E_NODE_UNKNOWN');
  });
});

describe('kpath lint: exit codes', () => {
  test('0 without findings', async () => {
    const r = await runKpath('lint', '--snapshot', writeSnapshot(buildSnapshot(services())));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^no findings; checked 4 Service ports/m);
  });

  test('1 with findings; -o json carries them', async () => {
    const now = services().map((s) => (s.name === 'web' ? { ...s, endpoints: s.endpoints.slice(0, 1) } : s));
    const r = await runKpath('lint', '--snapshot', writeSnapshot(buildSnapshot(now, { programmed: { 'node-a': services() } })), '-o', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { schema: string; findings: { code: string; node: string }[] };
    expect(j.schema).toBe('kpath/lint/v1');
    expect(j.findings.map((f) => `${f.code} ${f.node}`)).toEqual(['stale-endpoint-rules node-a']);
  });

  test('2 for a dump kpath cannot read, naming file:line:col', async () => {
    const files = buildSnapshot(services());
    const dir = writeSnapshot({ ...files, 'nodes/node-a/iptables-save.txt': '*nat\n-A KUBE-SERVICES -j\nCOMMIT\n' });
    const r = await runKpath('lint', '--snapshot', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^kpath: ${dir}/nodes/node-a/iptables-save\\.txt:2:\\d+: E_IPT_`));
  });

  test('2 for a missing snapshot', async () => {
    const r = await runKpath('lint', '--snapshot', '/nonexistent/kpath');
    expect(r.code).toBe(2);
    expect(r.err).toContain('E_SNAPSHOT_MISSING');
  });
});
