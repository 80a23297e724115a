/** An IP address as a number: IPv4 in the low 32 bits, IPv6 in 128 bits. */
export interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** An address prefix; `prefix` is the number of leading bits that must match. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly value: bigint;
  readonly prefix: number;
}

const V4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted-quad or IPv6 text address; `undefined` when the text is not one. */
export function parseIp(text: string): Ip | undefined {
  const m = V4_RE.exec(text);
  if (m) {
    // Summed as a number (exact below 2^53) and converted once: BigInt steps cost 4 allocations.
    let v = 0;
    for (let i = 1; i <= 4; i++) {
      const part = Number(m[i]);
      if (part > 255) return undefined;
      v = v * 256 + part;
    }
    return { family: 4, value: BigInt(v) };
  }
  if (text.includes(':')) return parseIp6(text);
  return undefined;
}

function parseIp6(text: string): Ip | undefined {
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIp(tail);
    if (!v4 || v4.family !== 4) return undefined;
    const hi = Number((v4.value >> 16n) & 0xffffn).toString(16);
    const lo = Number(v4.value & 0xffffn).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8 || (halves.length === 2 && head.length + rest.length > 7)) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return { family: 6, value: v };
}

/** Parses `ADDR[/LEN]` or `ADDR/DOTTED-MASK`; a bare address is a host prefix. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { family: ip.family, value: ip.value, prefix: bits };
  const lenText = text.slice(slash + 1);
  let prefix: number;
  if (/^\d{1,3}$/.test(lenText)) {
    prefix = Number(lenText);
  } else {
    const mask = parseIp(lenText);
    if (!mask || mask.family !== ip.family) return undefined;
    const len = maskToPrefix(mask.value, bits);
    if (len === undefined) return undefined;
    prefix = len;
  }
  if (prefix > bits) return undefined;
  return { family: ip.family, value: ip.value & prefixMask(prefix, bits), prefix };
}

function maskToPrefix(mask: bigint, bits: number): number | undefined {
  let len = 0;
  while (len < bits && ((mask >> BigInt(bits - 1 - len)) & 1n) === 1n) len++;
  return mask === prefixMask(len, bits) ? len : undefined;
}

/** The network mask of a prefix length, as a number of `bits` bits. */
export function prefixMask(prefix: number, bits: number): bigint {
  if (prefix === 0) return 0n;
  const all = (1n << BigInt(bits)) - 1n;
  return (all << BigInt(bits - prefix)) & all;
}

/** True when `ip` lies inside `cidr` (families must agree). */
export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.family !== ip.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  return (ip.value & prefixMask(cidr.prefix, bits)) === cidr.value;
}

/** Formats an address the way iproute2 and iptables print it (IPv6 compressed, lowercase). */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // Longest run of zero groups (length ≥ 2) becomes "::", as RFC 5952 says.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Formats a prefix as ADDR/LEN. */
export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.value })}/${c.prefix}`;
}

/** Normalises an address text (e.g. IPv6 case and zero compression); returns the input when unparsable. */
export function canonicalIp(text: string): string {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : text;
}
