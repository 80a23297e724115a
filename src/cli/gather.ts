import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Gap, GatherScope, LiveDebugPod, NodeAccess } from '../capture/index.js';
import { KpathError } from '../errors.js';
import { EXIT_HELP } from './exit-codes.js';
import type { CliIo } from './options.js';

/** The flags of a live run (kpath gather, and kpath trace without --snapshot). */
export interface LiveFlags {
  kubeconfig?: string;
  context?: string;
  profile?: string;
  region?: string;
  nodeAccess?: string;
  debugImage?: string;
  concurrency?: number;
  /** Per node, in seconds (--timeout). */
  timeout?: number;
  quiet?: boolean;
  save?: string;
}

/** What gatherForTrace needs: one Service, the trace's origin, and the live flags. */
export interface TraceGatherOptions {
  svc: string;
  from: string;
  kubeconfig?: string;
  context?: string;
  profile?: string;
  region?: string;
  nodeAccess?: string;
  debugImage?: string;
  save?: string;
  quiet?: boolean;
  concurrency?: number;
  timeoutMs?: number;
}

/** Nodes dumped at once unless --concurrency says otherwise. */
export const DEFAULT_CONCURRENCY = 10;
/** Seconds per node (and per API request) unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_S = 20;
/** A public image with iptables (legacy and nft), ipset, ipvsadm, nft and iproute2. */
export const DEFAULT_DEBUG_IMAGE = 'nicolaka/netshoot:v0.13';

const LIVE_HELP = `
Live runs read the cluster with your kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config or the
in-cluster service account) and AWS with the SDK's default credentials (--profile, AWS_PROFILE, …).
They only read (get/list, plus create on pods/exec for the node dumps) unless --node-access debug-pod
is given, which creates one privileged hostNetwork pod per node and deletes it afterwards (also on
Ctrl-C). What could not be read is listed as a gap in kpath-snapshot.json and on stderr.
README "Live capture" lists the RBAC rules and IAM actions needed.
`;

function wholeNumber(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} wants a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Adds the live-run flags to a command (`kpath gather`, and `kpath trace` with `withSave`). */
export function addLiveOptions(cmd: Command, opts: { withSave: boolean }): Command {
  cmd
    .option('--kubeconfig <file>', 'live: kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'live: kubeconfig context')
    .option('--profile <name>', 'live: AWS profile (default: the SDK default credential chain)')
    .option('--region <region>', "live: AWS region (default: from the Nodes' providerID)")
    .addOption(new Option('--node-access <how>', 'live: how node dumps are taken').choices(['kube-proxy', 'debug-pod']).default('kube-proxy'))
    .option('--debug-image <image>', `live: image of --node-access debug-pod (default ${DEFAULT_DEBUG_IMAGE})`)
    .option('--concurrency <n>', `live: nodes dumped at once (default ${DEFAULT_CONCURRENCY})`, wholeNumber('--concurrency', 1, 200))
    .option('--timeout <seconds>', `live: limit per node and per API request (default ${DEFAULT_TIMEOUT_S})`, wholeNumber('--timeout', 1, 3600))
    .option('--quiet', 'live: no progress on stderr');
  if (opts.withSave) cmd.option('--save <dir>', 'live: keep the gathered snapshot in DIR (default: a temporary directory, removed)');
  return cmd;
}

/** The TraceGatherOptions fields of parsed live flags. */
export function liveOptions(f: LiveFlags): Omit<TraceGatherOptions, 'svc' | 'from'> {
  return {
    kubeconfig: f.kubeconfig, context: f.context, profile: f.profile, region: f.region, nodeAccess: f.nodeAccess, debugImage: f.debugImage,
    save: f.save, quiet: f.quiet, concurrency: f.concurrency, timeoutMs: f.timeout !== undefined ? f.timeout * 1000 : undefined,
  };
}

function toolName(): string {
  // src/cli/gather.ts and dist/cli/gather.js both sit two folders below package.json.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return `kpath ${typeof pkg.version === 'string' ? pkg.version : '0.x'}`;
  } catch {
    return 'kpath 0.x';
  }
}

/**
 * Deletes live debug pods on Ctrl-C (or SIGTERM) before exiting 130: installing the handler
 * replaces Node's default exit, so it must exit itself. Only installed for debug-pod runs.
 */
