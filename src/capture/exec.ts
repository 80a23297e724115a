import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
// Not re-exported from the package index; the class Exec itself uses. Pinned client-node 1.4.0.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'ws';

/** A container to exec in. */
export interface ExecTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** A tool's stdout, or why there is none (`missingTool`: the image lacks the command). */
export type ExecOutcome =
  | { readonly kind: 'ok'; readonly stdout: string }
  | { readonly kind: 'failed'; readonly why: string; readonly missingTool: boolean };

function sink(chunks: Buffer[]): Writable {
  return new Writable({ write(chunk: Buffer | string, _enc, cb) { chunks.push(Buffer.from(chunk)); cb(); } });
}

function exitCode(s: V1Status): string | undefined {
  return s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
}

// What container runtimes say when argv[0] is not in the image (runc, crun, containerd).
const NOT_FOUND = /executable file not found|no such file or directory|not found in \$PATH/i;

/** The exec's V1Status (channel 3) as an outcome. */
function fromStatus(argv: readonly string[], s: V1Status | undefined, stdout: string, stderr: string): ExecOutcome {
  if (s === undefined || s.status === 'Success') return { kind: 'ok', stdout };
  const msg = s.message ?? '';
  if (NOT_FOUND.test(msg)) return { kind: 'failed', why: `${argv[0]}: not in the image`, missingTool: true };
  const code = exitCode(s);
  const detail = stderr.trim().split('\n')[0] ?? '';
  return { kind: 'failed', why: `${argv.join(' ')}: ${code !== undefined ? `exit ${code}` : msg || 'failed'}${detail ? `: ${detail}` : ''}`.slice(0, 300), missingTool: false };
}

/** Why the WebSocket could not be opened; client-node rejects with a ws ErrorEvent, not an ApiException. */
function connectWhy(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  const code = /Unexpected server response: (\d+)/.exec(msg)?.[1];
  if (code === '403') return 'exec denied (403): the user may not create pods/exec';
  if (code !== undefined) return `exec refused (HTTP ${code})`;
  return `exec failed: ${msg}`;
}

/**
 * Runs `argv` (no shell: the kube-proxy image has none) in a container through client-node's Exec
 * (WebSocket, v4.channel.k8s.io: 1 stdout, 2 stderr, 3 status) and waits at most `timeoutMs`.
 * The socket factory keeps each socket so a node that never answers can be cut off.
 */
export async function execInPod(kc: KubeConfig, target: ExecTarget, argv: readonly string[], timeoutMs: number): Promise<ExecOutcome> {
  const sockets: WebSocket[] = [];
  const handler = new WebSocketHandler(kc, (uri, protocols, opts) => {
    const ws = new WebSocket(uri, protocols, opts);
    sockets.push(ws);
    return ws;
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let status: V1Status | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const run = (async (): Promise<ExecOutcome> => {
    let ws: WebSocket;
    try {
      ws = await new Exec(kc, handler).exec(target.namespace, target.pod, target.container, [...argv], sink(out), sink(err), null, false, (s) => { status = s; });
    } catch (e) {
      return { kind: 'failed', why: connectWhy(e), missingTool: false };
    }
    // v4 servers send the status last and then close; stdout/stderr frames always come before it.
    await new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve();
      ws.on('close', () => resolve());
    });
    return fromStatus(argv, status, Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8'));
  })();
  try {
    const r = await Promise.race([run, timedOut]);
    if (r !== 'timeout') return r;
    return { kind: 'failed', why: `timed out after ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 === 0 ? 0 : 1)} s (node not answering)`, missingTool: false };
  } finally {
    clearTimeout(timer);
    for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }
}
