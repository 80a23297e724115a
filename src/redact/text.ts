import { parseIp } from '../netfilter/cidr.js';
import { mapAddressText, type IpMapper } from './ip.js';
import { DASHED_IP, isKeptDnsLabel, type Pseudonyms } from './names.js';

/** What a piece of text may contain, and so which rewrites apply to it. */
export interface TextOptions {
  /** Names (collected words, DNS labels, `ns/name:port` with the port kept). Off for dumps whose bare words are interface, set and chain names. */
  readonly words: boolean;
  /** Whole 12-digit words are AWS account IDs (JSON strings; never iptables counters). */
  readonly accounts: boolean;
}

/** The rewriters one redaction shares across files, so every file maps the same way. */
export interface Rewriter {
  readonly ips: IpMapper;
  readonly names: Pseudonyms;
  /** Original → redacted address text, for the mapping file and the leak check. */
  readonly ipMapping: Map<string, string>;
  /** A hashed kube-proxy chain name (KUBE-SVC-…, KUBE-SEP-…) → its redacted name. */
  readonly chain: (name: string) => string;
}

// Alternatives, tried left to right at each position (so an address is never read as a word).
const PATTERN = new RegExp([
  /(?<chain>\bKUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-[A-Z2-7]{16}\b)/.source,
  /(?<arn>\barn:aws[\w-]*:[\w-]*:[\w-]*:\d*:[^\s"',;)\]}]+)/.source,
  /(?<v6b>\[(?<v6in>[0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?<v6port>:\d+)?)/.source,
  /(?<mac>(?<![\w:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?![\w:]))/.source,
  /(?<v6>(?<![\w:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*(?:%[\w-]+)?(?:\/\d{1,3})?(?![\w:]))/.source,
  /(?<v4>(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?!\w|\.\d))/.source,
  /(?<awsid>(?<![\w-])(?:i|eni|eni-attach|ela-attach|subnet|vpc|sg|eipalloc|eipassoc|igw|nat|rtb|acl|vol|snap|ami|lt|tgw|vpce|pcx)-[0-9a-f]{8,17}(?![\w-]))/.source,
  /(?<word>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)/.source,
].join('|'), 'g');

const EMBEDDED_V4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g;
const ARN_KEEP = new Set(['loadbalancer', 'net', 'app', 'gwy', 'targetgroup', 'listener', 'listener-rule', 'instance', 'network-interface', 'truststore']);

/** An address text through the map (recording it), or the text itself when it is not an address. */
export function rewriteAddress(rw: Rewriter, text: string): string {
  const out = mapAddressText(rw.ips, text);
  if (out === undefined) return text;
  // Recorded even when the permutation happens to return the same text (not for kept blocks).
  const ip = parseIp(text.split('/')[0]!.split('%')[0]!);
  if (ip && !rw.ips.isKept(ip)) rw.ipMapping.set(text, out);
  return out;
}

/** `ip-10-0-1-5[.rest]` with the address rewritten (other labels as DNS labels); undefined otherwise. */
export function rewriteDashedHost(rw: Rewriter, word: string): string | undefined {
  const labels = word.split('.');
  const m = DASHED_IP.exec(labels[0] ?? '');
  if (!m) return undefined;
  const ip = `${m[2]}.${m[3]}.${m[4]}.${m[5]}`;
  if (!parseIp(ip)) return undefined;
  const mapped = rewriteAddress(rw, ip);
  return [`${m[1]}-${mapped.replace(/\./g, '-')}`, ...labels.slice(1).map((l) => rewriteLabel(rw, l, false))].join('.');
}

function rewriteLabel(rw: Rewriter, label: string, accounts: boolean): string {
  if (label === '') return label;
  if (rw.names.has(label)) return rw.names.name(label, (w) => rewriteDashedHost(rw, w)) ?? label;
  const dashed = rewriteDashedHost(rw, label);
  if (dashed !== undefined) return dashed;
  if (accounts && /^\d{12}$/.test(label)) return rw.names.account(label);
  return label;
}

/** A word: a collected name as a whole, else label by label (DNS names), with embedded IPv4 addresses rewritten. */
export function rewriteWord(rw: Rewriter, word: string, accounts: boolean): string {
  if (rw.names.has(word)) return rw.names.name(word, (w) => rewriteDashedHost(rw, w)) ?? word;
  const dashed = rewriteDashedHost(rw, word);
  if (dashed !== undefined) return dashed;
  if (accounts && /^\d{12}$/.test(word)) return rw.names.account(word);
  const out = word.includes('.') && !isKeptDnsLabel(word) ? word.split('.').map((l) => rewriteLabel(rw, l, accounts)).join('.') : word;
  return out.replace(EMBEDDED_V4, (ip) => rewriteAddress(rw, ip));
}

/** `arn:partition:service:region:account:resource/…`: the account and the resource's names and IDs. */
function rewriteArn(rw: Rewriter, arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6) return arn;
  if (/^\d{12}$/.test(parts[4] ?? '')) parts[4] = rw.names.account(parts[4]!);
  const resource = parts.slice(5).join(':').split(/([/:])/).map((c) => {
    if (c === '/' || c === ':' || c === '' || ARN_KEEP.has(c)) return c;
    return rewriteWord(rw, c, true);
  }).join('');
  return [...parts.slice(0, 5), resource].join(':');
}

/**
 * Rewrites every address, MAC, ARN, AWS ID and (with `words`) every collected name in `text`,
 * token by token: `10.0.1.5:8080`, `10.0.1.0/24` and `[fd00::1]:80` are found, hex marks
 * (`0x4000`), versions and port numbers are not touched; `ns/name:port` is three words.
 */
export function rewriteText(rw: Rewriter, text: string, opts: TextOptions): string {
  return text.replace(PATTERN, (match: string, ...args: unknown[]) => {
    const g = args[args.length - 1] as Record<string, string | undefined>;
    if (g.chain !== undefined) return rw.chain(match);
    if (g.arn !== undefined) return rewriteArn(rw, match);
    if (g.v6b !== undefined) {
      const inner = rewriteAddress(rw, g.v6in!);
      return `[${inner}]${g.v6port ?? ''}`;
    }
    if (g.mac !== undefined) return rw.names.mac(match);
    if (g.v6 !== undefined || g.v4 !== undefined) return rewriteAddress(rw, match);
    if (g.awsid !== undefined) return rw.names.awsId(match);
    if (g.word !== undefined) return opts.words ? rewriteWord(rw, match, opts.accounts) : match.replace(EMBEDDED_V4, (ip) => rewriteAddress(rw, ip));
    return match;
  });
}
