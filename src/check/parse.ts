import YAML, { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { KpathError, type SourceLoc } from '../errors.js';
import { parseCidr, parseIp } from '../netfilter/cidr.js';
import type { ClientIpVerdict } from '../path/model.js';
import { positionOf, textError } from '../snapshot/json-text.js';
import type { EndpointMatcher, Expectation } from './model.js';
import { parseLabelSelector } from './selector.js';

/** Keys an expectation may have, in the order the README documents them. */
export const EXPECTATION_KEYS = ['name', 'svc', 'port', 'from', 'client', 'reachable', 'clientIp', 'preservedShare', 'endpoints', 'minShare', 'sources'] as const;
const ASSERTING = ['reachable', 'clientIp', 'preservedShare', 'endpoints', 'sources'] as const;
const CLIENT_IP: readonly ClientIpVerdict[] = ['preserved', 'lost', 'partial', 'proxy-protocol', 'unknown'];

interface Src {
  readonly text: string;
  readonly file: string;
  readonly doc: Document;
}

function locOf(src: Src, node: Node | Pair | null | undefined, fallback = 0): { loc: SourceLoc; token: string; sourceLine: string | undefined } {
  const range = node && 'range' in node ? node.range : undefined;
  const start = range?.[0] ?? fallback;
  const end = range?.[1] ?? start + 1;
  const { line, column } = positionOf(src.text, start);
  const sourceLine = src.text.split('\n')[line - 1];
  const token = src.text.slice(start, end).split('\n')[0] || ' ';
  return { loc: { file: src.file, line, column }, token, sourceLine };
}

function fail(src: Src, node: Node | null | undefined, code: string, message: string, hint?: string): never {
  const at = locOf(src, node);
  throw new KpathError(code, message, { ...at, ...(hint ? { hint } : {}) });
}

function resolve(src: Src, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(src.doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string') return `the string "${v}"`;
    return `${typeof v} ${String(v)}`;
  }
  return 'something else';
}

/** Small edit distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
    }
  }
  return d[a.length]![b.length]!;
}

function keyHint(key: string, known: readonly string[]): string {
  const best = Math.min(...known.map((k) => distance(key, k)));
  const near = best <= 2 ? known.filter((k) => distance(key, k) === best) : [];
  return near.length > 0 ? `did you mean ${near.join(' or ')}? (keys: ${known.join(', ')})` : `keys: ${known.join(', ')}`;
}

/** The pairs of a mapping with string keys, rejecting keys not in `known`. */
function entries(src: Src, map: YAMLMap, known: readonly string[], what: string): Map<string, { key: Node; value: Node | null }> {
  const out = new Map<string, { key: Node; value: Node | null }>();
  for (const pair of map.items) {
    const key = resolve(src, pair.key);
    if (!isScalar(key) || typeof key.value !== 'string') fail(src, key, 'E_EXPECT_KEY', `${what} keys must be words, got ${describe(key)}`);
    const name = key.value;
    if (!known.includes(name)) fail(src, key, 'E_EXPECT_KEY', `unknown key "${name}" in ${what}`, keyHint(name, known));
    out.set(name, { key, value: resolve(src, pair.value) });
  }
  return out;
}

function str(src: Src, node: Node | null, key: string): string {
  if (!isScalar(node) || typeof node.value !== 'string') fail(src, node, 'E_EXPECT_TYPE', `${key} wants a string, got ${describe(node)}`);
  if (node.value.trim() === '') fail(src, node, 'E_EXPECT_VALUE', `${key} is empty`);
  return node.value;
}

function bool(src: Src, node: Node | null, key: string): boolean {
  if (!isScalar(node) || typeof node.value !== 'boolean') fail(src, node, 'E_EXPECT_TYPE', `${key} wants true or false, got ${describe(node)}`);
  return node.value;
}

function share(src: Src, node: Node | null, key: string): number {
  if (!isScalar(node) || typeof node.value !== 'number') fail(src, node, 'E_EXPECT_TYPE', `${key} wants a number from 0 to 1, got ${describe(node)}`, 'shares are fractions: 1.0 is all of the traffic, 0.5 half');
  if (!(node.value >= 0 && node.value <= 1)) fail(src, node, 'E_EXPECT_VALUE', `${key} wants a number from 0 to 1, got ${node.value}`, 'shares are fractions: 1.0 is all of the traffic, 0.5 half');
  return node.value;
}

function portOf(src: Src, node: Node | null): string {
  if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value > 0 && node.value <= 65535) return String(node.value);
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') return node.value;
  return fail(src, node, 'E_EXPECT_TYPE', `port wants a port name or number (1-65535), got ${describe(node)}`);
}

