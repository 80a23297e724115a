import type { KubeConfig } from '@kubernetes/client-node';
import { DEBUG_CONTAINER, deleteDebugPod, startDebugPod, type DebugPodRef } from './debug-pod.js';
import { execInPod, type ExecOutcome, type ExecTarget } from './exec.js';
import type { Gap, LiveDebugPod, NodeAccess } from './model.js';
import { writeText } from './write.js';

/** The node dumps of shared/spec/snapshot.md and the commands that print them. */
export const NODE_TOOLS: readonly { readonly file: string; readonly argv: readonly string[] }[] = [
  { file: 'iptables-save.txt', argv: ['iptables-save'] },
  { file: 'ip6tables-save.txt', argv: ['ip6tables-save'] },
  { file: 'ipset-save.txt', argv: ['ipset', 'save'] },
  { file: 'ipvsadm.txt', argv: ['ipvsadm-save', '-n'] },
  { file: 'nft-ruleset.json', argv: ['nft', '-j', 'list', 'ruleset'] },
  { file: 'ip-addr.json', argv: ['ip', '-j', 'addr', 'show'] },
  { file: 'ip-route.json', argv: ['ip', '-j', 'route', 'show', 'table', 'all'] },
];

/**
 * The tools worth running: ip6tables-save only when the cluster has IPv6 addresses; when
 * kube-proxy's ConfigMap states its mode, ipvsadm only for ipvs and the nft dump only for nftables
 * (shared/spec/snapshot.md). ipset always stays: CNIs match sets from iptables rules too.
 */
export function toolsFor(mode: string | undefined, hasIpv6: boolean): typeof NODE_TOOLS {
  const known = mode === 'iptables' || mode === 'ipvs' || mode === 'nftables';
  return NODE_TOOLS.filter((t) => (t.file !== 'ip6tables-save.txt' || hasIpv6)
    && (!known || ((t.file !== 'ipvsadm.txt' || mode === 'ipvs') && (t.file !== 'nft-ruleset.json' || mode === 'nftables'))));
}

/** One node's dump job: how to reach the node, which tools to run and where to write. */
export interface NodeDumpInput {
  readonly kc: KubeConfig;
  readonly dir: string;
  readonly node: string;
  readonly access: NodeAccess;
  /** The node's kube-proxy pod and container (kube-proxy access). */
  readonly kubeProxyPod?: { readonly pod: string; readonly container: string };
  readonly debugImage: string;
  readonly timeoutMs: number;
  /** Which dumps to take (toolsFor the cluster's kube-proxy mode). */
  readonly tools: typeof NODE_TOOLS;
  readonly onDebugPod?: (pod: LiveDebugPod, alive: boolean) => void;
}

const KUBE_RULES = /^(:KUBE-|-A KUBE-)/gm;

/**
 * A debug image's plain iptables-save may use the other backend than the node's kube-proxy; take
 * whichever of iptables-legacy-save and iptables-nft-save holds kube-proxy's chains (as
 * kube-proxy's iptables-wrapper decides), else plain iptables-save.
 */
async function chooseIptablesSave(run: (argv: readonly string[]) => Promise<ExecOutcome>, family: '' | '6'): Promise<ExecOutcome> {
  const [legacy, nft] = await Promise.all([run([`ip${family}tables-legacy-save`]), run([`ip${family}tables-nft-save`])]);
  const count = (o: ExecOutcome) => (o.kind === 'ok' ? (o.stdout.match(KUBE_RULES) ?? []).length : -1);
  const best = count(legacy) >= count(nft) ? legacy : nft;
  return count(best) > 0 ? best : run([`ip${family}tables-save`]);
}

async function dumpWith(dir: string, node: string, tools: typeof NODE_TOOLS, run: (argv: readonly string[]) => Promise<ExecOutcome>, where: string, isDebug: boolean): Promise<Gap[]> {
  const results = await Promise.all(tools.map(async (t) => ({
    t, r: isDebug && t.argv[0] === 'iptables-save' ? await chooseIptablesSave(run, '') : isDebug && t.argv[0] === 'ip6tables-save' ? await chooseIptablesSave(run, '6') : await run(t.argv),
  })));
  const gaps: Gap[] = [];
  for (const { t, r } of results) {
    const what = `nodes/${node}/${t.file}`;
    if (r.kind === 'ok') writeText(dir, what, r.stdout);
    else gaps.push({ what, why: r.missingTool ? `${r.why} (${where})` : r.why });
  }
  return gaps;
}

/**
 * Takes one node's dumps: each tool in the node's kube-proxy pod (hostNetwork, so its view is the
 * node's), or in a debug pod created for it and deleted afterwards. The tools of a node run side
 * by side; the node as a whole gets `timeoutMs`. Every failure is a gap, never an exception.
 */
export async function dumpNode(input: NodeDumpInput): Promise<Gap[]> {
  const { kc, dir, node, timeoutMs } = input;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const all = (why: string): Gap[] => [{ what: `nodes/${node}/`, why }];
  if (input.access === 'kube-proxy') {
    if (!input.kubeProxyPod) return all('no kube-proxy pod on this node (kube-system, k8s-app=kube-proxy): try --node-access debug-pod');
    const target: ExecTarget = { namespace: 'kube-system', ...input.kubeProxyPod };
    return dumpWith(dir, node, input.tools, (argv) => execInPod(kc, target, argv, left()), `kube-proxy pod ${input.kubeProxyPod.pod}`, false);
  }
  let pod: DebugPodRef | undefined;
  const live = (p: DebugPodRef): LiveDebugPod => ({ ...p, remove: () => deleteDebugPod(kc, p, timeoutMs) });
  const gaps: Gap[] = [];
  try {
    const started = await startDebugPod(kc, node, input.debugImage, deadline, (p) => { pod = p; input.onDebugPod?.(live(p), true); }, timeoutMs);
    if ('why' in started) gaps.push(...all(started.why));
    else {
      const target: ExecTarget = { namespace: started.pod.namespace, pod: started.pod.name, container: DEBUG_CONTAINER };
      gaps.push(...await dumpWith(dir, node, input.tools, (argv) => execInPod(kc, target, argv, left()), `debug image ${input.debugImage}`, true));
    }
  } finally {
    if (pod) {
      const why = await deleteDebugPod(kc, pod, timeoutMs);
      input.onDebugPod?.(live(pod), false);
      // A pod that could not be deleted still ends by itself (activeDeadlineSeconds); say so.
      if (why) gaps.push({ what: `nodes/${node}/`, why: `debug pod ${pod.namespace}/${pod.name} not deleted (${why}); it ends by itself within 15 minutes` });
    }
  }
  return gaps;
}
