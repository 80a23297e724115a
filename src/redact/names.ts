import { createHmac } from 'node:crypto';

/** What a word names; decides the pseudonym's prefix (`ns-…`, `svc-…`). */
export type NameRole = 'ns' | 'node' | 'svc' | 'pod' | 'lb' | 'tg' | 'cluster' | 'host' | 'label' | 'name' | 'hex';

// When a word plays several roles, the first in this list names it.
const ROLE_ORDER: readonly NameRole[] = ['hex', 'ns', 'node', 'svc', 'pod', 'lb', 'tg', 'cluster', 'host', 'label', 'name'];

/**
 * Words never rewritten: Kubernetes' own namespaces and Services, the software kpath recognises
 * by name (kube-proxy's ConfigMap, MetalLB's speakers), and the enum values of the Kubernetes and
 * AWS fields kpath reads. A namespace called `ip` would otherwise rename the
 * `nlb-target-type: ip` annotation and change the trace. None of them identifies a cluster.
 */
export const KEEP_WORDS: ReadonlySet<string> = new Set([
  'default', 'kube-system', 'kube-public', 'kube-node-lease', 'kubernetes', 'kube-dns', 'coredns', 'kube-proxy',
  'kube-proxy-config', 'metallb-system', 'metallb', 'speaker',
  'true', 'false', 'yes', 'no', 'on', 'off', 'none', 'None', 'null', 'enabled', 'disabled',
  'ip', 'instance', 'external', 'internal', 'internet-facing', 'nlb', 'nlb-ip', 'alb', 'elb', 'network', 'application',
  'tcp', 'udp', 'sctp', 'TCP', 'UDP', 'SCTP', 'TLS', 'TCP_UDP', 'http', 'https', 'HTTP', 'HTTPS', 'tls', 'grpc',
  'ipv4', 'ipv6', 'dualstack', 'IPv4', 'IPv6', 'FQDN', 'Local', 'Cluster', 'ClientIP', 'ClusterIP', 'NodePort', 'LoadBalancer',
  'ExternalName', 'Pod', 'Node', 'Service', 'Proxy', 'VIP', 'active', 'healthy', 'unhealthy', 'draining', 'unused', 'initial',
  'unavailable', 'linux', 'windows', 'amd64', 'arm64', 'service', 'cluster', 'local', 'svc', 'owned', 'shared',
]);

// DNS labels that are public suffixes, AWS service names or regions: kept so names stay readable.
const DNS_KEEP = new Set([
  'com', 'net', 'org', 'io', 'dev', 'cloud', 'internal', 'local', 'localdomain', 'cluster', 'svc', 'amazonaws', 'compute',
  'elb', 'ec2', 'ecr', 'dkr', 'eks', 's3', 'aws', 'k8s', 'kubernetes', 'cn', 'api', 'www',
]);
const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}[a-z]?$/;

/** `ip-10-0-1-5` / `ec2-52-1-2-3`: EC2 host names that spell an address with dashes. */
export const DASHED_IP = /^(ip|ec2)-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/;

/** Whether a DNS label stays (public suffix, AWS word, region or zone). */
export function isKeptDnsLabel(label: string): boolean {
  return DNS_KEEP.has(label.toLowerCase()) || REGION.test(label);
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The keyed pseudonym maker: every word, ID, account and MAC the redaction rewrites goes through here. */
export class Pseudonyms {
  private readonly key: string;
  private readonly roles = new Map<string, NameRole>();
  private readonly names = new Map<string, string>();
  private readonly taken = new Set<string>();
  /** Original → pseudonym of everything rewritten, by kind, for the owner's mapping file. */
  readonly mapping = { names: new Map<string, string>(), ids: new Map<string, string>(), accounts: new Map<string, string>(), macs: new Map<string, string>() };

  constructor(key: string) {
    this.key = key;
  }

  private hmac(what: string): Buffer {
    return createHmac('sha256', this.key).update(`kpath-redact ${what}`).digest();
  }

  /** Records that `word` names something of `role` (collection phase). Kept words are ignored. */
  addName(word: string, role: NameRole): void {
    if (word === '' || KEEP_WORDS.has(word) || (role !== 'hex' && /^\d+$/.test(word))) return;
    const had = this.roles.get(word);
    if (had === undefined || ROLE_ORDER.indexOf(role) < ROLE_ORDER.indexOf(had)) this.roles.set(word, role);
  }

  /** Whether `word` is a collected name (so free text must rewrite it). */
  has(word: string): boolean {
    return this.roles.has(word);
  }

  /** The collected words, for the leak check. */
  words(): ReadonlyMap<string, NameRole> {
    return this.roles;
  }

  /**
   * The pseudonym of a collected name: `<role>-<8 base32 chars>` (lowercase, a valid DNS label),
   * a same-length hex string for AWS hex IDs; `undefined` for a word that was not collected.
   * `dashed` rewrites `ip-10-0-1-5`-style names through the address map.
   */
  name(word: string, dashed: (w: string) => string | undefined): string | undefined {
    const role = this.roles.get(word);
    if (role === undefined) return undefined;
    const known = this.names.get(word);
    if (known !== undefined) return known;
    let out = dashed(word);
    if (out === undefined && role === 'hex') out = this.hex(word, word.length);
    for (let n = 8; out === undefined || this.taken.has(out); n += 4) {
      const d = this.hmac(`name ${word} ${n}`);
      let s = '';
      for (let i = 0; i < n; i++) s += B32[d[i]! & 31];
      out = `${role}-${s}`;
    }
    this.names.set(word, out);
    this.taken.add(out);
    this.mapping.names.set(word, out);
    return out;
  }

  private hex(word: string, len: number): string {
    const d = this.hmac(`hex ${word}`).toString('hex');
    let s = d;
    while (s.length < len) s += this.hmac(`hex ${word} ${s.length}`).toString('hex');
    return s.slice(0, len);
  }

  /** `i-0abc…`, `eni-…`, `subnet-…`: same prefix, same number of hex digits. */
  awsId(id: string): string {
    const dash = id.lastIndexOf('-');
    const out = `${id.slice(0, dash + 1)}${this.hex(id, id.length - dash - 1)}`;
    this.mapping.ids.set(id, out);
    return out;
  }

  /** A 12-digit AWS account ID → another 12-digit number. */
  account(id: string): string {
    const d = this.hmac(`account ${id}`);
    const n = d.readBigUInt64BE(0) % 1_000_000_000_000n;
    const out = n.toString().padStart(12, '0');
    this.mapping.accounts.set(id, out);
    return out;
  }

  /** A MAC address → another with the same multicast and locally-administered bits; all-zero and broadcast stay. */
  mac(text: string): string {
    const lower = text.toLowerCase();
    if (lower === '00:00:00:00:00:00' || lower === 'ff:ff:ff:ff:ff:ff') return text;
    const d = this.hmac(`mac ${lower}`);
    const first = parseInt(lower.slice(0, 2), 16);
    const bytes = [(d[0]! & 0xfc) | (first & 0x03), d[1]!, d[2]!, d[3]!, d[4]!, d[5]!];
    const out = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
    this.mapping.macs.set(text, out);
    return out;
  }
}