async function withInterruptCleanup<T>(io: CliIo, enabled: boolean, run: (onDebugPod: (p: LiveDebugPod, alive: boolean) => void) => Promise<T>): Promise<T> {
  const live = new Map<string, LiveDebugPod>();
  const onDebugPod = (p: LiveDebugPod, alive: boolean) => {
    if (alive) live.set(`${p.namespace}/${p.name}`, p);
    else live.delete(`${p.namespace}/${p.name}`);
  };
  if (!enabled) return run(onDebugPod);
  const onSignal = () => {
    io.err(`\nkpath: interrupted: deleting ${live.size} debug pod(s)\n`);
    void Promise.all([...live.values()].map(async (p) => {
      const why = await p.remove();
      if (why) io.err(`kpath: could not delete ${p.namespace}/${p.name}: ${why} (it ends by itself within 15 minutes)\n`);
    })).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run(onDebugPod);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

function printGaps(io: CliIo, gaps: readonly Gap[]): void {
  for (const g of gaps) io.err(`kpath: gap: ${g.what}: ${g.why}\n`);
}

interface RunInput extends Omit<TraceGatherOptions, 'svc' | 'from'> {
  dir: string;
  scope: GatherScope;
}

async function runGather(input: RunInput, io: CliIo): Promise<readonly Gap[]> {
  // kpath pins an SDK release that runs on Node 20; the SDK's notice that later releases will not
  // is for the SDK's own users to act on, not kpath's, so it is off unless the user set it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const nodeAccess = (input.nodeAccess ?? 'kube-proxy') as NodeAccess;
  const showProgress = input.quiet !== true && io.isTTY;
  // The Kubernetes and AWS clients load only for a live run: offline traces start without them.
  const { gatherSnapshot } = await import('../capture/index.js');
  const result = await withInterruptCleanup(io, nodeAccess === 'debug-pod', (onDebugPod) => gatherSnapshot({
    dir: input.dir, scope: input.scope, kubeconfig: input.kubeconfig, context: input.context,
    profile: input.profile, region: input.region, nodeAccess, debugImage: input.debugImage ?? DEFAULT_DEBUG_IMAGE,
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_S * 1000,
    tool: toolName(), capturedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    progress: showProgress ? (line) => io.err(`kpath: ${line}\n`) : undefined,
    onDebugPod,
  }));
  printGaps(io, result.gaps);
  return result.gaps;
}

/**
 * Gathers what one service-level trace needs (the Service, its endpoints and load balancer, and
 * the nodes on its paths) into `save` or a temporary directory; `cleanup` removes a temporary one.
 */
export async function gatherForTrace(opts: TraceGatherOptions, io: CliIo): Promise<{ dir: string; cleanup: () => void }> {
  const temp = opts.save === undefined;
  const dir = opts.save ?? mkdtempSync(join(tmpdir(), 'kpath-snapshot-'));
  const cleanup = () => { if (temp) rmSync(dir, { recursive: true, force: true }); };
  try {
    await runGather({ ...opts, dir, scope: { services: [opts.svc], all: false, from: opts.from } }, io);
  } catch (e) {
    cleanup();
    throw e;
  }
  return { dir, cleanup };
}

interface GatherFlags extends LiveFlags {
  svc: string[];
  all?: boolean;
  from?: string;
}

const GATHER_HELP = `
  kpath gather --save DIR --svc NAMESPACE/NAME [--svc …] [--from internet|node:NAME|pod:NS/NAME]
  kpath gather --save DIR --all

Writes a snapshot directory (README "Snapshot layout") that kpath trace --snapshot DIR reads
offline: k8s/*.json, aws/*.json for the Services' NLBs, nodes/NAME/* for the nodes on their paths
(--all: every Service and node), and kpath-snapshot.json with what could not be read.
${LIVE_HELP}
${EXIT_HELP}
`;

/** Adds `kpath gather`. */
export function registerGather(program: Command, io: CliIo): void {
  const cmd = program
    .command('gather')
    .description('gather a snapshot from the live cluster, AWS and the nodes (read-only)')
    .option('--svc <name>', 'a Service to gather for, NAMESPACE/NAME (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--all', 'every Service, load balancer and node')
    .option('--from <where>', 'the origin you will trace from; node:NAME and pod:NS/NAME add that node');
  addLiveOptions(cmd, { withSave: true });
  cmd.addHelpText('after', GATHER_HELP).action(async (opts: GatherFlags) => {
    if (!opts.save) throw new KpathError('E_USAGE', 'kpath gather needs --save DIR', { hint: 'kpath gather --save DIR --svc NAMESPACE/NAME' });
    if (opts.all && opts.svc.length > 0) throw new KpathError('E_USAGE', '--all and --svc cannot be combined');
    if (!opts.all && opts.svc.length === 0) throw new KpathError('E_USAGE', 'say what to gather: --svc NAMESPACE/NAME (repeatable) or --all');
    const gaps = await runGather({ ...liveOptions(opts), dir: opts.save, scope: { services: opts.svc, all: opts.all === true, from: opts.from } }, io);
    io.out(`${opts.save}\n`);
    if (!opts.quiet) io.err(`kpath: wrote ${opts.save} (${gaps.length} gap(s))\n`);
  });
}
