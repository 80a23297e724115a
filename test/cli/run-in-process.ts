// Runs kpath in-process with explain, lint and redact registered (whether or not src/cli/index.ts
// wires them yet), catching errors exactly as run() does: stdout, stderr and the exit code together.
import { CommanderError } from 'commander';
import { buildProgram, type CliIo } from '../../src/cli/index.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { registerExplain } from '../../src/cli/explain.js';
import { registerLint } from '../../src/cli/lint.js';
import { registerRedact } from '../../src/cli/redact.js';
import { formatKpathError, KpathError } from '../../src/errors.js';

export async function runKpath(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => { out += s; }, err: (s) => { err += s; }, env: { NO_COLOR: '1' }, isTTY: false };
  const program = buildProgram(io);
  const mine = [['explain', registerExplain], ['lint', registerLint], ['redact', registerRedact]] as const;
  for (const [name, register] of mine) if (!program.commands.some((c) => c.name() === name)) register(program, io);
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(['node', 'kpath', ...args]);
    code = (program as unknown as { kpathExitCode?: number }).kpathExitCode ?? EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    else if (e instanceof KpathError) {
      err += `kpath: ${formatKpathError(e)}\n`;
      code = EXIT.badInput;
    } else throw e;
  }
  return { code, out, err };
}
