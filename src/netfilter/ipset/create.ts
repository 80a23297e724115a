import type { SourceLoc } from '../../errors.js';
import { parseIp, prefixMask } from '../cidr.js';
import type { Ipset, IpsetEntry, IpsetType, PortRange } from '../model.js';
import { ipsetTypeInfo, type IpsetTypeInfo } from './set-types.js';
import { ipsetError, type Line, type Token } from './tokens.js';

/** A set while its entries are being read. */
export interface SetDraft {
  readonly name: string;
  readonly type: IpsetType;
  readonly info: IpsetTypeInfo;
  readonly family: 4 | 6 | 'any';
  readonly range?: PortRange;
  readonly addrMask?: bigint;
  /** Extensions the set was created with; an entry may carry only these options. */
  readonly ext: { readonly timeout: boolean; readonly counters: boolean; readonly comment: boolean; readonly skbinfo: boolean };
  readonly unmodelled?: string;
  readonly loc: SourceLoc;
  readonly options: readonly string[];
  readonly entries: IpsetEntry[];
}

/** Create options that take a value (ipset 7.17 plus the 6.x `probes`/`resize`). */
const VALUED = new Set([
  'family', 'hashsize', 'maxelem', 'bucketsize', 'initval', 'size', 'timeout', 'range', 'netmask', 'bitmask',
  'markmask', 'probes', 'resize',
]);

/** Reads the type word; ipset has exactly the types in IPSET_TYPES. */
export function readType(tok: Token, line: Line): { type: IpsetType; info: IpsetTypeInfo } {
  const info = ipsetTypeInfo(tok.text);
  if (!info) {
    throw ipsetError('E_IPSET_UNKNOWN_TYPE', `unknown ipset type "${tok.text}"`, line, { column: tok.column, token: tok.text },
      'ipset 7.x types are hash:ip, hash:ip,port, hash:ip,port,ip, hash:ip,port,net, hash:net, hash:net,port, hash:net,iface, hash:net,net, hash:net,port,net, hash:ip,mark, hash:mac, hash:ip,mac, bitmap:ip, bitmap:ip,mac, bitmap:port, list:set');
  }
  return { type: tok.text as IpsetType, info };
}

/**
 * Builds a draft from a set's name, type and create options (`create NAME TYPE OPTIONS…` in
 * `ipset save`, the `Header:` words in `ipset list`). Options kpath does not know are kept as words.
 */
export function newDraft(
  name: string,
  typeAt: { readonly tok: Token; readonly line: Line },
  optsAt: { readonly toks: readonly Token[]; readonly line: Line },
  loc: SourceLoc,
): SetDraft {
  const { tok: typeTok } = typeAt;
  const { toks: opts, line } = optsAt;
  const { type, info } = readType(typeTok, typeAt.line);
  const values = new Map<string, Token>();
  const flags = new Set<string>();
  for (let i = 0; i < opts.length; i++) {
    const t = opts[i]!;
    if (!VALUED.has(t.text)) { flags.add(t.text); continue; }
    const v = opts[i + 1];
    if (!v) throw badOption(`${t.text} wants a value`, line, t);
    values.set(t.text, v);
    i++;
  }
  const family = readFamily(info, values.get('family'), line);
  let unmodelled = info.unmodelled;
  let addrMask: bigint | undefined;
  const maskTok = values.get('netmask') ?? values.get('bitmask');
  if (maskTok) {
    if (type === 'hash:ip' || type === 'bitmap:ip') addrMask = readMask(maskTok, values.has('netmask'), family, line);
    else unmodelled ??= `${values.has('netmask') ? 'netmask' : 'bitmask'} on ${type} is not modelled`;
  }
  const timeoutTok = values.get('timeout');
  if (timeoutTok && !/^\d+$/.test(timeoutTok.text)) throw badOption('timeout wants seconds', line, timeoutTok);
  let range: PortRange | undefined;
  const rangeTok = values.get('range');
  if (type === 'bitmap:port') {
    if (!rangeTok) throw ipsetError('E_IPSET_BAD_OPTION', 'bitmap:port needs range FROM-TO', typeAt.line, { column: typeTok.column, token: typeTok.text });
    range = readPortRange(rangeTok.text);
    if (!range) throw badOption('range wants FROM-TO ports', line, rangeTok);
  }
  return {
    name, type, info, family, loc, entries: [],
    ...(range ? { range } : {}),
    ...(addrMask === undefined ? {} : { addrMask }),
    ...(unmodelled === undefined ? {} : { unmodelled }),
    ext: { timeout: values.has('timeout'), counters: flags.has('counters'), comment: flags.has('comment'), skbinfo: flags.has('skbinfo') },
    options: opts.map((t) => (t.quoted ? `"${t.text}"` : t.text)),
  };
}

/** The finished, read-only set. */
export function finishDraft(d: SetDraft): Ipset {
  return {
    name: d.name, type: d.type, family: d.family, entries: d.entries, loc: d.loc, options: d.options,
    ...(d.range ? { range: d.range } : {}),
    ...(d.addrMask === undefined ? {} : { addrMask: d.addrMask }),
    ...(d.unmodelled === undefined ? {} : { unmodelled: d.unmodelled }),
  };
}

function readFamily(info: IpsetTypeInfo, tok: Token | undefined, line: Line): 4 | 6 | 'any' {
  if (info.family === 'any') return 'any';
  if (!tok) return 4; // ipset's default family is inet.
  const fam = tok.text === 'inet' ? 4 : tok.text === 'inet6' ? 6 : undefined;
  if (fam === undefined) throw badOption(`family wants inet or inet6, got "${tok.text}"`, line, tok);
  if (info.family === 'ipv4' && fam !== 4) throw badOption('this set type is IPv4 only', line, tok);
  return fam;
}

function readMask(tok: Token, isNetmask: boolean, family: 4 | 6 | 'any', line: Line): bigint {
  const bits = family === 6 ? 128 : 32;
  if (isNetmask) {
    const n = /^\d{1,3}$/.test(tok.text) ? Number(tok.text) : NaN;
    if (!(n >= 1 && n <= bits)) throw badOption(`netmask wants a prefix length 1-${bits}`, line, tok);
    return prefixMask(n, bits);
  }
  const ip = parseIp(tok.text);
  if (!ip || ip.family !== (family === 6 ? 6 : 4)) throw badOption('bitmask wants an address of the set family', line, tok);
  return ip.value;
}

/** Reads `N` or `N-M` ports (0-65535, N ≤ M). */
export function readPortRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return from <= to && to <= 65535 ? { from, to } : undefined;
}

function badOption(message: string, line: Line, tok: Token) {
  return ipsetError('E_IPSET_BAD_OPTION', message, line, { column: tok.column, token: tok.text });
}
