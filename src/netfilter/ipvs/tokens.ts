import { KpathError, type SourceLoc } from '../../errors.js';
import { formatIp, parseIp } from '../cidr.js';

// Shared reading helpers for both ipvsadm formats. The formats come from ipvsadm 1.31's own printf
// calls (print_service_entry, print_title, list_all and addrport_to_anyname in ipvsadm.c) and its
// man page, because IPVS is not in the kernel kpath is developed on ("Protocol not available").

/** One input line and where it sits in its file. */
export interface Line {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** A blank-separated word with its 1-based column. */
export interface Token {
  readonly text: string;
  readonly column: number;
}

/** Where `column` of `line` is. */
export function locOf(line: Line, column: number): SourceLoc {
  return { file: line.file, line: line.line, column };
}

/** A KpathError pointing at `at` (a token, or a column and the text found there) in `line`. */
export function ipvsError(code: 'E_IPVS_BAD_LINE' | 'E_IPVS_BAD_VALUE', message: string, line: Line,
  at: Token, hint?: string): KpathError {
  return new KpathError(code, message, {
    loc: locOf(line, at.column),
    token: at.text,
    sourceLine: line.text,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** The empty token just past the last word, for "something is missing here" errors. */
export function endOf(line: Line): Token {
  return { text: '', column: line.text.trimEnd().length + 1 };
}

/** Splits a line at spaces and tabs; ipvsadm never quotes. */
export function tokenize(line: Line): Token[] {
  const out: Token[] = [];
  const re = /[^ \t]+/g;
  for (let m = re.exec(line.text); m; m = re.exec(line.text)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

/** The part of `tok` from character `from` to `to`, as a token of its own (for a precise caret). */
export function slice(tok: Token, from: number, to = tok.text.length): Token {
  return { text: tok.text.slice(from, to), column: tok.column + from };
}

/** An address and port as ipvsadm prints them with -n: `10.0.0.1:80` or `[fd00::1]:80`. */
export interface AddrPort {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

const NUMERIC_HINT = 'capture with -n (`ipvsadm-save -n`, `ipvsadm -Ln`) so addresses and ports are numeric';

/**
 * Reads ADDR:PORT (IPv4) or [ADDR]:PORT (IPv6). Without -n ipvsadm prints host and service names
 * (and cuts IPv4 columns at 28/33 characters), which cannot be read back reliably, so names fail here.
 */
export function parseAddrPort(tok: Token, line: Line, what: string): AddrPort {
  const t = tok.text;
  let addrText: string;
  let portAt: number;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0 || t[close + 1] !== ':') {
      throw ipvsError('E_IPVS_BAD_VALUE', `${what} wants [IPv6]:PORT, got "${t}"`, line, tok);
    }
    addrText = t.slice(1, close);
    portAt = close + 2;
  } else {
    const colon = t.lastIndexOf(':');
    if (colon < 0) throw ipvsError('E_IPVS_BAD_VALUE', `${what} wants ADDR:PORT, got "${t}"`, line, tok, NUMERIC_HINT);
    addrText = t.slice(0, colon);
    portAt = colon + 1;
  }
  const ip = parseIp(addrText);
  const bracketed = t.startsWith('[');
  if (!ip || (ip.family === 6) !== bracketed) {
    const start = bracketed ? 1 : 0;
    throw ipvsError('E_IPVS_BAD_VALUE', `${what}: "${addrText}" is not an IP${bracketed ? 'v6' : 'v4'} address`, line,
      slice(tok, start, start + addrText.length), ip ? 'IPv6 addresses are printed in brackets: [fd00::1]:80' : NUMERIC_HINT);
  }
  const portTok = slice(tok, portAt);
  const port = parseDecimal(portTok.text);
  if (port === undefined || port > 65535) {
    throw ipvsError('E_IPVS_BAD_VALUE', `${what}: port "${portTok.text}" is not a number from 0 to 65535`, line, portTok,
      port === undefined ? NUMERIC_HINT : undefined);
  }
  return { address: formatIp(ip), port, family: ip.family };
}

/** Parses a plain decimal number (no sign, no 0x); undefined otherwise. */
export function parseDecimal(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** Reads a decimal count from `min` to `max` or fails at the token. */
export function parseCount(tok: Token, line: Line, what: string, min: number, max: number): number {
  const v = parseDecimal(tok.text);
  if (v === undefined || v < min || v > max) {
    throw ipvsError('E_IPVS_BAD_VALUE', `${what} wants a number from ${min} to ${max}, got "${tok.text}"`, line, tok);
  }
  return v;
}

/**
 * Reads a firewall mark. ipvsadm prints the kernel's u32 mark with "%d", so a mark of 2^31 or more
 * shows as a negative number; it is turned back into the unsigned value.
 */
export function parseFwmark(tok: Token, line: Line): number {
  const m = /^(-?)(\d{1,10})$/.exec(tok.text);
  const v = m ? Number(m[2]) * (m[1] === '-' ? -1 : 1) : NaN;
  if (!m || v === 0 || v < -0x80000000 || v > 0xffffffff) {
    throw ipvsError('E_IPVS_BAD_VALUE', `a firewall mark is a number from 1 to 4294967295, got "${tok.text}"`, line, tok);
  }
  return v < 0 ? v + 0x100000000 : v;
}

/** Kernel weights are ints from 0 to INT_MAX; weight 0 is quiescent. */
export const MAX_WEIGHT = 2147483647;

/** ipvsadm caps the persistence timeout at 31 days (MAX_TIMEOUT in ipvsadm.c). */
export const MAX_TIMEOUT = 86400 * 31;

const SCHED_FLAGS: Readonly<Record<string, string | undefined>> = {
  'sh-fallback': 'sh', 'sh-port': 'sh', 'mh-fallback': 'mh', 'mh-port': 'mh',
  'flag-1': undefined, 'flag-2': undefined, 'flag-3': undefined,
};

/**
 * Reads a comma-separated scheduler flag list. As in ipvsadm's parse_sched_flags, sh-* flags belong to
 * the sh scheduler and mh-* to mh; print_sched_flags prints flag-N for any other scheduler.
 */
export function parseSchedFlags(tok: Token, line: Line, scheduler: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (const flag of tok.text.split(',')) {
    const part = slice(tok, at, at + flag.length);
    at += flag.length + 1;
    if (!Object.hasOwn(SCHED_FLAGS, flag)) {
      throw ipvsError('E_IPVS_BAD_VALUE', `"${flag}" is not a scheduler flag`, line, part,
        'flags are sh-fallback, sh-port (sh), mh-fallback, mh-port (mh) or flag-1, flag-2, flag-3');
    }
    const owner = SCHED_FLAGS[flag];
    if (owner !== undefined && owner !== scheduler) {
      throw ipvsError('E_IPVS_BAD_VALUE', `${flag} is a flag of the ${owner} scheduler, not of ${scheduler}`, line, part);
    }
    out.push(flag);
  }
  return out;
}

/** Reads a persistence mask: dotted IPv4 for IPv4 services, a prefix length 1–128 for IPv6 ones. */
export function parseNetmask(tok: Token, line: Line, family: 4 | 6): string {
  if (family === 6) return String(parseCount(tok, line, 'an IPv6 persistence mask', 1, 128));
  const ip = parseIp(tok.text);
  if (!ip || ip.family !== 4) {
    throw ipvsError('E_IPVS_BAD_VALUE', `an IPv4 persistence mask is a dotted mask, got "${tok.text}"`, line, tok);
  }
  return formatIp(ip);
}
