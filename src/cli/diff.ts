import { Option, type Command } from 'commander';
import { diffTraces } from '../diff/index.js';
import { KpathError } from '../errors.js';
import { buildCluster } from '../k8s/parse.js';
import type { TraceResult } from '../path/model.js';
import type { ServiceQuery } from '../path/service-query.js';
import { traceService } from '../path/service-trace.js';
import { renderDiffJson, renderDiffText } from '../render/diff.js';
import { loadSnapshot } from '../snapshot/load.js';
import { EXIT, EXIT_HELP } from './exit-codes.js';
import { styleFor, type CliIo } from './options.js';

interface DiffOpts {
  before: string;
  after: string;
  svc: string;
  from: string;
  port?: string;
  client?: string;
  output: 'text' | 'json';
}

const HELP = `
Traces the same question in two snapshots and reports what changed in the outcomes: endpoints
added or removed, shares, the source address endpoints see, the client-IP verdict and the
rules or attributes behind it. Outcomes are keyed by (endpoint, disposition, source seen by
the endpoint) with their shares summed, so paths that differ only in the rules they took merge.

  kpath diff --before fixtures/snapshots/metallb-calico-cluster \\
             --after fixtures/snapshots/metallb-calico-local --svc web/echo --from internet

Exit 0 when outcomes and verdict are the same, 1 when they differ, 2 on bad input.

${EXIT_HELP}
`;

function traceIn(dir: string, which: '--before' | '--after', q: ServiceQuery): TraceResult {
  const snap = loadSnapshot(dir);
  try {
    return traceService(snap, buildCluster(snap.k8sDocs), q);
  } catch (e) {
    if (!(e instanceof KpathError) || e.loc) throw e;
    throw new KpathError(e.code, `in ${which} ${dir}: ${e.message}`, e.hint ? { hint: e.hint } : {});
  }
}

/** Adds `kpath diff`: exit 0 when nothing changed, 1 when outcomes or the verdict changed, 2 on bad input. */
export function registerDiff(program: Command, io: CliIo): void {
  program
    .command('diff')
    .description('compare the outcomes of one Service trace between two snapshots')
    .requiredOption('--before <dir>', 'snapshot before the change')
    .requiredOption('--after <dir>', 'snapshot after the change')
    .requiredOption('--svc <name>', 'Service as NAMESPACE/NAME')
    .requiredOption('--from <where>', 'internet | node:NAME | pod:NAMESPACE/NAME | ip:ADDRESS')
    .option('--port <port>', 'Service port name or number (default: the first port)')
    .option('--client <ip>', 'client address for --from internet (default 203.0.113.10)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', HELP)
    .action(async (opts: DiffOpts, cmd: Command) => {
      const q: ServiceQuery = { svc: opts.svc, from: opts.from, ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.client !== undefined ? { client: opts.client } : {}) };
      const before = traceIn(opts.before, '--before', q);
      const after = traceIn(opts.after, '--after', q);
      const d = diffTraces(before, after, { before: opts.before, after: opts.after });
      const global = cmd.parent?.opts() as { color?: boolean } | undefined;
      io.out(opts.output === 'json' ? renderDiffJson(d) : renderDiffText(d, await styleFor(io, global?.color)));
      if (d.changed) (program as unknown as { kpathExitCode?: number }).kpathExitCode = EXIT.checkFailed;
    });
}
