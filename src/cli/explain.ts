import { Command, Option } from 'commander';
import { KpathError } from '../errors.js';
import { buildCluster } from '../k8s/parse.js';
import { explainChain, renderExplainText, type ExplainNode } from '../kube/chain-explain.js';
import { parseIptablesSave } from '../netfilter/iptables/parse.js';
import type { Ruleset } from '../netfilter/model.js';
import type { Snapshot } from '../snapshot/model.js';
import { loadSnapshot } from '../snapshot/load.js';
import { EXIT_HELP } from './exit-codes.js';
import { styleFor, type CliIo } from './options.js';

interface ExplainOpts {
  snapshot?: string;
  node?: string;
  output: string;
}

const HELP = `
Names a kube-proxy chain: KUBE-SVC-/SVL-/EXT-/FW-/XLB- chains by their Service port, KUBE-SEP-
chains by Service port and endpoint. kpath recomputes kube-proxy's hash (sha256 of
"ns/name:port" + protocol [+ endpoint], base32, 16 characters) from the snapshot's Services and
EndpointSlices, then from the Service ports the dump's comments name. Then it prints the chain's
rules on each node, with positions and file:line, and the rules that jump to it.

  kpath explain KUBE-SVC-XRY76EGRC3BSCIIJ --snapshot DIR [--node NAME]

A unique prefix of at least 10 characters is accepted. A name found nowhere exits 2.

${EXIT_HELP}
`;

/** Node dumps as explain needs them: the v4 and v6 rulesets of each (or one) node. */
function explainNodes(snap: Snapshot, only: string | undefined): ExplainNode[] {
  if (only && !snap.nodes.has(only)) {
    throw new KpathError('E_NODE_UNKNOWN', `node ${only} has no folder in ${snap.dir}/nodes`, { hint: `nodes in the snapshot: ${[...snap.nodes.keys()].join(', ') || 'none'}` });
  }
  const out: ExplainNode[] = [];
  for (const [name, d] of snap.nodes) {
    if (only && name !== only) continue;
    const sets: Ruleset[] = [];
    if (d.iptablesSave) sets.push(parseIptablesSave(d.iptablesSave.text, { file: d.iptablesSave.path, family: 4 }));
    if (d.ip6tablesSave) sets.push(parseIptablesSave(d.ip6tablesSave.text, { file: d.ip6tablesSave.path, family: 6 }));
    if (sets.length === 0) out.push({ name });
    for (const rs of sets) out.push({ name: sets.length > 1 ? `${name} (IPv${rs.family})` : name, ruleset: rs });
  }
  return out;
}

/** Adds `kpath explain CHAIN`. */
export function registerExplain(program: Command, io: CliIo): void {
  program
    .command('explain')
    .description('say what a KUBE-SVC/SVL/EXT/FW/SEP chain is (Service port, endpoint) and show its rules')
    .argument('<chain>', 'chain name, e.g. KUBE-SEP-NW5VICAF3Z2QABHQ')
    .option('--snapshot <dir>', 'snapshot directory')
    .option('--node <name>', 'only this node\'s rules')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', HELP)
    .action(async (chain: string, opts: ExplainOpts, cmd: Command) => {
      if (!opts.snapshot) throw new KpathError('E_USAGE', 'explain needs --snapshot DIR');
      const snap = loadSnapshot(opts.snapshot);
      const cluster = buildCluster(snap.k8sDocs);
      const e = explainChain(cluster, explainNodes(snap, opts.node), chain);
      if (!e) {
        throw new KpathError('E_CHAIN_UNKNOWN', `chain ${chain} is not in any dump of ${snap.dir} and no Service port in it hashes to it`, {
          hint: 'chain names are case-sensitive; copy one from a trace or from iptables-save',
        });
      }
      if (opts.output === 'json') {
        io.out(`${JSON.stringify({ schema: 'kpath/explain/v1', ...e }, null, 2)}\n`);
        return;
      }
      const global = cmd.parent?.opts() as { color?: boolean } | undefined;
      io.out(renderExplainText(e, await styleFor(io, global?.color)));
    });
}
