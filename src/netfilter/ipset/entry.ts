import { parseCidr, parseIp, type Cidr } from '../cidr.js';
import type { IpsetEntry, MarkMask } from '../model.js';
import type { SetDraft } from './create.js';
import { readPortRange } from './create.js';
import { hasPorts, icmpPort, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, protoNumber } from './protocols.js';
import type { IpsetDim } from './set-types.js';
import { ipsetError, locOf, type Line, type Token } from './tokens.js';

type Port = NonNullable<IpsetEntry['port']>;
/** An entry while its element and options are being read. */
type EntryDraft = { -readonly [K in keyof IpsetEntry]?: IpsetEntry[K] };

/** One comma-separated part of an element and the column it starts at. */
interface Part { readonly text: string; readonly column: number }

/** Reads one element and its options (`ELEMENT [timeout N] [packets N bytes N] [comment "…"] …`). */
export function parseEntry(set: SetDraft, tokens: readonly Token[], line: Line): IpsetEntry {
  const el = tokens[0]!;
  const fields: EntryDraft = { nets: [], nomatch: false, text: el.text, loc: locOf(line, el.column) };
  if (set.type === 'list:set') fields.member = el.text;
  else if (!set.info.unmodelled) readElement(set, el, line, fields);
  readOptions(set, tokens, line, fields);
  return fields as IpsetEntry;
}

function readElement(set: SetDraft, el: Token, line: Line, out: EntryDraft): void {
  const dims = set.info.dims;
  const parts = splitParts(el, dims.length);
  if (parts.length < dims.length) {
    throw bad(`${set.type} elements have ${dims.length} parts separated by commas`, line, el.column, el.text, `e.g. ${example(dims)}`);
  }
  const nets: Cidr[] = [];
  dims.forEach((dim: IpsetDim, i) => {
    const part = parts[i]!;
    if (dim === 'ip' || dim === 'net') nets.push(readAddr(set, dim, part, line));
    else if (dim === 'port') out.port = set.type === 'bitmap:port' ? readBitmapPort(set, part, line) : readProtoPort(set, part, line);
    else if (dim === 'iface') Object.assign(out, readIface(part, line));
  });
  out.nets = nets;
}

/** Splits at the first n-1 commas, so a last part (an interface name) may itself hold commas. */
function splitParts(el: Token, n: number): Part[] {
  const parts: Part[] = [];
  let start = 0;
  for (let k = 0; k < n - 1; k++) {
    const comma = el.text.indexOf(',', start);
    if (comma < 0) break;
    parts.push({ text: el.text.slice(start, comma), column: el.column + start });
    start = comma + 1;
  }
  parts.push({ text: el.text.slice(start), column: el.column + start });
  return parts;
}

function readAddr(set: SetDraft, dim: 'ip' | 'net', part: Part, line: Line): Cidr {
  const text = part.text.startsWith('[') && part.text.endsWith(']') ? part.text.slice(1, -1) : part.text;
  if (text.includes('-') || (dim === 'ip' && text.includes('/'))) {
    throw bad(`"${part.text}" is a range; ${set.type} elements hold single ${dim === 'ip' ? 'addresses' : 'prefixes'}`, line, part.column, part.text,
      'ipset save and ipset list print each stored address or prefix on its own line');
  }
  const cidr = dim === 'ip' ? hostCidr(text) : parseCidr(text);
  if (!cidr || (dim === 'net' && text.includes('/') && !/\/\d{1,3}$/.test(text))) {
    throw bad(`"${part.text}" is not an ${dim === 'ip' ? 'address' : 'address or prefix'}`, line, part.column, part.text);
  }
  const want = set.family === 'any' ? undefined : set.family;
  if (want !== undefined && cidr.family !== want) {
    throw bad(`"${part.text}" is IPv${cidr.family} but set ${set.name} is IPv${want}`, line, part.column, part.text);
  }
  return cidr;
}

function hostCidr(text: string): Cidr | undefined {
  const ip = parseIp(text);
  return ip && { family: ip.family, value: ip.value, prefix: ip.family === 4 ? 32 : 128 };
}

/** `[PROTO:]PORT` as hash:*port* types print it; no protocol means tcp (ipset(8)). */
function readProtoPort(set: SetDraft, part: Part, line: Line): Port {
  const colon = part.text.indexOf(':');
  const protoText = colon < 0 ? 'tcp' : part.text.slice(0, colon);
  const rest = colon < 0 ? part.text : part.text.slice(colon + 1);
  const restCol = colon < 0 ? part.column : part.column + colon + 1;
  const proto = protoNumber(protoText);
  if (proto === undefined || proto === 0) {
    throw bad(`unknown protocol "${protoText}"`, line, part.column, protoText, 'protocols are names from /etc/protocols or numbers 1-255');
  }
  if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
    const fam = proto === IPPROTO_ICMP ? 4 : 6;
    if (set.family !== fam) throw bad(`protocol ${protoText} needs a family inet${fam === 6 ? '6' : ''} set`, line, part.column, part.text);
    const port = icmpPort(proto, rest);
    if (port === undefined) throw bad(`"${rest}" is not an ICMP type name or TYPE/CODE`, line, restCol, rest);
    return { proto, port };
  }
  if (!hasPorts(proto)) {
    // ipset: "Protocol esp can be used with pseudo port value 0 only."
    if (rest !== '0') throw bad(`protocol ${protoText} has no ports; the element must say ${protoText}:0`, line, restCol, rest);
    return { proto, port: 0 };
  }
  const range = readPortRange(rest);
  if (!range) {
    throw bad(`"${rest}" is not a port or port range`, line, restCol, rest,
      proto === IPPROTO_TCP && colon < 0 ? 'ipset save prints PROTO:PORT with a numeric port' : undefined);
  }
  return range.from === range.to ? { proto, port: range.from } : { proto, port: range.from, portTo: range.to };
}

