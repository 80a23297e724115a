import { Command, Option } from 'commander';
import { KpathError } from '../errors.js';
import { buildCluster, focusItemSelector } from '../k8s/parse.js';
import { chainLabeler } from '../kube/chain-names.js';
import { traceNodeQuery } from '../path/node-trace.js';
import { traceService } from '../path/service-trace.js';
import type { TraceResult } from '../path/model.js';
import { renderDot } from '../render/dot.js';
import { renderJson } from '../render/json.js';
import { renderMermaid } from '../render/mermaid.js';
import { renderText } from '../render/text.js';
import { loadSnapshot } from '../snapshot/load.js';
import { intOption, styleFor, type CliIo } from './options.js';
import { EXIT_HELP } from './exit-codes.js';
import { addLiveOptions, gatherForTrace, liveOptions, type LiveFlags } from './gather.js';

interface TraceOpts extends LiveFlags {
  snapshot?: string;
  node?: string;
  proto?: string;
  src?: string;
  sport?: number;
  dst?: string;
  dport?: number;
  iif?: string;
  local?: boolean;
  mark?: number;
  svc?: string;
  port?: string;
  from?: string;
  client?: string;
  output: string;
  verbose?: boolean;
}

const HELP = `
Two questions:

  Service level — where does traffic for a Service go, and does the pod see the client IP?
    kpath trace --snapshot DIR --svc [NAMESPACE/]NAME [--port NAME|NUMBER]
                --from internet|node:NAME|pod:NAMESPACE/NAME|ip:ADDRESS [--client IP]

  Node level — what does one node's netfilter do with one packet?
    kpath trace --snapshot DIR --node NAME --proto tcp|udp|sctp --src IP [--sport N]
                --dst IP --dport N [--iif IFACE | --local]
    Without --iif or --local the packet enters on the interface the node routes --src to.

A snapshot is a directory of raw dumps (k8s/*.json, nodes/NAME/iptables-save.txt,
ipset-save.txt, ip-addr.json, ip-route.json, aws/*.json); see README "Snapshot layout".
Output: -o text (default, for people), -o json (trace JSON v1, for CI), -o mermaid (a
flowchart GitHub renders) or -o dot (Graphviz).

Without --snapshot, a service-level trace gathers what it needs from the live cluster (kubeconfig,
AWS credentials, node dumps through the kube-proxy pods) into a temporary snapshot; --save DIR
keeps it. See kpath gather --help.

${EXIT_HELP}
`;

/** Adds `kpath trace`. */
export function registerTrace(program: Command, io: CliIo): void {
  const cmd = program
    .command('trace')
    .description('trace a Service (client → load balancer → node → pod) or one packet on one node')
    .option('--snapshot <dir>', 'snapshot directory to trace offline')
    .option('--svc <name>', 'Service as NAMESPACE/NAME (namespace default: default)')
    .option('--port <port>', 'Service port name or number (default: every port)')
    .option('--from <where>', 'internet | node:NAME | pod:NAMESPACE/NAME | ip:ADDRESS')
    .option('--client <ip>', 'client address for --from internet (default 203.0.113.10)')
    .option('--node <name>', 'node-level: the node whose netfilter to evaluate')
    .option('--proto <proto>', 'node-level: tcp, udp, sctp or icmp', 'tcp')
    .option('--src <ip>', 'node-level: source address')
    .option('--sport <n>', 'node-level: source port (default 40000)', intOption('--sport', 65535))
    .option('--dst <ip>', 'node-level: destination address')
    .option('--dport <n>', 'node-level: destination port', intOption('--dport', 65535))
    .option('--iif <iface>', 'node-level: interface the packet arrives on')
    .option('--local', 'node-level: the packet originates on the node itself')
    .option('--mark <n>', 'node-level: packet mark on arrival', intOption('--mark', 0xffffffff))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'mermaid', 'dot']).default('text'))
    .option('-v, --verbose', 'text: also show the client hop')
    .addHelpText('after', HELP);
  addLiveOptions(cmd, { withSave: true });
  cmd.action(async (opts: TraceOpts, c: Command) => {
    // Without --snapshot, a service-level trace first gathers what it needs from the live cluster.
    const live = !opts.snapshot && opts.svc && opts.from ? await gatherForTrace({ ...liveOptions(opts), svc: opts.svc, from: opts.from }, io) : undefined;
    try {
      const { result, labelChain } = runTrace({ ...opts, snapshot: opts.snapshot ?? live?.dir });
      const global = c.parent?.opts() as { color?: boolean } | undefined;
      const out = opts.output === 'json' ? renderJson(result)
        : opts.output === 'mermaid' ? renderMermaid(result)
          : opts.output === 'dot' ? renderDot(result)
            : renderText(result, await styleFor(io, global?.color), { verbose: opts.verbose, labelChain });
      io.out(out);
    } finally {
      live?.cleanup();
    }
  });
}

function runTrace(opts: TraceOpts): { result: TraceResult; labelChain: (chain: string) => string | undefined } {
  if (!opts.snapshot) {
    throw new KpathError('E_USAGE', 'say where to trace: --snapshot DIR, or --svc NAME --from WHERE to gather from the live cluster', { hint: 'a node-level trace needs a snapshot: kpath gather --save DIR --svc NAME --from node:NAME' });
  }
  if (opts.node && opts.svc) throw new KpathError('E_USAGE', '--node (node level) and --svc (service level) cannot be combined');
  if (opts.iif && opts.local) throw new KpathError('E_USAGE', '--iif and --local cannot be combined: a packet either arrives on an interface or starts on the node');
  // A service-level trace reads only the traced Service's objects of kind Service/EndpointSlice.
  const focus = opts.svc && !opts.node ? opts.svc : undefined;
  const snap = loadSnapshot(opts.snapshot, focus ? { k8sItems: focusItemSelector(focus) } : {});
  const cluster = buildCluster(snap.k8sDocs, focus ? { focus } : {});
  const labelChain = chainLabeler(cluster);
  if (opts.node) {
    if (!opts.src || !opts.dst) throw new KpathError('E_USAGE', 'a node-level trace needs --src and --dst', { hint: 'kpath trace --snapshot DIR --node NAME --proto tcp --src IP --dst IP --dport N' });
    const result = traceNodeQuery(snap, cluster, {
      node: opts.node, proto: opts.proto ?? 'tcp', src: opts.src, sport: opts.sport, dst: opts.dst, dport: opts.dport,
      iif: opts.iif, local: opts.local, mark: opts.mark,
    });
    return { result, labelChain };
  }
  if (opts.svc) {
    if (!opts.from) throw new KpathError('E_USAGE', '--svc needs --from internet|node:NAME|pod:NAMESPACE/NAME|ip:ADDRESS');
    const query = { svc: opts.svc, port: opts.port, from: opts.from, client: opts.client };
    try {
      return { result: traceService(snap, cluster, query), labelChain };
    } catch (e) {
      // Not found among the focused objects: read everything (the error then suggests names).
      if (!(e instanceof KpathError && e.code.startsWith('E_SVC_'))) throw e;
      const whole = loadSnapshot(opts.snapshot);
      return { result: traceService(whole, buildCluster(whole.k8sDocs), query), labelChain };
    }
  }
  throw new KpathError('E_USAGE', 'say what to trace: --svc NAME (service level) or --node NAME (node level)');
}
