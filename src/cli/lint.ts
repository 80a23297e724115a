import { Command, Option } from 'commander';
import { KpathError } from '../errors.js';
import { buildCluster } from '../k8s/parse.js';
import { lintSnapshot, renderLintJson, renderLintText } from '../lint/index.js';
import { loadSnapshot } from '../snapshot/load.js';
import { EXIT } from './exit-codes.js';
import { styleFor, type CliIo } from './options.js';

interface LintOpts {
  snapshot?: string;
  output: string;
}

const HELP = `
Reports drift between the snapshot's Kubernetes objects and what nodes and load balancers hold:
  - ready endpoints with no KUBE-SEP chain / DNAT (iptables mode) or no real server (IPVS mode)
    on a node whose kube-proxy should program them
  - KUBE-SEP chains, Service chains and IPVS real servers for endpoints or Services that are gone
  - NLB target groups whose targets disagree with the endpoints (ip targets: ready pod IP:port;
    instance targets: every eligible node at the NodePort); needs aws/target-health/*.json
Expectations come from kpath's kube-proxy model (1.28 semantics) fed with the snapshot's
Services and EndpointSlices.

Exit codes:
  0  no findings
  1  findings (errors or warnings)
  2  usage or input error (missing snapshot, a dump kpath cannot read: file:line:col)
`;

/** Adds `kpath lint`: exit 0 without findings, 1 with findings, 2 on bad input. */
export function registerLint(program: Command, io: CliIo): void {
  program
    .command('lint')
    .description('report drift: endpoints without rules, rules for gone endpoints, LB targets that disagree')
    .option('--snapshot <dir>', 'snapshot directory')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', HELP)
    .action(async (opts: LintOpts, cmd: Command) => {
      if (!opts.snapshot) throw new KpathError('E_USAGE', 'lint needs --snapshot DIR');
      const snap = loadSnapshot(opts.snapshot);
      const report = lintSnapshot(snap, buildCluster(snap.k8sDocs));
      const global = cmd.parent?.opts() as { color?: boolean } | undefined;
      io.out(opts.output === 'json' ? renderLintJson(report) : renderLintText(report, await styleFor(io, global?.color)));
      if (report.findings.length > 0) (program as unknown as { kpathExitCode?: number }).kpathExitCode = EXIT.checkFailed;
    });
}
