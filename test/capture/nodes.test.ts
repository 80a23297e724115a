// Node dumps through pods/exec (client-node's Exec over WebSocket) against the fake API server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { debugPodSpec } from '../../src/capture/index.js';
import { NODE_TOOLS, toolsFor } from '../../src/capture/node-dumps.js';
import { awsEnv, FIXTURES, k8sObjects, setEnv, startLab, type Lab } from './fixture.js';

type Obj = Record<string, unknown>;
const FIXTURE = join(FIXTURES, 'eks-nlb-ip-traefik');
const N1 = 'ip-10-0-1-25.us-west-2.compute.internal';
const N2 = 'ip-10-0-2-138.us-west-2.compute.internal';
const N3 = 'ip-10-0-3-74.us-west-2.compute.internal';
const TRAEFIK = { services: ['ingress/traefik'], all: false, from: 'internet' };

let lab: Lab | undefined;
let undo: (() => void) | undefined;
afterEach(async () => { undo?.(); await lab?.close(); lab = undefined; });

async function start(...args: Parameters<typeof startLab>): Promise<Lab> {
  lab = await startLab(...args);
  undo = setEnv(awsEnv(lab.aws.url));
  return lab;
}

test('dumps each node that matters through its kube-proxy pod; a tool missing from the image is a gap', async () => {
  const l = await start(FIXTURE);
  const r = await l.gather({ scope: TRAEFIK });
  // ip targets and endpoints are on N1 and N2; N3 carries no traffic of ingress/traefik.
  expect(r.nodes).toEqual([N1, N2]);
  for (const n of [N1, N2]) {
    for (const f of ['iptables-save.txt', 'ip-addr.json', 'ip-route.json']) {
      expect(readFileSync(join(r.dir, 'nodes', n, f), 'utf8'), `${n}/${f}`).toBe(readFileSync(join(FIXTURE, 'nodes', n, f), 'utf8'));
    }
  }
  expect(r.gaps).toContainEqual({ what: `nodes/${N1}/ipset-save.txt`, why: 'ipset: not in the image (kube-proxy pod kube-proxy-6wz9d)' });
  expect(l.kube.requests.filter((q) => q.includes('/exec?')).every((q) => q.includes('&container=kube-proxy'))).toBe(true);
  expect(l.kube.execs.find((e) => e.command[0] === 'ip' && e.command[2] === 'route')?.command).toEqual(['ip', '-j', 'route', 'show', 'table', 'all']);
  // The ConfigMap says mode "iptables": ipvsadm-save and nft would dump state kube-proxy does not use.
  expect([...new Set(l.kube.execs.map((e) => e.command.join(' ')))].sort()).toEqual(['ip -j addr show', 'ip -j route show table all', 'ipset save', 'iptables-save']);
});

test('a node that never answers times out into gaps; the other node is dumped', async () => {
  const l = await start(FIXTURE, { silentNodes: [N2] });
  const t0 = Date.now();
  const r = await l.gather({ scope: TRAEFIK, timeoutMs: 1500 });
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(r.gaps.filter((g) => g.what.startsWith(`nodes/${N2}/`))).toHaveLength(4);
  expect(r.gaps).toContainEqual({ what: `nodes/${N2}/iptables-save.txt`, why: 'timed out after 1.5 s (node not answering)' });
  expect(readFileSync(join(r.dir, 'nodes', N1, 'iptables-save.txt'), 'utf8')).toContain('KUBE-SERVICES');
  expect(JSON.parse(readFileSync(join(r.dir, 'kpath-snapshot.json'), 'utf8')).gaps).toEqual(r.gaps);
});

test('a refused exec (403) is a gap per file, not an exception', async () => {
  const l = await start(FIXTURE, { execForbiddenNodes: [N1] });
  const r = await l.gather({ scope: TRAEFIK });
  expect(r.gaps).toContainEqual({ what: `nodes/${N1}/iptables-save.txt`, why: 'exec denied (403): the user may not create pods/exec' });
  expect(readFileSync(join(r.dir, 'nodes', N2, 'iptables-save.txt'), 'utf8')).toContain('KUBE-SERVICES');
});

test('a node without a kube-proxy pod is one gap that suggests debug-pod', async () => {
  const objects = k8sObjects(FIXTURE).filter((o) => !(o.kind === 'Pod' && (o.metadata as Obj).name === 'kube-proxy-hl2kp'));
  const l = await start(FIXTURE, { objects });
  const r = await l.gather({ scope: TRAEFIK });
  expect(r.gaps).toContainEqual({ what: `nodes/${N2}/`, why: expect.stringMatching(/no kube-proxy pod on this node.*--node-access debug-pod/) });
});

