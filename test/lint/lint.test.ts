import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildCluster } from '../../src/k8s/parse.js';
import type { ServiceSpec } from '../../src/kube/index.js';
import { lintSnapshot, renderLintText, type LintReport } from '../../src/lint/index.js';
import { plainStyle } from '../../src/render/style.js';
import { loadSnapshot } from '../../src/snapshot/load.js';
import { nlbFiles, WEB_EXTRA } from './aws-files.js';
import { buildSnapshot, services, writeSnapshot } from './build-snapshot.js';

function lint(files: Record<string, string>): { report: LintReport; dir: string } {
  const dir = writeSnapshot(files);
  const snap = loadSnapshot(dir);
  return { report: lintSnapshot(snap, buildCluster(snap.k8sDocs)), dir };
}

/** The findings as `severity code node` lines (and the report text on failure, so it explains itself). */
function codes(r: LintReport): string[] {
  return r.findings.map((f) => `${f.severity} ${f.code}${f.node ? ` ${f.node}` : ''}`);
}

/** The line of `file` that `where` ("path:line") points at. */
function lineAt(where: string): string {
  const m = /^(.*):(\d+)$/.exec(where)!;
  return readFileSync(m[1]!, 'utf8').split('\n')[Number(m[2]) - 1]!;
}

function withWeb(change: (s: ServiceSpec) => ServiceSpec): ServiceSpec[] {
  return services().map((s) => (s.name === 'web' ? change(s) : s));
}

describe('a snapshot programmed from its own objects has no findings', () => {
  test.each(['iptables', 'ipvs'] as const)('%s mode', (mode) => {
    const { report } = lint(buildSnapshot(services(), { mode }));
    expect(report.findings, renderLintText(report, plainStyle)).toEqual([]);
    expect(report.checked.nodes.map((n) => n.mode)).toEqual([mode, mode]);
  });
});

describe('iptables mode', () => {
  test('a ready endpoint node-b has not programmed: missing KUBE-SEP chain, pointing at the Service chain', () => {
    const now = withWeb((s) => ({ ...s, endpoints: [...s.endpoints, { ip: '10.244.2.8', nodeName: 'node-b' }] }));
    const { report } = lint(buildSnapshot(now, { programmed: { 'node-b': services() } }));
    expect(codes(report), renderLintText(report, plainStyle)).toEqual(['error missing-endpoint-chain node-b']);
    const f = report.findings[0]!;
    expect(f).toMatchObject({ service: 'demo/web:http', endpoint: '10.244.2.8:8080' });
    expect(f.message).toContain('pod demo/web-2-8 on node-b, ready');
    expect(lineAt(f.where)).toMatch(/^:KUBE-SVC-\w+ - \[0:0\]$/);
  });

  test('an endpoint that left the EndpointSlice but still has a SEP chain the Service chain jumps to', () => {
    const now = withWeb((s) => ({ ...s, endpoints: s.endpoints.filter((e) => e.ip !== '10.244.2.7') }));
    const { report } = lint(buildSnapshot(now, { programmed: { 'node-a': services() } }));
    expect(codes(report)).toEqual(['error stale-endpoint-rules node-a']);
    const f = report.findings[0]!;
    expect(f).toMatchObject({ endpoint: '10.244.2.7:8080', service: 'demo/web:http' });
    expect(f.message).toContain('not in the EndpointSlices of demo/web');
    expect(lineAt(f.where)).toMatch(/^:KUBE-SEP-\w+ - \[0:0\]$/);
  });

  test('rules for an endpoint that is no longer ready are a warning', () => {
    const now = withWeb((s) => ({ ...s, endpoints: s.endpoints.map((e) => (e.ip === '10.244.2.7' ? { ...e, ready: false, serving: false } : e)) }));
    const { report } = lint(buildSnapshot(now, { programmed: { 'node-a': services() } }));
    expect(codes(report)).toEqual(['warning not-ready-endpoint-rules node-a']);
  });

  test('a deleted Service whose chains remain: its Service chain and its endpoints', () => {
    const now = services().filter((s) => s.name !== 'cart');
    const { report } = lint(buildSnapshot(now, { programmed: { 'node-b': services() } }));
    expect(codes(report).sort()).toEqual(['error stale-endpoint-rules node-b', 'error stale-endpoint-rules node-b', 'error stale-service-rules node-b']);
    expect(report.findings.find((f) => f.code === 'stale-service-rules')?.service).toBe('shop/cart');
  });

  test('a SEP chain whose DNAT goes elsewhere, and one no Service chain jumps to', () => {
    const files = buildSnapshot(services());
    const ipt = files['nodes/node-a/iptables-save.txt']!;
    const broken = ipt
      .replace('--to-destination 10.244.2.7:8080', '--to-destination 10.244.2.7:8081')
      .split('\n').filter((l) => !(l.startsWith('-A KUBE-SVC-') && l.includes('shop/cart -> 10.244.1.9:9090'))).join('\n');
    const { report } = lint({ ...files, 'nodes/node-a/iptables-save.txt': broken });
    expect(codes(report).sort()).toEqual(['error missing-endpoint-dnat node-a', 'warning endpoint-not-balanced node-a']);
  });

  test('a node without kube-proxy rules is one warning, not one per endpoint', () => {
    const files = buildSnapshot(services());
    const { report } = lint({ ...files, 'nodes/node-b/iptables-save.txt': '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n' });
    expect(codes(report)).toEqual(['warning no-kube-proxy-rules node-b']);
  });

  test('missing dumps are not checked, and say so', () => {
    const files = buildSnapshot(services());
    delete files['nodes/node-b/iptables-save.txt'];
    files['nodes/node-b/ip-route.json'] = '[]\n';
    const { report } = lint(files);
    expect(report.findings).toEqual([]);
    expect(report.notChecked).toContainEqual({ what: 'node node-b', why: 'nodes/node-b/iptables-save.txt was not captured' });
  });
});

