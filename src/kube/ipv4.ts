import { KpathError } from '../errors.js';

// Minimal IPv4 arithmetic for the renderer: the kernel stores address + mask, so iptables-save prints
// canonical network addresses with a prefix length (`10.244.1.5` → `10.244.1.5/32`).

function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new KpathError('E_KUBE_INPUT', `not an IPv4 address: "${text}"`, { token: text });
  let value = 0;
  for (const part of parts) {
    const octet = /^\d{1,3}$/.test(part) ? Number(part) : NaN;
    if (!(octet >= 0 && octet <= 255)) {
      throw new KpathError('E_KUBE_INPUT', `not an IPv4 address: "${text}"`, { token: text });
    }
    value = value * 256 + octet;
  }
  return value;
}

function formatIPv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Splits "a.b.c.d[/n]" into address and prefix length (32 when absent). */
function splitCidr(text: string): { address: number; prefix: number } {
  const slash = text.indexOf('/');
  const address = parseIPv4(slash < 0 ? text : text.slice(0, slash));
  const prefix = slash < 0 ? 32 : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new KpathError('E_KUBE_INPUT', `bad prefix length in "${text}"`, { token: text });
  }
  return { address, prefix };
}

/** An address or CIDR as iptables-save prints it: host bits cleared, always with `/n`. */
export function savedCidr(text: string): string {
  const { address, prefix } = splitCidr(text);
  return `${formatIPv4((address & maskOf(prefix)) >>> 0)}/${prefix}`;
}

/** Canonical IPv4 address text (validates; strips nothing else). */
export function canonicalIPv4(text: string): string {
  return formatIPv4(parseIPv4(text));
}

/** Whether `ip` lies inside `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const { address, prefix } = splitCidr(cidr);
  const mask = maskOf(prefix);
  return ((parseIPv4(ip) & mask) >>> 0) === ((address & mask) >>> 0);
}
