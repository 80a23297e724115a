import type { MarkMask, PortRange } from './model.js';
import type { ParseCtx, ParsedOption } from './family.js';
import { PROTO } from './trace.js';

/** Parses decimal, 0x-hex or 0-octal the way iptables' strtoul(…, 0) does. */
export function parseUint(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}

/** Reads argument `i` of an option as an unsigned 32-bit number or fails at it. */
export function uintArg(o: ParsedOption, ctx: ParseCtx, i = 0, max = 0xffffffff): number {
  const v = parseUint(o.args[i] ?? '');
  if (v === undefined || v > max) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants a number up to ${max}, got "${o.args[i] ?? ''}"`, o, i);
  return v;
}

const SERVICES: Readonly<Record<string, number>> = {
  ssh: 22, http: 80, https: 443, domain: 53, smtp: 25, ntp: 123, bgp: 179, ftp: 21, telnet: 23, snmp: 161,
};

/** Parses a port number or a well-known service name. */
export function parsePort(text: string): number | undefined {
  const v = parseUint(text);
  if (v !== undefined) return v <= 65535 ? v : undefined;
  return SERVICES[text];
}

/** Parses `P`, `P:Q`, `:Q` or `P:` (iptables' port range syntax). */
export function parsePortRange(text: string, sep = ':'): PortRange | undefined {
  const idx = text.indexOf(sep);
  if (idx < 0) {
    const p = parsePort(text);
    return p === undefined ? undefined : { from: p, to: p };
  }
  const a = idx === 0 ? 0 : parsePort(text.slice(0, idx));
  const b = idx === text.length - 1 ? 65535 : parsePort(text.slice(idx + 1));
  if (a === undefined || b === undefined || a > b) return undefined;
  return { from: a, to: b };
}

/** Parses `VALUE[/MASK]`; a missing mask means all bits. */
export function parseMarkMask(text: string): MarkMask | undefined {
  const [v, m] = text.split('/');
  const value = parseUint(v ?? '');
  const mask = m === undefined ? 0xffffffff : parseUint(m);
  if (value === undefined || mask === undefined || value > 0xffffffff || mask > 0xffffffff) return undefined;
  return { value, mask };
}

/** Formats a mark the way iptables-save does (lowercase hex). */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

const PROTO_NAMES: Readonly<Record<string, number>> = {
  ...PROTO, all: 0, 'ipv6-icmp': 58, icmp6: 58, ipv6icmp: 58, 'ipv6-frag': 44, mh: 135, 'ipv6-mh': 135,
};

/** Protocol number of a `-p` value (name or number); undefined when unknown. */
export function protoNumber(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower in PROTO_NAMES) return PROTO_NAMES[lower];
  const v = parseUint(text);
  return v !== undefined && v <= 255 ? v : undefined;
}

/** The usual name of a protocol number, for output. */
export function protoName(n: number): string {
  for (const [name, num] of Object.entries(PROTO)) if (num === n) return name;
  return String(n);
}