test('instance targets: every registered node matters (from DescribeTargetHealth)', async () => {
  const fx = join(FIXTURES, 'eks-nlb-instance-cluster');
  const l = await start(fx);
  const r = await l.gather({ scope: { services: ['web/echo'], all: false, from: 'internet' } });
  expect(r.nodes).toEqual([N1, N2, N3]);
});

test('--from node: and pod: add that node; an in-cluster origin needs no load balancer nodes', async () => {
  const l = await start(FIXTURE);
  const fromPod = await l.gather({ scope: { services: ['apps/backend'], all: false, from: 'pod:ingress/traefik-7b9f5d8c46-p4n8z' } });
  expect(fromPod.nodes).toEqual([N1, N2, N3]); // backend endpoints on N1 and N3, the client pod on N2
  const fromNode = await l.gather({ scope: { services: ['ingress/traefik'], all: false, from: `node:${N3}` } });
  expect(fromNode.nodes).toEqual([N1, N2, N3]);
});

test('--node-access debug-pod creates a privileged hostNetwork pod per node and deletes it', async () => {
  const l = await start(FIXTURE);
  const seen: string[] = [];
  const r = await l.gather({ scope: TRAEFIK, nodeAccess: 'debug-pod', onDebugPod: (p, alive) => seen.push(`${alive ? '+' : '-'}${p.namespace}/${p.name}`) });
  const creates = l.kube.requests.filter((q) => q.startsWith('POST '));
  const deletes = l.kube.requests.filter((q) => q.startsWith('DELETE '));
  expect(creates).toEqual(['POST /api/v1/namespaces/kube-system/pods', 'POST /api/v1/namespaces/kube-system/pods']);
  expect(deletes).toHaveLength(2);
  expect(l.kube.createdPods()).toEqual([]);
  expect(seen.filter((s) => s.startsWith('+'))).toHaveLength(2);
  expect(seen.filter((s) => s.startsWith('-')).sort()).toEqual(seen.filter((s) => s.startsWith('+')).map((s) => `-${s.slice(1)}`).sort());
  // iptables-legacy-save held kube-proxy's chains, so it was kept; iptables-nft-save is not in the fake image.
  expect(readFileSync(join(r.dir, 'nodes', N1, 'iptables-save.txt'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'nodes', N1, 'iptables-save.txt'), 'utf8'));
  expect(l.kube.execs.every((e) => e.pod.startsWith('kube-system/kpath-debug-'))).toBe(true);
  expect(r.gaps.some((g) => g.what.endsWith('iptables-save.txt'))).toBe(false);
});

test('the debug pod: privileged, hostNetwork, on the node, tolerating every taint, no token, bounded life', () => {
  const spec = debugPodSpec(N1, 'img:1').spec!;
  expect(spec).toMatchObject({ nodeName: N1, hostNetwork: true, restartPolicy: 'Never', automountServiceAccountToken: false, activeDeadlineSeconds: 900, tolerations: [{ operator: 'Exists' }] });
  expect(spec.containers[0]).toMatchObject({ image: 'img:1', securityContext: { privileged: true } });
});

const V4 = NODE_TOOLS.map((t) => t.file).filter((f) => f !== 'ip6tables-save.txt');
test.each([
  { mode: 'iptables', ipv6: false, want: ['iptables-save.txt', 'ipset-save.txt', 'ip-addr.json', 'ip-route.json'] },
  { mode: 'ipvs', ipv6: false, want: ['iptables-save.txt', 'ipset-save.txt', 'ipvsadm.txt', 'ip-addr.json', 'ip-route.json'] },
  { mode: 'nftables', ipv6: true, want: ['iptables-save.txt', 'ip6tables-save.txt', 'ipset-save.txt', 'nft-ruleset.json', 'ip-addr.json', 'ip-route.json'] },
  { mode: undefined, ipv6: false, want: V4 },
  { mode: 'kernelspace', ipv6: false, want: V4 },
  { mode: undefined, ipv6: true, want: NODE_TOOLS.map((t) => t.file) },
])('kube-proxy mode $mode, IPv6 $ipv6: dumps $want', ({ mode, ipv6, want }) => {
  expect(toolsFor(mode, ipv6).map((t) => t.file)).toEqual(want);
});
