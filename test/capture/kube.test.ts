// The Kubernetes phase against a fake API server with the real client-node: what it lists, how it
// pages, what it writes, and what becomes a gap.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDACTED } from '../../src/capture/kube-objects.js';
import { KpathError } from '../../src/errors.js';
import { awsEnv, AWS_SECRET, FIXTURES, k8sObjects, setEnv, startLab, TOKEN, type Lab } from './fixture.js';
import { kubeconfigFor } from './fake-kube.js';

type Obj = Record<string, unknown>;
const FIXTURE = join(FIXTURES, 'eks-nlb-ip-traefik');
const TRAEFIK = { services: ['ingress/traefik'], all: false, from: 'internet' };

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name))).sort();
}
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Obj;
const names = (list: Obj) => (list.items as Obj[]).map((i) => `${String((i.metadata as Obj).namespace ?? '')}/${String((i.metadata as Obj).name)}`);

/** A Pod with a password written straight into its env: the snapshot must not carry it. */
const PASSWORD = 'hunter2-must-not-leak';
const PASSWORD_POD: Obj = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: 'legacy-app', namespace: 'apps', labels: { app: 'legacy' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"env":[{"name":"DB_PASSWORD","value":"${PASSWORD}"}]}` },
    managedFields: [{ manager: 'kubectl', operation: 'Update' }],
  },
  spec: {
    nodeName: 'ip-10-0-3-74.us-west-2.compute.internal',
    containers: [{ name: 'app', image: 'legacy:1', env: [{ name: 'DB_PASSWORD', value: PASSWORD }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'app', key: 'token' } } }] }],
  },
  status: { phase: 'Running', podIP: '10.0.3.200', podIPs: [{ ip: '10.0.3.200' }] },
};

let lab: Lab;
let undo: () => void;
beforeAll(async () => {
  // 2 items a page, the pod list's first continue token "expires" once, Ingresses are forbidden.
  lab = await startLab(FIXTURE, { objects: [...k8sObjects(FIXTURE), PASSWORD_POD], maxPage: 2, goneOnce: ['pods'], forbid: ['ingresses'] });
  undo = setEnv(awsEnv(lab.aws.url));
});
afterAll(async () => { undo(); await lab.close(); });

describe('a service-level gather', () => {
  let dir: string;
  let gaps: readonly { what: string; why: string }[];
  beforeAll(async () => {
    const r = await lab.gather({ scope: TRAEFIK });
    dir = r.dir;
    gaps = r.gaps;
  });

  test('writes the snapshot layout of shared/spec/snapshot.md', () => {
    expect(files(dir).filter((f) => !f.startsWith('nodes/') && !f.startsWith('aws/'))).toEqual([
      'k8s/endpointslices.json', 'k8s/kube-proxy-configmap.json', 'k8s/nodes.json', 'k8s/pods.json', 'k8s/services.json',
      'k8s/targetgroupbindings.json', 'kpath-snapshot.json',
    ]);
    const meta = readJson(join(dir, 'kpath-snapshot.json'));
    expect(meta).toMatchObject({ format: 'kpath-snapshot/v1', capturedAt: '2026-02-01T00:00:00Z', tool: 'kpath test', cluster: 'fake-ctx' });
    expect(meta.gaps).toEqual(gaps);
  });

  test('k8s files are kubectl Lists whose items carry kind and apiVersion', () => {
    for (const f of ['services', 'nodes', 'pods', 'endpointslices', 'targetgroupbindings']) {
      const list = readJson(join(dir, 'k8s', `${f}.json`));
      expect(list, f).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
      for (const it of list.items as Obj[]) {
        expect(typeof it.kind, `${f} item kind`).toBe('string');
        expect(typeof it.apiVersion, `${f} item apiVersion`).toBe('string');
      }
    }
    expect(readJson(join(dir, 'k8s/endpointslices.json')).items).toEqual(
      (readJson(join(FIXTURE, 'k8s/endpointslices.json')).items as Obj[]).filter((s) => ((s.metadata as Obj).labels as Obj)['kubernetes.io/service-name'] === 'traefik'));
    expect(readJson(join(dir, 'k8s/kube-proxy-configmap.json'))).toEqual(readJson(join(FIXTURE, 'k8s/kube-proxy-configmap.json')));
  });

  test('keeps every Service and Node, the traced namespace\'s Pods and the kube-proxy Pods', () => {
    expect(names(readJson(join(dir, 'k8s/services.json'))).sort()).toEqual(names(readJson(join(FIXTURE, 'k8s/services.json'))).sort());
    expect(readJson(join(dir, 'k8s/nodes.json')).items).toHaveLength(3);
    expect(names(readJson(join(dir, 'k8s/pods.json')))).toEqual([
      'ingress/traefik-7b9f5d8c46-kx2wq', 'ingress/traefik-7b9f5d8c46-p4n8z',
      'kube-system/kube-proxy-6wz9d', 'kube-system/kube-proxy-hl2kp', 'kube-system/kube-proxy-r7c4m',
    ]);
  });

  test('pages with limit/continue and restarts a list whose continue token expired (410)', () => {
    const podLists = lab.kube.requests.filter((r) => r.startsWith('GET /api/v1/namespaces/kube-system/pods?'));
    expect(podLists.every((r) => r.includes('limit=500'))).toBe(true);
    // first page, a continue that gets 410, then the list again from the start, and its continue.
    expect(podLists.filter((r) => !r.includes('continue='))).toHaveLength(2);
    expect(podLists.filter((r) => r.includes('continue=')).length).toBeGreaterThanOrEqual(2);
  });

  test('a forbidden list (403) is a gap and the rest is still written', () => {
    expect(gaps).toContainEqual({ what: 'k8s/ingresses.json', why: expect.stringMatching(/^forbidden \(403\): ingresses is forbidden/) });
  });

  test('resources the cluster does not serve (404) are absent, not gaps', () => {
    expect(lab.kube.requests.some((r) => r.startsWith('GET /apis/gateway.networking.k8s.io/v1/gateways'))).toBe(true);
    expect(gaps.filter((g) => g.what.startsWith('k8s/') && g.what !== 'k8s/ingresses.json')).toEqual([]);
  });

  test('uses read-only verbs: GET on lists, one object and pods/exec (the exec upgrade is a GET)', () => {
    const allowed = [
      /^GET \/api\/v1\/(services|nodes|pods)\?/,
      /^GET \/api\/v1\/namespaces\/[^/]+\/(pods|endpoints)\?/,
      /^GET \/apis\/discovery\.k8s\.io\/v1\/namespaces\/[^/]+\/endpointslices\?/,
      /^GET \/apis\/(elbv2\.k8s\.aws\/v1beta1\/targetgroupbindings|networking\.k8s\.io\/v1\/ingresses|gateway\.networking\.k8s\.io\/v1\/(gateways|httproutes))\?/,
      /^GET \/api\/v1\/namespaces\/kube-system\/configmaps\/kube-proxy$/,
      /^GET \/api\/v1\/namespaces\/kube-system\/pods\/kube-proxy-[a-z0-9]+\/exec\?/,
    ];
    for (const r of lab.kube.requests) expect(allowed.some((re) => re.test(r)), r).toBe(true);
    expect(lab.kube.createdPods()).toEqual([]);
  });

  test('no secret lands in the snapshot: no bearer token, no AWS key', () => {
    for (const f of files(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.includes(TOKEN), f).toBe(false);
      expect(text.includes(AWS_SECRET), f).toBe(false);
      expect(text.includes('AKIAKPATHFAKE0000001'), f).toBe(false);
    }
  });
});

test('--all lists every Pod and EndpointSlice, and literal env values of Pods are redacted', async () => {
  const r = await lab.gather({ scope: { services: [], all: true } });
  const pods = readJson(join(r.dir, 'k8s/pods.json'));
  expect(names(pods)).toHaveLength(15);
  const legacy = (pods.items as Obj[]).find((p) => (p.metadata as Obj).name === 'legacy-app')!;
  expect(((legacy.spec as Obj).containers as Obj[])[0]!.env).toEqual([
    { name: 'DB_PASSWORD', value: REDACTED }, { name: 'TOKEN', valueFrom: { secretKeyRef: { key: 'token', name: 'app' } } },
  ]);
  expect(legacy.metadata).not.toHaveProperty('managedFields');
  expect(readFileSync(join(r.dir, 'k8s/pods.json'), 'utf8')).not.toContain(PASSWORD);
  expect(readJson(join(r.dir, 'k8s/endpointslices.json')).items).toHaveLength(5);
  expect(r.nodes).toHaveLength(3);
});

test('an unknown Service fails with E_SVC_UNKNOWN before anything else is read', async () => {
  const err = await lab.gather({ scope: { services: ['ingress/nope'], all: false } }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(KpathError);
  expect((err as KpathError).code).toBe('E_SVC_UNKNOWN');
});

test('an API server that cannot be reached, or refuses the user, fails the gather with E_CAPTURE', async () => {
  const dead = join(lab.scratch, 'dead.yaml');
  writeFileSync(dead, kubeconfigFor('http://127.0.0.1:9', TOKEN));
  const e1 = await lab.gather({ scope: TRAEFIK, kubeconfig: dead }).catch((e: unknown) => e);
  expect((e1 as KpathError).code).toBe('E_CAPTURE');
  expect((e1 as KpathError).message).toMatch(/unreachable/);
  const wrong = join(lab.scratch, 'wrong-token.yaml');
  writeFileSync(wrong, kubeconfigFor(lab.kube.url, 'not-the-token'));
  const e2 = await lab.gather({ scope: TRAEFIK, kubeconfig: wrong }).catch((e: unknown) => e);
  expect((e2 as KpathError).code).toBe('E_CAPTURE');
  expect((e2 as KpathError).message).toMatch(/unauthorized \(401\)/);
});

test('a missing context is a kubeconfig error naming the contexts', async () => {
  const err = await lab.gather({ scope: TRAEFIK, context: 'prod' }).catch((e: unknown) => e);
  expect((err as KpathError).code).toBe('E_KUBECONFIG');
  expect((err as KpathError).hint).toBe('contexts: fake-ctx');
});
