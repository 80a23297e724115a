import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Agent } from './agent.js';

// A kernel lab: network namespaces built from a node's `ip -j addr` / `ip -j route` dumps, with real
// iptables-legacy and ipset state, an "outside" namespace on the node's uplink and one namespace per
// pod. Facts this relies on are in /work/shared/reference/kernel-lab.md.

const CMD_TIMEOUT_MS = 20_000;

/** Every namespace this process creates starts with this; the pid lets a later run spot stale ones. */
export const LAB_PREFIX = `kpath-kd-${process.pid}`;

const TOOLS = ['ip', 'iptables-legacy', 'iptables-legacy-save', 'iptables-legacy-restore', 'ipset', 'conntrack', 'nft', 'python3'];

function which(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { timeout: 5000 }).status === 0;
}

/** Runs a command; throws with its stderr on failure. */
export function sh(argv: readonly string[], input?: string): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8', timeout: CMD_TIMEOUT_MS, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

/** Runs a command inside a namespace. */
export function nsh(ns: string, argv: readonly string[], input?: string): string {
  return sh(['ip', 'netns', 'exec', ns, ...argv], input);
}

/**
 * Undefined when this machine can run the kernel lab; otherwise the reason it cannot (printed by the
 * suite when it skips). Needs root, `ip netns add`, veth and ifb links, iptables-legacy with the nat
 * table, ipset, conntrack-tools, nft (to switch conntrack on without touching iptables) and python3.
 */
export function canUseNetns(): string | undefined {
  if (process.platform !== 'linux') return `kernel lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'kernel lab needs root (uid 0)';
  const missing = TOOLS.filter((t) => !which(t));
  if (missing.length > 0) return `kernel lab needs ${missing.join(', ')} on PATH`;
  const ns = `${LAB_PREFIX}-check`;
  try {
    sh(['ip', 'netns', 'add', ns]);
  } catch (e) {
    return `ip netns add failed: ${(e as Error).message}`;
  }
  try {
    sh(['ip', '-n', ns, 'link', 'add', 'k0', 'type', 'veth', 'peer', 'name', 'k1']);
    sh(['ip', '-n', ns, 'link', 'add', 'k2', 'type', 'ifb']);
    nsh(ns, ['iptables-legacy', '-w', '-t', 'nat', '-A', 'PREROUTING', '-j', 'ACCEPT']);
    nsh(ns, ['ipset', 'create', 'kd-check', 'hash:ip']);
    nsh(ns, ['nft', 'add', 'table', 'ip', 'kd_check']);
    nsh(ns, ['python3', '-c', 'import ctypes; ctypes.CDLL(None).setns']);
  } catch (e) {
    return `kernel lab check failed: ${(e as Error).message}`;
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { timeout: CMD_TIMEOUT_MS });
  }
  return undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes `kpath-kd-<pid>-…` namespaces left by runs whose process is gone. */
export function cleanupStaleNamespaces(): string[] {
  const names = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  const stale = names.filter((n) => {
    const m = /^kpath-kd-(\d+)-/.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  });
  for (const n of stale) spawnSync('ip', ['netns', 'del', n], { timeout: CMD_TIMEOUT_MS });
  return stale;
}

/**
 * Owns the namespaces and agents of one suite. `destroy()` is idempotent; an exit hook calls it too,
 * so a crashed run still deletes what it made.
 */
export class Lab {
  private readonly namespaces: string[] = [];
  private readonly agents: Agent[] = [];
  private seq = 0;
  private readonly onExit = (): void => this.destroySync();

  constructor() {
    process.once('exit', this.onExit);
  }

  /** Creates a namespace named `kpath-kd-<pid>-<n>-<role>` with IPv6 off (no ND/MLD noise). */
  addNamespace(role: string): string {
    const name = `${LAB_PREFIX}-${++this.seq}-${role}`;
    sh(['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
    nsh(name, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    sh(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** Starts the probe agent inside `ns` (see agent.py). */
  startAgent(ns: string): Agent {
    const a = new Agent(ns);
    this.agents.push(a);
    return a;
  }

  /** Stops agents and deletes namespaces, most recent first. */
  destroySync(): void {
    for (const a of this.agents.splice(0)) a.kill();
    for (const ns of this.namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns], { timeout: CMD_TIMEOUT_MS });
  }

  destroy(): void {
    this.destroySync();
    process.removeListener('exit', this.onExit);
  }
}
