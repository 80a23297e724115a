import type { Cluster } from '../k8s/model.js';
import type { Ruleset } from '../netfilter/model.js';
import type { Style } from '../render/style.js';
import { buildChainIndex, chainsNamed, displaySpn, parseHashedChain, rulesJumpingTo, type ChainIdentity } from './chain-names.js';

// kube-proxy's fixed chains (kube-proxy.md §1.1, §3.3), for `kpath explain` on a name without a hash.
const FIXED_CHAINS: Readonly<Record<string, string>> = {
  'KUBE-SERVICES': 'kube-proxy dispatch: matches ClusterIP / external IP / LB IP and port (nat), REJECTs Services without endpoints (filter)',
  'KUBE-NODEPORTS': 'kube-proxy NodePort dispatch (nat, reached from the last KUBE-SERVICES rule); health-check node ports (filter)',
  'KUBE-EXTERNAL-SERVICES': 'kube-proxy filter chain: REJECT/DROP external traffic for Services without (local) endpoints',
  'KUBE-FORWARD': 'kube-proxy filter chain: drop INVALID, accept marked and established forwarded traffic',
  'KUBE-MARK-MASQ': 'sets the masquerade mark (0x4000 by default); KUBE-POSTROUTING masquerades marked packets',
  'KUBE-MARK-DROP': 'sets the drop mark 0x8000 (≤1.24; kubelet created it until 1.27)',
  'KUBE-POSTROUTING': 'masquerades packets that carry the masquerade mark',
  'KUBE-PROXY-FIREWALL': 'drops LoadBalancer traffic that KUBE-FW-* did not accept (1.25+)',
  'KUBE-FIREWALL': 'kubelet/kube-proxy: blocks martian localnet traffic (or, ≤1.24, drops marked packets)',
  'KUBE-PROXY-CANARY': 'empty canary kube-proxy watches to detect a flush of its rules',
  'KUBE-KUBELET-CANARY': 'empty canary kubelet watches to detect a flush of its rules',
  'KUBE-NODE-PORT': 'IPVS mode: NodePort masquerade decisions by ipset',
  'KUBE-LOAD-BALANCER': 'IPVS mode: LoadBalancer masquerade decisions by ipset',
  'KUBE-SOURCE-RANGES-FIREWALL': 'IPVS mode: loadBalancerSourceRanges allow-list',
  'KUBE-IPVS-FILTER': 'IPVS mode: rejects traffic to VIP ports that are not Services',
  'KUBE-IPVS-OUT-FILTER': 'IPVS mode: blocks node access to source-range-restricted LB VIPs',
};

const KIND_TEXT: Readonly<Record<ChainIdentity['kind'], string>> = {
  SVC: 'Cluster-policy chain (load-balances over the Service\'s endpoints)',
  SVL: 'Local-policy chain (load-balances over node-local endpoints)',
  EXT: 'entry chain for external destinations (NodePort, external IP, LB IP)',
  FW: 'loadBalancerSourceRanges chain',
  XLB: 'externalTrafficPolicy=Local chain (≤1.23 layout)',
  SEP: 'endpoint chain (hairpin masquerade + DNAT to one endpoint)',
};

/** One node's dump as `explain` shows it. */
export interface ExplainNode {
  readonly name: string;
  readonly ruleset?: Ruleset;
}

/** A rule shown by `explain`. */
export interface ExplainRule {
  readonly table: string;
  readonly chain: string;
  readonly position: number;
  readonly raw: string;
  readonly where: string;
}

/** What `kpath explain CHAIN` found: the chain's identity and its rules on each node. */
export interface ChainExplanation {
  readonly chain: string;
  readonly identity?: ChainIdentity;
  /** For kube-proxy's fixed chains. */
  readonly fixed?: string;
  /** When the name was given as a unique prefix. */
  readonly expandedFrom?: string;
  readonly pod?: string;
  readonly nodes: readonly {
    readonly node: string;
    readonly hasDump: boolean;
    readonly chains: readonly { readonly table: string; readonly where: string; readonly rules: readonly ExplainRule[] }[];
    readonly referrers: readonly ExplainRule[];
  }[];
}

function toRule(r: { table: string; chain: string; position: number; raw: string; loc: { file: string; line: number } }): ExplainRule {
  return { table: r.table, chain: r.chain, position: r.position, raw: r.raw, where: `${r.loc.file}:${r.loc.line}` };
}

function podOf(cluster: Cluster, id: ChainIdentity | undefined): string | undefined {
  if (!id?.endpoint) return undefined;
  const ip = id.endpoint.replace(/^\[/, '').replace(/\]?:\d+$/, '');
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== id.servicePort.namespace || s.serviceName !== id.servicePort.name) continue;
    const e = s.endpoints.find((x) => x.addresses.includes(ip));
    if (e?.targetRef) return `${e.targetRef.namespace ?? s.namespace}/${e.targetRef.name}${e.nodeName ? ` on ${e.nodeName}` : ''}`;
  }
  return undefined;
}

