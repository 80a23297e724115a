import { buildCluster } from '../k8s/parse.js';
import { buildChainIndex } from '../kube/chain-names.js';
import { canonicalIp, parseIp } from '../netfilter/cidr.js';
import { parseIptablesSave } from '../netfilter/iptables/parse.js';
import type { Ruleset } from '../netfilter/model.js';
import { parseJsonText, parseYamlDocs } from '../snapshot/json-text.js';
import { chainRenamer } from './chains.js';
import { collectAws, collectKubernetes, collectRuleComments } from './collect.js';
import {
  formatJsonLike, formatYamlDocs, K8S_VOCABULARY, mapStrings, rewriteAws, rewriteIpJson, rewriteIpvsadm, rewriteJsonWithNames, rewriteKubernetes, rewriteLineDump,
} from './formats.js';
import { createIpMapper, mapAddressText } from './ip.js';
import { findLeaks, type Leak } from './leaks.js';
import { Pseudonyms } from './names.js';
import { rewriteText, type Rewriter } from './text.js';

/** One file of a snapshot: its path relative to the snapshot directory ('/'-separated) and text. */
export interface SnapshotFile {
  readonly path: string;
  readonly text: string;
}

/** The owner's key to a redacted snapshot (never written into it). */
export interface RedactMapping {
  readonly schema: 'kpath/redact-mapping/v1';
  readonly salt: string;
  readonly addresses: Readonly<Record<string, string>>;
  readonly names: Readonly<Record<string, string>>;
  readonly chains: Readonly<Record<string, string>>;
  readonly awsIds: Readonly<Record<string, string>>;
  readonly accounts: Readonly<Record<string, string>>;
  readonly macs: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
}

/** A redacted snapshot: its files, the files not copied, the mapping and any original value still found. */
export interface RedactResult {
  readonly files: readonly SnapshotFile[];
  /** Files that are not part of a snapshot (README.md …): not copied, since they may say anything. */
  readonly skipped: readonly string[];
  readonly mapping: RedactMapping;
  readonly leaks: readonly Leak[];
}

type FileKind = 'meta' | 'k8s-json' | 'k8s-yaml' | 'iptables' | 'ipset' | 'ipvsadm' | 'ip-json' | 'nft' | 'aws';

const NODE_FILES: Readonly<Record<string, FileKind>> = {
  'iptables-save.txt': 'iptables', 'ip6tables-save.txt': 'iptables', 'ipset-save.txt': 'ipset', 'ipvsadm.txt': 'ipvsadm',
  'ip-addr.json': 'ip-json', 'ip-route.json': 'ip-json', 'nft-ruleset.json': 'nft',
};

/** Which snapshot file this is (shared/spec/snapshot.md); undefined for anything else. */
function classify(path: string): FileKind | undefined {
  const parts = path.split('/');
  if (path === 'kpath-snapshot.json') return 'meta';
  if (parts[0] === 'k8s') return /\.json$/.test(path) ? 'k8s-json' : /\.ya?ml$/.test(path) ? 'k8s-yaml' : undefined;
  if (parts[0] === 'nodes' && parts.length === 3) return NODE_FILES[parts[2]!];
  if (parts[0] === 'aws' && path.endsWith('.json') && parts.length <= 3) return 'aws';
  return undefined;
}

interface Parsed {
  readonly file: SnapshotFile;
  readonly kind: FileKind;
  readonly display: string;
  readonly docs?: unknown[];
  readonly json?: unknown;
  readonly ruleset?: Ruleset;
}

function parseFile(file: SnapshotFile, kind: FileKind, display: string): Parsed {
  switch (kind) {
    case 'k8s-json': return { file, kind, display, docs: [parseJsonText(file.text, display)] };
    case 'k8s-yaml': return { file, kind, display, docs: parseYamlDocs(file.text, display) };
    case 'meta': case 'aws': case 'ip-json': case 'nft': return { file, kind, display, json: parseJsonText(file.text, display) };
    case 'iptables': return { file, kind, display, ruleset: parseIptablesSave(file.text, { file: display, family: file.path.endsWith('ip6tables-save.txt') ? 6 : 4 }) };
    default: return { file, kind, display };
  }
}

function collect(names: Pseudonyms, parsed: readonly Parsed[]): void {
  collectKubernetes(names, parsed.flatMap((p) => p.docs ?? []));
  for (const p of parsed) {
    if (p.kind === 'aws') collectAws(names, p.json);
    if (p.kind === 'meta') {
      const cluster = (p.json as Record<string, unknown> | null)?.cluster;
      if (typeof cluster === 'string') names.addName(cluster, 'cluster');
    }
    const parts = p.file.path.split('/');
    if (parts[0] === 'nodes' && parts[1]) names.addName(parts[1], 'node');
  }
  collectRuleComments(names, parsed.flatMap((p) => (p.ruleset ? [p.ruleset] : [])));
}

/** The string values of a JSON-like value (what the leak check reads: keys are field names, `skip` fields vocabulary). */
function stringValues(v: unknown, skip: ReadonlySet<string> = new Set()): string {
  const out: string[] = [];
  mapStrings(v, (s, key) => {
    if (!skip.has(key)) out.push(s);
    return s;
  });
  return out.join('\n');
}

