import { stringify as yamlStringify } from 'yaml';
import { rewriteText, type Rewriter, type TextOptions } from './text.js';

// Per-format rewriting. JSON and YAML are rewritten value by value (keys stay: they are field
// names); line dumps token by token, with names rewritten only where the format has free text.

const NAMES: TextOptions = { words: true, accounts: true };
const ADDRESSES: TextOptions = { words: false, accounts: false };
// Free text inside a dump: names, but numbers are counters and ports, never account IDs.
const DUMP_TEXT: TextOptions = { words: true, accounts: false };

/** Every string value of a JSON-like value through `f`; keys and non-strings stay. */
export function mapStrings(v: unknown, f: (s: string, key: string, parent: Record<string, unknown> | undefined) => string, key = '', parent?: Record<string, unknown>): unknown {
  if (typeof v === 'string') return f(v, key, parent);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f, key, parent));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = mapStrings(x, f, k, o);
    return out;
  }
  return v;
}

/** JSON text in the original's layout: compact stays compact, indented keeps its indent width. */
export function formatJsonLike(original: string, v: unknown): string {
  const m = /^[[{]\r?\n([ \t]+)/.exec(original.trimStart());
  const body = m ? JSON.stringify(v, null, m[1]!.startsWith('\t') ? '\t' : m[1]!.length) : JSON.stringify(v);
  return original.endsWith('\n') ? `${body}\n` : body;
}

// Fields whose values are Kubernetes vocabulary (API groups, kinds, enums), never names: a
// namespace called `apps` must not turn `apiVersion: apps/v1` into something else.
export const K8S_VOCABULARY: ReadonlySet<string> = new Set([
  'apiVersion', 'kind', 'type', 'protocol', 'appProtocol', 'phase', 'operator', 'effect', 'reason', 'status', 'addressType',
  'ipFamilyPolicy', 'ipFamilies', 'externalTrafficPolicy', 'internalTrafficPolicy', 'sessionAffinity', 'ipMode',
  'imagePullPolicy', 'dnsPolicy', 'restartPolicy', 'preemptionPolicy', 'terminationMessagePolicy', 'qosClass',
]);

/** k8s/ JSON or YAML documents, every string value rewritten with names (vocabulary fields stay). */
export function rewriteKubernetes(rw: Rewriter, docs: readonly unknown[]): unknown[] {
  return docs.map((d) => mapStrings(d, (s, key) => (K8S_VOCABULARY.has(key) ? s : rewriteText(rw, s, NAMES))));
}

/** YAML documents as text (comments are not kept: they may name anything). */
export function formatYamlDocs(docs: readonly unknown[]): string {
  return docs.map((d) => yamlStringify(d, { lineWidth: 0 })).join('---\n');
}

/** AWS CLI JSON: names, IDs, accounts; a tag key keeps its text except a `kubernetes.io/cluster/NAME` name. */
export function rewriteAws(rw: Rewriter, v: unknown): unknown {
  return mapStrings(v, (s, key, parent) => {
    if (key === 'Key' && parent && typeof parent.Value === 'string') {
      return s.replace(/^(kubernetes\.io\/cluster\/)(.+)$/, (_m, a: string, b: string) => a + rewriteText(rw, b, NAMES));
    }
    return rewriteText(rw, s, NAMES);
  });
}

/** `ip -j addr` / `ip -j route` JSON: addresses and MACs only (interface, table and type names stay). */
export function rewriteIpJson(rw: Rewriter, v: unknown): unknown {
  return mapStrings(v, (s) => rewriteText(rw, s, ADDRESSES));
}

/** Any other JSON of the snapshot (nft ruleset, kpath-snapshot.json): addresses and names. */
export function rewriteJsonWithNames(rw: Rewriter, v: unknown): unknown {
  return mapStrings(v, (s) => rewriteText(rw, s, NAMES));
}

// A quoted string (iptables-save and ipset quote comments), a blank run, or any other token.
const LINE_TOKENS = /"(?:[^"\\]|\\.)*"|\s+|[^\s"]+|"/g;
const FREE_TEXT_OPTIONS = new Set(['--comment', '--log-prefix', '--nflog-prefix', 'comment']);

/**
 * Line dumps (iptables-save, ipset): chain names and addresses everywhere; names only inside
 * quoted strings and after `--comment` / `--log-prefix` (free text). Set, chain and interface
 * names, hex marks and port numbers are left as they are.
 */
export function rewriteLineDump(rw: Rewriter, text: string): string {
  return text.split('\n').map((line) => {
    let prev = '';
    return line.replace(LINE_TOKENS, (tok) => {
      if (/^\s+$/.test(tok)) return tok;
      const free = tok.startsWith('"') || FREE_TEXT_OPTIONS.has(prev);
      prev = tok;
      if (tok.startsWith('"') && tok.length >= 2 && tok.endsWith('"')) return `"${rewriteText(rw, tok.slice(1, -1), DUMP_TEXT)}"`;
      return rewriteText(rw, tok, free ? DUMP_TEXT : ADDRESSES);
    });
  }).join('\n');
}

/** ipvsadm output: addresses only. */
export function rewriteIpvsadm(rw: Rewriter, text: string): string {
  return rewriteText(rw, text, ADDRESSES);
}