function readBitmapPort(set: SetDraft, part: Part, line: Line): Port {
  const range = readPortRange(part.text);
  if (!range) throw bad(`"${part.text}" is not a port or port range`, line, part.column, part.text);
  const r = set.range!;
  if (range.from < r.from || range.to > r.to) {
    throw bad(`port ${part.text} is outside the set's range ${r.from}-${r.to}`, line, part.column, part.text);
  }
  return range.from === range.to ? { proto: 0, port: range.from } : { proto: 0, port: range.from, portTo: range.to };
}

function readIface(part: Part, line: Line): { iface: string; physdev?: boolean } {
  const physdev = part.text.startsWith('physdev:');
  const name = physdev ? part.text.slice('physdev:'.length) : part.text;
  // IFNAMSIZ is 16 including the NUL (include/uapi/linux/if.h).
  if (name === '' || name.length > 15 || /[\s/:]/.test(name)) {
    throw bad(`"${part.text}" is not an interface name`, line, part.column, part.text);
  }
  return physdev ? { iface: name, physdev: true } : { iface: name };
}

function readOptions(set: SetDraft, tokens: readonly Token[], line: Line, out: EntryDraft): void {
  let packets: bigint | undefined;
  let bytes: bigint | undefined;
  const skb: { mark?: MarkMask; prio?: string; queue?: number } = {};
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    const value = (): Token => {
      const v = tokens[++i];
      if (!v) throw badOpt(`${t.text} wants a value`, line, t);
      return v;
    };
    const needs = (ext: keyof SetDraft['ext'], what: string) => {
      if (!set.ext[ext]) throw badOpt(`${t.text} on an entry of set ${set.name}, which was created without ${what}`, line, t, `ipset refuses this too: the create line (or Header:) must list ${what}`);
    };
    if (t.quoted) throw badOpt(`unexpected quoted text "${t.text}"`, line, t);
    switch (t.text) {
      case 'timeout': needs('timeout', 'timeout'); out.timeout = uint(value(), line); break;
      case 'packets': needs('counters', 'counters'); packets = BigInt(uint(value(), line)); break;
      case 'bytes': needs('counters', 'counters'); bytes = BigInt(uint(value(), line)); break;
      case 'comment': needs('comment', 'comment'); out.comment = value().text; break;
      case 'skbmark': needs('skbinfo', 'skbinfo'); skb.mark = markMask(value(), line); break;
      case 'skbprio': {
        needs('skbinfo', 'skbinfo');
        const v = value();
        if (!/^[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}$/.test(v.text)) throw badOpt('skbprio wants MAJOR:MINOR', line, v);
        skb.prio = v.text;
        break;
      }
      case 'skbqueue': needs('skbinfo', 'skbinfo'); skb.queue = uint(value(), line); break;
      case 'nomatch':
        if (!set.info.hasNomatch) throw badOpt(`${set.type} has no nomatch elements`, line, t);
        out.nomatch = true;
        break;
      case 'wildcard':
        if (set.type !== 'hash:net,iface') throw badOpt('wildcard belongs to hash:net,iface elements', line, t);
        out.wildcard = true;
        break;
      default:
        throw badOpt(`unknown entry option "${t.text}"`, line, t, 'entry options are timeout, packets, bytes, comment, skbmark, skbprio, skbqueue, nomatch, wildcard');
    }
  }
  if (packets !== undefined || bytes !== undefined) out.counters = { packets: packets ?? 0n, bytes: bytes ?? 0n };
  if (skb.mark || skb.prio !== undefined || skb.queue !== undefined) out.skbinfo = skb;
}

function uint(tok: Token, line: Line): number {
  if (!/^\d{1,20}$/.test(tok.text)) throw badOpt(`"${tok.text}" is not a whole number`, line, tok);
  return Number(tok.text);
}

function markMask(tok: Token, line: Line): MarkMask {
  const m = /^(0x[0-9a-fA-F]{1,8}|\d{1,10})(?:\/(0x[0-9a-fA-F]{1,8}|\d{1,10}))?$/.exec(tok.text);
  const value = m ? Number(m[1]) : NaN;
  const mask = m?.[2] === undefined ? 0xffffffff : Number(m[2]);
  if (!m || value > 0xffffffff || mask > 0xffffffff) throw badOpt('skbmark wants VALUE[/MASK]', line, tok);
  return { value, mask };
}

function example(dims: readonly IpsetDim[]): string {
  const ex: Record<IpsetDim, string> = { ip: '10.0.0.1', net: '10.0.0.0/24', port: 'tcp:80', iface: 'eth0', mac: '00:11:22:33:44:55', mark: '0x10', set: 'NAME' };
  return dims.map((d) => ex[d]).join(',');
}

function bad(message: string, line: Line, column: number, token: string, hint?: string) {
  return ipsetError('E_IPSET_BAD_ENTRY', message, line, { column, token }, hint);
}

function badOpt(message: string, line: Line, tok: Token, hint?: string) {
  return ipsetError('E_IPSET_BAD_OPTION', message, line, { column: tok.column, token: tok.text }, hint);
}
