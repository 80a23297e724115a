import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KpathError } from '../errors.js';
import { buildCluster } from '../k8s/parse.js';
import { renderCheckText } from '../render/check.js';
import { renderJunit } from '../render/junit.js';
import { loadSnapshot } from '../snapshot/load.js';
import { EXIT, EXIT_HELP } from './exit-codes.js';
import { styleFor, type CliIo } from './options.js';

interface CheckOpts {
  snapshot: string;
  expect: string;
  junit?: string;
}

const HELP = `
An expectations file is YAML: a list of expectations (or {expectations: [...]}), each
  - name: traefik keeps the client IP      # optional label for the report
    svc: ingress/traefik                   # [NAMESPACE/]NAME              (required)
    port: web                              # port name or number          (default: first port)
    from: internet                         # internet | node:NAME | pod:NS/NAME | ip:ADDRESS (required)
    client: 203.0.113.10                   # client address for internet/ip origins
    reachable: true                        # true: some path delivers; false: none does (and none is unknown)
    clientIp: preserved                    # preserved | lost | partial | proxy-protocol | unknown
    preservedShare: {min: 0.5, max: 1}     # share of delivered traffic that keeps the client IP
    endpoints: {selector: app=traefik}     # or {pods: [NS/NAME, ...]}: every delivered path ends there
    minShare: 1.0                          # with endpoints: least share of ALL traffic reaching them
    sources: [10.0.0.0/16]                 # every delivered endpoint sees a source inside these
Unknown keys and wrongly typed values are errors (exit 2) naming file:line:col.

${EXIT_HELP}
`;

function readExpectations(file: string): string {
  if (!existsSync(file)) throw new KpathError('E_EXPECT_MISSING', `expectations file ${file} does not exist`);
  return readFileSync(file, 'utf8');
}

/** Adds `kpath check`: exit 0 when every expectation holds, 1 when one fails, 2 on bad input. */
export function registerCheck(program: Command, io: CliIo): void {
  program
    .command('check')
    .description('check YAML expectations (reachability, client IP, endpoints) against a snapshot')
    .requiredOption('--snapshot <dir>', 'snapshot directory')
    .requiredOption('--expect <file>', 'expectations file (YAML)')
    .option('--junit <file>', 'also write the results as JUnit XML')
    .addHelpText('after', HELP)
    .action(async (opts: CheckOpts, cmd: Command) => {
      const text = readExpectations(opts.expect);
      // The expectation reader pulls in the YAML parser: load it only for kpath check.
      const { parseExpectations, runChecks } = await import('../check/index.js');
      const expectations = parseExpectations(text, opts.expect);
      const snap = loadSnapshot(opts.snapshot);
      const report = runChecks(snap, buildCluster(snap.k8sDocs), expectations, opts.expect, text);
      const global = cmd.parent?.opts() as { color?: boolean } | undefined;
      io.out(renderCheckText(report, await styleFor(io, global?.color)));
      if (opts.junit) {
        try {
          writeFileSync(opts.junit, renderJunit(report));
        } catch (e) {
          throw new KpathError('E_JUNIT_WRITE', `cannot write ${opts.junit}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (!report.passed) (program as unknown as { kpathExitCode?: number }).kpathExitCode = EXIT.checkFailed;
    });
}