describe('IPVS mode', () => {
  test('missing and stale real servers', () => {
    const now = withWeb((s) => ({ ...s, endpoints: [{ ip: '10.244.1.5', nodeName: 'node-a' }, { ip: '10.244.2.8', nodeName: 'node-b' }] }));
    const { report } = lint(buildSnapshot(now, { mode: 'ipvs', programmed: { 'node-b': services() } }));
    // ClusterIP, LB IP and the NodePort server on node-b's address: each lacks .8 and holds .7.
    expect(codes(report).sort()).toEqual([...Array<string>(3).fill('error missing-real-server node-b'), ...Array<string>(3).fill('error stale-real-server node-b')]);
    expect(report.findings.filter((f) => f.code === 'stale-real-server').map((f) => f.endpoint)).toEqual(Array(3).fill('10.244.2.7:8080'));
    expect(lineAt(report.findings.find((f) => f.code === 'stale-real-server')!.where)).toMatch(/^-a -t \S+ -r 10\.244\.2\.7:8080 -m -w 1$/);
  });

  test('a missing ClusterIP virtual server, an unknown one, and a draining (weight 0) real server', () => {
    const files = buildSnapshot(services(), { mode: 'ipvs' });
    const ipvs = files['nodes/node-a/ipvsadm.txt']!;
    const edited = ipvs.split('\n').filter((l) => !l.includes('-t 10.96.7.20:9000')).join('\n')
      .replace('-a -t 10.96.45.10:80 -r 10.244.2.7:8080 -m -w 1', '-a -t 10.96.45.10:80 -r 10.244.2.7:8080 -m -w 1\n-a -t 10.96.45.10:80 -r 10.244.9.9:8080 -m -w 0')
      + '-A -t 10.96.99.99:80 -s rr\n-a -t 10.96.99.99:80 -r 10.244.1.5:8080 -m -w 1\n';
    const { report } = lint({ ...files, 'nodes/node-a/ipvsadm.txt': edited });
    expect(codes(report)).toEqual(['error missing-virtual-server node-a', 'warning stale-virtual-server node-a']);
    expect(report.findings[0]!.service).toBe('shop/cart');
  });
});