/** The rewritten text of a file and, for JSON and YAML, its string values. */
function rewriteFile(rw: Rewriter, p: Parsed): { text: string; values?: string } {
  const json = (v: unknown, text: string) => ({ text, values: stringValues(v, p.kind.startsWith('k8s') ? K8S_VOCABULARY : undefined) });
  switch (p.kind) {
    case 'k8s-json': { const v = rewriteKubernetes(rw, p.docs!)[0]; return json(v, formatJsonLike(p.file.text, v)); }
    case 'k8s-yaml': { const v = rewriteKubernetes(rw, p.docs!); return json(v, formatYamlDocs(v)); }
    case 'aws': { const v = rewriteAws(rw, p.json); return json(v, formatJsonLike(p.file.text, v)); }
    case 'ip-json': { const v = rewriteIpJson(rw, p.json); return json(v, formatJsonLike(p.file.text, v)); }
    case 'meta': case 'nft': { const v = rewriteJsonWithNames(rw, p.json); return json(v, formatJsonLike(p.file.text, v)); }
    case 'iptables': case 'ipset': return { text: rewriteLineDump(rw, p.file.text) };
    case 'ipvsadm': return { text: rewriteIpvsadm(rw, p.file.text) };
  }
}

/** nodes/<node>/…, aws/<kind>/<lb-or-tg>.json and k8s/ file names carry names too. */
function rewritePath(rw: Rewriter, path: string): string {
  return path.split('/').map((seg, i) => {
    if (i === 0) return seg;
    const ext = /\.(json|ya?ml|txt)$/.exec(seg)?.[0] ?? '';
    const stem = seg.slice(0, seg.length - ext.length);
    return `${rewriteText(rw, stem, { words: true, accounts: true })}${ext}`;
  }).join('/');
}

const ADDRESS_LIKE = /(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*)(?![\w.:]*\w)/g;

/**
 * Redacts a snapshot: every address (prefix-preserving, keyed by `salt`), every name of a
 * namespace, Service, Pod, Node, label value, load balancer, target group, DNS name, ARN, AWS ID,
 * account and MAC, consistently across all files, with kube-proxy chain hashes recomputed for the
 * new names. Pure: files in, files out. Throws KpathError for a file it cannot read.
 */
export function redactSnapshot(files: readonly SnapshotFile[], opts: { salt: string; root?: string }): RedactResult {
  const display = (p: string) => (opts.root ? `${opts.root.replace(/\/$/, '')}/${p}` : p);
  const skipped: string[] = [];
  const parsed: Parsed[] = [];
  for (const f of [...files].sort((a, z) => a.path.localeCompare(z.path))) {
    const kind = classify(f.path);
    if (kind === undefined) skipped.push(f.path);
    else parsed.push(parseFile(f, kind, display(f.path)));
  }
  const names = new Pseudonyms(opts.salt);
  collect(names, parsed);
  const ips = createIpMapper(opts.salt);
  const ipMapping = new Map<string, string>();
  const rulesets = parsed.flatMap((p) => (p.ruleset ? [p.ruleset] : []));
  const cluster = buildCluster(parsed.flatMap((p) => (p.docs ?? []).map((doc) => ({ file: p.display, doc }))));
  const chains = chainRenamer({ ips, names, ipMapping }, buildChainIndex(cluster, rulesets), opts.salt);
  const rw: Rewriter = { ips, names, ipMapping, chain: chains.rename };

  const out: SnapshotFile[] = [];
  const searched: { path: string; text: string; search?: string }[] = [];
  const fileMap: Record<string, string> = {};
  for (const p of parsed) {
    const path = rewritePath(rw, p.file.path);
    fileMap[p.file.path] = path;
    const { text, values } = rewriteFile(rw, p);
    out.push({ path, text });
    searched.push({ path, text, ...(values !== undefined ? { search: values } : {}) });
  }
  // Bare addresses of every rewritten prefix too, so a mapping lookup by address always works.
  for (const k of [...ipMapping.keys()]) {
    const bare = k.split('/')[0]!;
    if (bare !== k && !ipMapping.has(bare)) ipMapping.set(bare, mapAddressText(ips, bare) ?? bare);
  }
  const originalsAddr = new Set<string>();
  for (const p of parsed) {
    for (const m of p.file.text.matchAll(ADDRESS_LIKE)) {
      const ip = parseIp(m[0]);
      if (ip && !ips.isKept(ip)) originalsAddr.add(canonicalIp(m[0]));
    }
  }
  const producedAddr = new Set([...ipMapping.values()].map((v) => canonicalIp(v.split('/')[0]!)));
  const changedNames = [...names.mapping.names].filter(([a, b]) => a !== b);
  const leaks = findLeaks(searched, {
    names: new Set(changedNames.map(([a]) => a)),
    ids: new Set([...names.mapping.ids.keys(), ...names.mapping.accounts.keys()]),
    addresses: originalsAddr,
  }, { names: new Set(changedNames.map(([, b]) => b)), addresses: producedAddr });
  const obj = (m: ReadonlyMap<string, string>) => Object.fromEntries([...m].filter(([a, b]) => a !== b).sort(([a], [z]) => a.localeCompare(z)));
  return {
    files: out,
    skipped,
    mapping: {
      schema: 'kpath/redact-mapping/v1', salt: opts.salt,
      addresses: Object.fromEntries([...ipMapping].sort(([a], [z]) => a.localeCompare(z))), names: obj(names.mapping.names), chains: obj(chains.mapping),
      awsIds: obj(names.mapping.ids), accounts: obj(names.mapping.accounts), macs: obj(names.mapping.macs),
      files: Object.fromEntries(Object.entries(fileMap).filter(([a, b]) => a !== b)),
    },
    leaks,
  };
}
