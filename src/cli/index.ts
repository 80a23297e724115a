import { Command, CommanderError, Option } from 'commander';
import { formatKpathError, KpathError } from '../errors.js';
import { EXIT, EXIT_HELP } from './exit-codes.js';
import { registerCheck } from './check.js';
import { registerDiff } from './diff.js';
import { registerExplain } from './explain.js';
import { registerGather } from './gather.js';
import { registerLint } from './lint.js';
import { registerRedact } from './redact.js';
import { registerTrace } from './trace.js';
import type { CliIo } from './options.js';

export type { CliIo } from './options.js';

const defaultIo: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
};

export function buildProgram(io: CliIo): Command {
  const program = new Command('kpath')
    .description('Trace where a packet goes in a Kubernetes cluster, who rewrites it, and whether the pod sees the real client IP.')
    .version('0.1.0')
    .addOption(new Option('--no-color', 'no colours (also NO_COLOR=1; pipes get none unless FORCE_COLOR=1)'))
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_HELP}\n\nExamples:\n  kpath trace --snapshot fixtures/snapshots/eks-nlb-ip-traefik --svc ingress/traefik --from internet\n  kpath trace --snapshot DIR --node node-a --proto tcp --src 203.0.113.10 --dst 10.0.1.5 --dport 31080\n`);
  registerTrace(program, io);
  registerGather(program, io);
  registerCheck(program, io);
  registerDiff(program, io);
  registerExplain(program, io);
  registerLint(program, io);
  registerRedact(program, io);
  return program;
}

/**
 * The single catch point: runs the command, prints KpathErrors as file:line:col: CODE: message
 * with a code frame and hint, and sets process.exitCode. Nothing below here exits.
 */
export async function run(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const program = buildProgram(io);
  let code: number = EXIT.ok;
  try {
    await program.parseAsync([...argv]);
    code = (program as unknown as { kpathExitCode?: number }).kpathExitCode ?? EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      code = e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    } else if (e instanceof KpathError) {
      io.err(`kpath: ${formatKpathError(e)}\n`);
      code = e.code === 'E_CAPTURE' ? EXIT.captureFailed : EXIT.badInput;
    } else {
      io.err(`kpath: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      code = EXIT.badInput;
    }
  }
  process.exitCode = code;
  return code;
}
