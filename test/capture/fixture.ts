// Reads a scenario snapshot (fixtures/snapshots/<name>) into what the fakes serve, and runs gathers.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherSnapshot, type GatherOptions } from '../../src/capture/index.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from './fake-aws.js';
import { kubeconfigFor, startFakeKube, type FakeKube, type FakeKubeOptions } from './fake-kube.js';

type Obj = Record<string, unknown>;

export const FIXTURES = join(import.meta.dirname, '../../fixtures/snapshots');
export const TOKEN = 'kpath-test-token-must-not-leak';
export const AWS_SECRET = 'kpath/fake+secret/must-not-leak';

/** The objects of a snapshot's k8s/ folder (Lists flattened). */
export function k8sObjects(snapshot: string): Obj[] {
  const dir = join(snapshot, 'k8s');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).flatMap((f) => {
    const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Obj;
    return Array.isArray(doc.items) ? doc.items as Obj[] : [doc];
  });
}

/** node → file → text of a snapshot's nodes/ folder. */
export function nodeDumps(snapshot: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const dir = join(snapshot, 'nodes');
  for (const node of readdirSync(dir)) {
    if (!statSync(join(dir, node)).isDirectory()) continue;
    out.set(node, new Map(readdirSync(join(dir, node)).map((f) => [f, readFileSync(join(dir, node, f), 'utf8')])));
  }
  return out;
}

/** Sets env vars for the duration of a test file; returns the undo. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  return () => { for (const [k, v] of Object.entries(before)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; } };
}

/** Points the real SDK clients at the fake with static fake credentials and no shared config. */
export function awsEnv(url: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: url, AWS_ENDPOINT_URL_EC2: url,
    AWS_ACCESS_KEY_ID: 'AKIAKPATHFAKE0000001', AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_SESSION_TOKEN: undefined,
    AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/kpath-test-aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/kpath-test-aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A fake cluster and AWS account serving one snapshot, a kubeconfig for it, and a scratch dir. */
export interface Lab {
  readonly kube: FakeKube;
  readonly aws: FakeAws;
  readonly kubeconfig: string;
  readonly scratch: string;
  readonly gather: (over: Partial<GatherOptions> & Pick<GatherOptions, 'scope'>) => ReturnType<typeof gatherSnapshot>;
  readonly close: () => Promise<void>;
}

export async function startLab(snapshot: string, kubeOpts: Partial<FakeKubeOptions> = {}, awsOpts: Partial<FakeAwsOptions> = {}): Promise<Lab> {
  const kube = await startFakeKube({
    token: TOKEN, ...kubeOpts,
    objects: kubeOpts.objects ?? k8sObjects(snapshot), dumps: kubeOpts.dumps ?? nodeDumps(snapshot),
  });
  const aws = await startFakeAws({ awsDir: join(snapshot, 'aws'), ...awsOpts });
  const scratch = mkdtempSync(join(tmpdir(), 'kpath-capture-test-'));
  const kubeconfig = join(scratch, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kubeconfigFor(kube.url, TOKEN));
  let n = 0;
  return {
    kube, aws, kubeconfig, scratch,
    gather: (over) => gatherSnapshot({
      dir: join(scratch, `snap-${++n}`), kubeconfig, nodeAccess: 'kube-proxy', debugImage: 'example.invalid/netshoot:test',
      concurrency: 4, timeoutMs: 5000, tool: 'kpath test', capturedAt: '2026-02-01T00:00:00Z', ...over,
    }),
    close: async () => { await kube.close(); await aws.close(); rmSync(scratch, { recursive: true, force: true }); },
  };
}