describe('NLB target groups', () => {
  test('ip targets: a ready pod not registered, a registered IP that is no endpoint, a draining one ignored', () => {
    const { report } = lint(buildSnapshot(services(), {
      extra: WEB_EXTRA,
      files: nlbFiles('ip', [{ id: '10.244.1.5', port: 8080 }, { id: '10.244.3.3', port: 8080 }, { id: '10.244.3.4', port: 8080, state: 'draining' }]),
    }));
    expect(codes(report)).toEqual(['error target-missing', 'error target-stale']);
    expect(report.findings.map((f) => f.endpoint)).toEqual(['10.244.2.7:8080', '10.244.3.3:8080']);
    expect(report.findings[1]!.where).toMatch(/target-health\/k8s-demo-web-9a8b7c6d5e\.json \$\.TargetHealthDescriptions\[1\]$/);
    expect(report.checked.targetGroups).toBe(1);
  });

  test('ip targets that match the ready endpoints: no findings', () => {
    const { report } = lint(buildSnapshot(services(), { extra: WEB_EXTRA, files: nlbFiles('ip', [{ id: '10.244.1.5', port: 8080 }, { id: '10.244.2.7', port: 8080 }]) }));
    expect(report.findings).toEqual([]);
  });

  test('instance targets: a node missing, an instance that is no Node, a wrong port', () => {
    const { report } = lint(buildSnapshot(services(), {
      extra: WEB_EXTRA,
      files: nlbFiles('instance', [{ id: 'i-0aaa1111aaaa1111a', port: 31081 }, { id: 'i-0dead000dead0000d', port: 31080 }]),
    }));
    expect(codes(report).sort()).toEqual(['error target-port-mismatch node-a', 'error target-stale', 'warning target-missing node-b']);
  });

  test('target health not captured: not checked', () => {
    const files = buildSnapshot(services(), { extra: WEB_EXTRA, files: nlbFiles('ip', []) });
    delete files['aws/target-health/k8s-demo-web-9a8b7c6d5e.json'];
    const { report } = lint(files);
    expect(report.findings).toEqual([]);
    expect(report.notChecked.map((n) => n.why)).toContain('aws/target-health/k8s-demo-web-9a8b7c6d5e.json was not captured');
  });
});

test('the text report lists severity, code, node, where and message, then a summary', () => {
  const now = withWeb((s) => ({ ...s, endpoints: [...s.endpoints, { ip: '10.244.2.8', nodeName: 'node-b' }] }));
  const { report, dir } = lint(buildSnapshot(now, { programmed: { 'node-b': services() } }));
  const text = renderLintText(report, plainStyle).replaceAll(dir, 'SNAP');
  expect(text).toMatch(/^error {3}missing-endpoint-chain {2}node-b {2}SNAP\/nodes\/node-b\/iptables-save\.txt:\d+\n {8}demo\/web:http endpoint 10\.244\.2\.8:8080 /m);
  expect(text.trimEnd().split('\n').at(-1)).toBe('1 finding (1 error, 0 warnings); checked 4 Service ports on nodes node-a (iptables), node-b (iptables), 0 target groups.');
});

describe('kube-proxy generation from Node status.nodeInfo.kubeProxyVersion', () => {
  // eTP=Local on a node without local endpoints: IPVS falls back to every endpoint since PR #97081,
  // 1.19 leaves the LB virtual server empty (kube-proxy.md §3.4).
  const local = services().map((s) => (s.name === 'web' ? { ...s, externalTrafficPolicy: 'Local' as const, healthCheckNodePort: 32000, endpoints: s.endpoints.slice(0, 1) } : s));
  const withVersion = (files: Record<string, string>, v: string): Record<string, string> => {
    const list = JSON.parse(files['k8s/cluster.json']!) as { items: { kind: string; status: Record<string, unknown> }[] };
    for (const o of list.items) if (o.kind === 'Node') o.status.nodeInfo = { kubeProxyVersion: v };
    return { ...files, 'k8s/cluster.json': JSON.stringify(list) };
  };

  test('a 1.28 node with no local endpoint is expected to fall back to all endpoints', () => {
    const files = buildSnapshot(local, { mode: 'ipvs' });
    const { report } = lint(withVersion(files, 'v1.28.15'));
    expect(report.findings).toEqual([]);
    expect(report.assumptions).toEqual([]);
  });

  test('the same dump read as 1.19 is drift: 1.19 programs no real server there', () => {
    const { report } = lint(withVersion(buildSnapshot(local, { mode: 'ipvs' }), 'v1.19.7'));
    expect(new Set(codes(report))).toEqual(new Set(['warning unexpected-endpoint-rules node-b']));
  });

  test('without a version, 1.28 is assumed and said', () => {
    const { report } = lint(buildSnapshot(services()));
    expect(report.assumptions).toEqual(['node-a: kube-proxy version unknown (no Node status.nodeInfo.kubeProxyVersion): 1.28 behaviour assumed', 'node-b: kube-proxy version unknown (no Node status.nodeInfo.kubeProxyVersion): 1.28 behaviour assumed']);
  });
});

describe('bundled fixtures lint clean', () => {
  const root = 'fixtures/snapshots';
  const fixtures = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'k8s'))).sort() : [];
  for (const name of fixtures) {
    test(name, () => {
      const snap = loadSnapshot(join(root, name));
      const report = lintSnapshot(snap, buildCluster(snap.k8sDocs));
      expect(report.findings, renderLintText(report, plainStyle)).toEqual([]);
    });
  }
});