function preservedShareOf(src: Src, node: Node | null): { min?: number; max?: number } {
  if (!isMap(node)) fail(src, node, 'E_EXPECT_TYPE', `preservedShare wants a mapping {min: N, max: N}, got ${describe(node)}`);
  const e = entries(src, node, ['min', 'max'], 'preservedShare');
  const min = e.has('min') ? share(src, e.get('min')!.value, 'preservedShare.min') : undefined;
  const max = e.has('max') ? share(src, e.get('max')!.value, 'preservedShare.max') : undefined;
  if (min === undefined && max === undefined) fail(src, node, 'E_EXPECT_MISSING', 'preservedShare needs min, max or both');
  if (min !== undefined && max !== undefined && min > max) fail(src, e.get('min')!.value, 'E_EXPECT_VALUE', `preservedShare.min ${min} is above max ${max}`);
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function endpointsOf(src: Src, node: Node | null, at: Record<string, SourceLoc>): EndpointMatcher {
  if (!isMap(node)) fail(src, node, 'E_EXPECT_TYPE', `endpoints wants a mapping {selector: LABELS} or {pods: [NAMESPACE/NAME, …]}, got ${describe(node)}`);
  const e = entries(src, node, ['selector', 'pods'], 'endpoints');
  if (e.size !== 1) fail(src, node, e.size === 0 ? 'E_EXPECT_MISSING' : 'E_EXPECT_VALUE', 'endpoints wants exactly one of selector or pods');
  const sel = e.get('selector');
  if (sel) {
    const text = str(src, sel.value, 'endpoints.selector');
    const parsed = parseLabelSelector(text);
    if ('offset' in parsed) {
      // Point into the selector string when it is written plain (unquoted), else at its start.
      const v = sel.value as Node;
      const plain = isScalar(v) && v.type === 'PLAIN';
      const offset = (v.range?.[0] ?? 0) + (plain ? parsed.offset : 0);
      throw textError('E_EXPECT_VALUE', `endpoints.selector ${parsed.message}`, src.text, src.file, offset, {
        token: text.slice(parsed.offset, parsed.offset + 1) || ' ', hint: 'a label selector as kubectl -l takes it: app=traefik, tier in (web,api), !canary',
      });
    }
    return { kind: 'selector', text, requirements: parsed };
  }
  const podsNode = e.get('pods')!.value;
  if (!isSeq(podsNode)) fail(src, podsNode, 'E_EXPECT_TYPE', `endpoints.pods wants a list of NAMESPACE/NAME, got ${describe(podsNode)}`);
  if (podsNode.items.length === 0) fail(src, podsNode, 'E_EXPECT_VALUE', 'endpoints.pods is empty');
  const pods = podsNode.items.map((it) => {
    const n = resolve(src, it);
    const p = str(src, n, 'endpoints.pods[]');
    if (!/^[^/\s]+\/[^/\s]+$/.test(p)) fail(src, n, 'E_EXPECT_VALUE', `endpoints.pods wants NAMESPACE/NAME, got "${p}"`);
    at[`pod:${p}`] = locOf(src, n).loc;
    return p;
  });
  return { kind: 'pods', pods };
}

function sourcesOf(src: Src, node: Node | null): string[] {
  if (!isSeq(node)) fail(src, node, 'E_EXPECT_TYPE', `sources wants a list of addresses or CIDRs, got ${describe(node)}`);
  if (node.items.length === 0) fail(src, node, 'E_EXPECT_VALUE', 'sources is empty: no delivered path could pass');
  return node.items.map((it) => {
    const n = resolve(src, it);
    const v = str(src, n, 'sources[]');
    if (!parseCidr(v)) fail(src, n, 'E_EXPECT_VALUE', `sources wants an address or CIDR, got "${v}"`);
    return v;
  });
}

function defaultName(svc: string, port: string | undefined, from: string): string {
  return `${svc}${port !== undefined ? ` port ${port}` : ''} from ${from}`;
}

function expectationOf(src: Src, node: Node | null): Expectation {
  if (!isMap(node)) fail(src, node, 'E_EXPECT_TYPE', `an expectation is a mapping (svc:, from:, …), got ${describe(node)}`);
  const e = entries(src, node, EXPECTATION_KEYS, 'an expectation');
  const at: Record<string, SourceLoc> = {};
  for (const [k, v] of e) at[k] = locOf(src, v.value ?? v.key).loc;
  const need = (k: string): Node | null => {
    const v = e.get(k);
    if (!v) fail(src, node, 'E_EXPECT_MISSING', `the expectation has no ${k}`, k === 'from' ? 'from: internet | node:NAME | pod:NAMESPACE/NAME | ip:ADDRESS' : 'svc: NAMESPACE/NAME');
    return v.value;
  };
  const svc = str(src, need('svc'), 'svc');
  const from = str(src, need('from'), 'from');
  const port = e.has('port') ? portOf(src, e.get('port')!.value) : undefined;
  let client: string | undefined;
  if (e.has('client')) {
    const c = e.get('client')!.value;
    client = str(src, c, 'client');
    if (!parseIp(client)) fail(src, c, 'E_EXPECT_VALUE', `client wants an IP address, got "${client}"`);
  }
  const name = e.has('name') ? str(src, e.get('name')!.value, 'name') : undefined;
  let clientIp: ClientIpVerdict | undefined;
  if (e.has('clientIp')) {
    const c = e.get('clientIp')!.value;
    const v = str(src, c, 'clientIp');
    if (!(CLIENT_IP as readonly string[]).includes(v)) fail(src, c, 'E_EXPECT_VALUE', `clientIp wants ${CLIENT_IP.join(', ')}, got "${v}"`);
    clientIp = v as ClientIpVerdict;
  }
  const endpoints = e.has('endpoints') ? endpointsOf(src, e.get('endpoints')!.value, at) : undefined;
  let minShare: number | undefined;
  if (e.has('minShare')) {
    const m = e.get('minShare')!;
    minShare = share(src, m.value, 'minShare');
    if (!endpoints) fail(src, m.key, 'E_EXPECT_MISSING', 'minShare is the share delivered to the pods named by endpoints: add endpoints');
  }
  if (!ASSERTING.some((k) => e.has(k))) fail(src, node, 'E_EXPECT_MISSING', `the expectation asserts nothing: give at least one of ${ASSERTING.join(', ')}`);
  return {
    name: name ?? defaultName(svc, port, from),
    isNamed: name !== undefined,
    loc: locOf(src, node).loc,
    at,
    query: { svc, from, ...(port !== undefined ? { port } : {}), ...(client !== undefined ? { client } : {}) },
    ...(e.has('reachable') ? { reachable: bool(src, e.get('reachable')!.value, 'reachable') } : {}),
    ...(clientIp ? { clientIp } : {}),
    ...(e.has('preservedShare') ? { preservedShare: preservedShareOf(src, e.get('preservedShare')!.value) } : {}),
    ...(endpoints ? { endpoints } : {}),
    ...(minShare !== undefined ? { minShare } : {}),
    ...(e.has('sources') ? { sources: sourcesOf(src, e.get('sources')!.value) } : {}),
  };
}

/**
 * Reads an expectations file: a YAML list of expectations, or a mapping whose only key is
 * `expectations`. Validation is strict: an unknown key or a value of the wrong type is an error
 * naming file:line:column, so a typo never turns into a check that silently passes.
 */
export function parseExpectations(text: string, file: string): Expectation[] {
  const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const src: Src = { text, file, doc };
  const err = doc.errors[0];
  if (err) {
    throw textError('E_YAML_BAD', `not valid YAML: ${err.message.split('\n')[0]}`, text, file, err.pos[0], { token: text.slice(err.pos[0], err.pos[1]).split('\n')[0] || ' ' });
  }
  let list = resolve(src, doc.contents);
  if (isMap(list)) list = entries(src, list, ['expectations'], 'the top level').get('expectations')?.value ?? null;
  if (!isSeq(list)) {
    fail(src, list, list === null ? 'E_EXPECT_MISSING' : 'E_EXPECT_TYPE', `an expectations file is a list of expectations (or expectations: [...]), got ${describe(list)}`,
      'kpath check --help shows the schema');
  }
  if (list.items.length === 0) fail(src, list, 'E_EXPECT_MISSING', 'the file holds no expectations: a check of nothing would always pass');
  return list.items.map((it) => expectationOf(src, resolve(src, it)));
}