/**
 * Explains one chain name: what it is (Service port, endpoint, how identified) and its rules on
 * each node. `undefined` when the name is neither known to the index, present in a dump, nor a
 * fixed kube-proxy chain. A unique prefix of a present or known name is accepted.
 */
export function explainChain(cluster: Cluster, nodes: readonly ExplainNode[], name: string): ChainExplanation | undefined {
  const rulesets = nodes.flatMap((n) => (n.ruleset ? [n.ruleset] : []));
  const index = buildChainIndex(cluster, rulesets);
  const present = new Set(rulesets.flatMap((rs) => [...rs.tables.values()].flatMap((t) => [...t.chains.keys()])));
  let chain = name;
  let expandedFrom: string | undefined;
  if (!present.has(name) && !index.get(name) && !FIXED_CHAINS[name]) {
    const hits = [...new Set([...present, ...index.entries.keys()])].filter((c) => c.startsWith(name) && parseHashedChain(c));
    if (hits.length !== 1 || name.length < 10) return undefined;
    chain = hits[0]!;
    expandedFrom = name;
  }
  const identity = index.get(chain);
  const fixed = FIXED_CHAINS[chain];
  const perNode = nodes.map((n) => {
    if (!n.ruleset) return { node: n.name, hasDump: false, chains: [], referrers: [] };
    const chains = chainsNamed(n.ruleset, chain).map(({ table, chain: c }) => ({
      table, where: `${c.loc.file}:${c.loc.line}`, rules: c.rules.map(toRule),
    }));
    return { node: n.name, hasDump: true, chains, referrers: rulesJumpingTo(n.ruleset, chain).map(toRule) };
  });
  if (!identity && !fixed && !present.has(chain)) return undefined;
  const pod = podOf(cluster, identity);
  return { chain, ...(identity ? { identity } : {}), ...(fixed ? { fixed } : {}), ...(expandedFrom ? { expandedFrom } : {}), ...(pod ? { pod } : {}), nodes: perNode };
}

function identityLines(e: ChainExplanation, s: Style): string[] {
  const id = e.identity;
  if (!id) {
    if (e.fixed) return [`  ${e.fixed}`];
    const p = parseHashedChain(e.chain);
    return p
      ? [`  ${s.yellow('unknown')}: no Service port in the snapshot hashes to ${p.suffix}, and no rule comment names one`]
      : [`  ${s.yellow('unknown')}: not a kube-proxy chain kpath knows`];
  }
  const sp = id.servicePort;
  const portText = sp.port !== undefined ? `port ${sp.port}/${sp.protocol}` : sp.protocol;
  const out = [`  ${KIND_TEXT[id.kind]}`];
  out.push(`  Service port ${s.cyan(displaySpn(sp))} (${portText})${id.inSnapshot || id.kind === 'SEP' ? '' : ' — not in the snapshot\'s Services'}`);
  if (id.endpoint) out.push(`  endpoint ${s.cyan(id.endpoint)}${e.pod ? ` (pod ${e.pod})` : ''}${id.inSnapshot ? '' : ' — not in the snapshot\'s EndpointSlices'}`);
  if (id.how === 'hash') {
    const p = parseHashedChain(id.chain);
    out.push(`  identified by hash: ${s.bold(`sha256("${id.hashInput ?? ''}")`)} → base32 ${p?.suffix ?? ''} (kube-proxy's portProtoHash)`);
    out.push(`  candidate from ${id.from === 'snapshot' ? 'the snapshot\'s Services and EndpointSlices' : 'the rules\' comments and DNAT targets'}`);
  } else {
    out.push(`  ${s.yellow('from comment (hash did not match)')}: no candidate Service port hashes to this name`);
  }
  return out;
}

/** Text for `kpath explain`. */
export function renderExplainText(e: ChainExplanation, s: Style): string {
  const lines = [s.bold(e.chain)];
  if (e.expandedFrom) lines.push(s.dim(`  (the only chain starting with ${e.expandedFrom})`));
  lines.push(...identityLines(e, s), '');
  for (const n of e.nodes) {
    if (!n.hasDump) {
      lines.push(`${s.bold(n.node)}  ${s.dim('no iptables-save.txt')}`, '');
      continue;
    }
    if (n.chains.length === 0) {
      lines.push(`${s.bold(n.node)}  ${s.dim('chain not present')}`, '');
      continue;
    }
    for (const c of n.chains) {
      lines.push(`${s.bold(n.node)}  ${c.table} ${e.chain}  ${s.dim(c.where)}`);
      if (c.rules.length === 0) lines.push(`    ${s.dim('(no rules)')}`);
      const file = c.where.replace(/:\d+$/, '');
      // The chain's file is on its header line; rules show only their line.
      for (const r of c.rules) lines.push(`    #${String(r.position).padEnd(3)} ${r.raw}  ${s.dim(r.where.startsWith(`${file}:`) ? r.where.slice(file.length) : r.where)}`);
    }
    if (n.referrers.length > 0) {
      lines.push('  jumped to from:');
      for (const r of n.referrers) lines.push(`    ${r.table} ${r.chain} #${r.position}  ${s.dim(r.where)}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
