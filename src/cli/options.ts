import { InvalidArgumentError } from 'commander';
import { plainStyle, type Style } from '../render/style.js';

/** Where the CLI writes; replaceable in tests. */
export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
}

/**
 * Colours for the terminal: on for a TTY; off with --no-color, NO_COLOR=1 or a pipe;
 * FORCE_COLOR=1 turns them on for a pipe.
 */
export async function styleFor(io: CliIo, color: boolean | undefined): Promise<Style> {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const force = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '' && io.env.FORCE_COLOR !== '0';
  const on = color !== false && !noColor && (io.isTTY || force);
  if (!on) return plainStyle;
  // chalk is loaded only when colours are on (JSON output and pipes never need it).
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan, magenta: c.magenta };
}

/** Parses a whole number option (ports, marks) or fails with commander's usage error. */
export function intOption(name: string, max: number) {
  return (v: string): number => {
    const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name} wants a whole number from 0 to ${max}`);
    return n;
  };
}

