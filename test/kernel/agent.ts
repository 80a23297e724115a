import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const AGENT_PY = fileURLToPath(new URL('./agent.py', import.meta.url));
const REQUEST_TIMEOUT_MS = 30_000;

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The node-side probe agent (agent.py) over JSON lines. One request at a time is enough: attempts
 * must not overlap anyway, since each reads the node's counters around its own packet.
 */
export class Agent {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private buf = '';
  private nextId = 1;
  private stderr = '';
  private exited: string | undefined;

  constructor(readonly ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'python3', '-u', AGENT_PY], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => this.onData(d));
    this.child.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    this.child.on('exit', (code, signal) => {
      this.exited = `agent in ${ns} exited (${signal ?? code}): ${this.stderr.trim()}`;
      for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(new Error(this.exited)); }
      this.pending.clear();
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const msg = JSON.parse(line) as { id: number; ok: boolean; res?: unknown; error?: string };
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.res);
      else p.reject(new Error(`agent in ${this.ns}: ${msg.error}`));
    }
  }

  /** Sends one request; resolves with the agent's answer or rejects after a timeout. */
  request<T>(req: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`agent in ${this.ns}: no answer to ${String(req['op'])} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  /** Stops the agent process (by its own pid). */
  kill(): void {
    if (this.exited === undefined && this.child.pid !== undefined) {
      this.child.stdin.end();
      this.child.kill('SIGKILL');
    }
  }
}
