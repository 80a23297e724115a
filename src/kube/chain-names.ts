import type { Cluster, Service, ServicePort } from '../k8s/model.js';
import type { Chain, Rule, Ruleset } from '../netfilter/model.js';
import { joinHostPort, servicePortChainSuffix, endpointChainSuffix, servicePortName, type ProtoWord } from './chain-hash.js';

/** The per-service-port chain families kube-proxy names by hash (kube-proxy.md §1.1, §2). */
export type ChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW' | 'XLB' | 'SEP';

/** A Service port as a chain name encodes it. */
export interface ChainServicePort {
  readonly namespace: string;
  readonly name: string;
  readonly portName?: string;
  readonly protocol: ProtoWord;
  /** The exact ServicePortName string that was hashed: "ns/name:port", "ns/name", or ≤1.17 "ns/name:". */
  readonly spn: string;
  /** The Service's port number, when the Service is in the snapshot. */
  readonly port?: number;
}

/** What one KUBE-SVC/SVL/EXT/FW/XLB/SEP chain is, and how kpath knows. */
export interface ChainIdentity {
  readonly chain: string;
  readonly kind: ChainKind;
  readonly servicePort: ChainServicePort;
  /** SEP chains: the endpoint as hashed, JoinHostPort(ip, port). */
  readonly endpoint?: string;
  /**
   * `hash`: recomputing kube-proxy's hash of `hashInput` gives the chain's suffix.
   * `comment`: no candidate hashed to it; a rule comment names the Service port.
   */
  readonly how: 'hash' | 'comment';
  /** The exact string hashed (spn + proto [+ endpoint]) when `how` is `hash`. */
  readonly hashInput?: string;
  /** `snapshot`: the candidate came from Services/EndpointSlices; `rules`: from the dump's comments or DNAT targets. */
  readonly from: 'snapshot' | 'rules';
  /** Whether the Service port (and, for SEP, the endpoint) is in the snapshot's k8s objects. */
  readonly inSnapshot: boolean;
  readonly note?: string;
}

/** Chain name → identity for every hashed kube-proxy chain kpath could name. */
export interface ChainIndex {
  readonly entries: ReadonlyMap<string, ChainIdentity>;
  get(chain: string): ChainIdentity | undefined;
  /** A short label for a chain name ("demo/web:http", "demo/web:http → 10.244.1.5:8080"), or undefined. */
  label(chain: string): string | undefined;
}

/** `KUBE-SEP-ABCDEFGHIJKLMNOP` → kind and 16-character suffix. */
export const HASHED_CHAIN = /^KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-([A-Z2-7]{16})$/;

const PROTOS: readonly ProtoWord[] = ['tcp', 'udp', 'sctp'];
const SERVICE_KINDS: readonly Exclude<ChainKind, 'SEP'>[] = ['SVC', 'SVL', 'EXT', 'FW', 'XLB'];

// "ns/name:port" inside a kube-proxy comment ("demo/web:http cluster IP", "masquerade traffic for
// demo/web:http external destinations", "demo/web:http -> 10.244.1.5:8080"). Names are DNS-1123.
const SPN_IN_COMMENT = /(?<![\w./-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)(:[-a-z0-9]*)?(?![\w/])/g;

/** Splits a hashed chain name; undefined for any other chain. */
export function parseHashedChain(chain: string): { kind: ChainKind; suffix: string } | undefined {
  const m = HASHED_CHAIN.exec(chain);
  return m ? { kind: m[1] as ChainKind, suffix: m[2]! } : undefined;
}

/** The ServicePortName strings kube-proxy hashed for a port: current form, plus ≤1.17's `ns/svc:` for unnamed ports. */
export function spnForms(namespace: string, name: string, portName: string | undefined): string[] {
  const current = servicePortName(namespace, name, portName);
  return portName ? [current] : [current, `${current}:`];
}

function protoWord(p: ServicePort['protocol']): ProtoWord {
  return p.toLowerCase() as ProtoWord;
}

/** "demo/web:http" for display; the ≤1.17 trailing colon is dropped. */
export function displaySpn(sp: ChainServicePort): string {
  return servicePortName(sp.namespace, sp.name, sp.portName);
}

function parseSpn(spn: string, protocol: ProtoWord, port?: number): ChainServicePort {
  const slash = spn.indexOf('/');
  const colon = spn.indexOf(':', slash);
  const namespace = spn.slice(0, slash);
  const name = colon < 0 ? spn.slice(slash + 1) : spn.slice(slash + 1, colon);
  const portName = colon < 0 || colon === spn.length - 1 ? undefined : spn.slice(colon + 1);
  return { namespace, name, ...(portName ? { portName } : {}), protocol, spn, ...(port !== undefined ? { port } : {}) };
}

/** Endpoints of one Service port from its EndpointSlices, as JoinHostPort strings. */
export function sliceEndpointsOf(cluster: Cluster, svc: Service, port: ServicePort): string[] {
  const out = new Set<string>();
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== svc.namespace || s.serviceName !== svc.name || s.addressType === 'FQDN') continue;
    const sp = s.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
    if (sp?.port === undefined) continue;
    for (const e of s.endpoints) for (const a of e.addresses) out.add(joinHostPort(a, sp.port));
  }
  return [...out];
}

function addForward(entries: Map<string, ChainIdentity>, cluster: Cluster): void {
  for (const svc of cluster.services) {
    for (const port of svc.ports) {
      const proto = protoWord(port.protocol);
      const endpoints = sliceEndpointsOf(cluster, svc, port);
      for (const spn of spnForms(svc.namespace, svc.name, port.name)) {
        const sp = parseSpn(spn, proto, port.port);
        const suffix = servicePortChainSuffix(spn, proto);
        for (const kind of SERVICE_KINDS) {
          const chain = `KUBE-${kind}-${suffix}`;
          if (!entries.has(chain)) entries.set(chain, { chain, kind, servicePort: sp, how: 'hash', hashInput: spn + proto, from: 'snapshot', inSnapshot: true });
        }
        for (const ep of endpoints) {
          const chain = `KUBE-SEP-${endpointChainSuffix(spn, proto, ep)}`;
          if (!entries.has(chain)) {
            entries.set(chain, { chain, kind: 'SEP', servicePort: sp, endpoint: ep, how: 'hash', hashInput: spn + proto + ep, from: 'snapshot', inSnapshot: true });
          }
        }
      }
    }
  }
}

/** Service ports named in comments, e.g. "demo/web:http cluster IP" → "demo/web:http". */
export function commentSpns(text: string): string[] {
  return [...text.matchAll(SPN_IN_COMMENT)].map((m) => `${m[1]}/${m[2]}${m[3] ?? ''}`);
}

function ruleComments(r: Rule): string[] {
  return r.matches.flatMap((m) => (m.kind === 'comment' ? [m.text] : []));
}

function ruleProtos(r: Rule): ProtoWord[] {
  return r.matches.flatMap((m) => (m.kind === 'proto' && !m.negated && (PROTOS as readonly string[]).includes(m.name) ? [m.name as ProtoWord] : []));
}

function jumpTarget(r: Rule): string | undefined {
  return r.target.kind === 'jump' || r.target.kind === 'goto' ? r.target.chain : undefined;
}

/** What the dumps say about one hashed chain: comments, protocols and DNAT targets on and around it. */
interface RuleEvidence {
  readonly spns: Set<string>;
  readonly protos: Set<ProtoWord>;
  readonly dnat: Set<string>;
  readonly referrers: Set<string>;
}

function gatherEvidence(rulesets: readonly Ruleset[]): Map<string, RuleEvidence> {
  const ev = new Map<string, RuleEvidence>();
  const of = (chain: string): RuleEvidence => {
    let e = ev.get(chain);
    if (!e) {
      e = { spns: new Set(), protos: new Set(), dnat: new Set(), referrers: new Set() };
      ev.set(chain, e);
    }
    return e;
  };
  for (const rs of rulesets) {
    for (const table of rs.tables.values()) {
      for (const chain of table.chains.values()) {
        const own = HASHED_CHAIN.test(chain.name) ? of(chain.name) : undefined;
        for (const r of chain.rules) {
          const comments = ruleComments(r).flatMap(commentSpns);
          const protos = ruleProtos(r);
          if (own) {
            comments.forEach((s) => own.spns.add(s));
            protos.forEach((p) => own.protos.add(p));
            if (r.target.kind === 'dnat') for (const rg of r.target.ranges) if (rg.addrFrom) own.dnat.add(rg.text);
          }
          const to = jumpTarget(r);
          if (to && HASHED_CHAIN.test(to)) {
            const t = of(to);
            t.referrers.add(chain.name);
            // A jump rule's comment names the target's Service port ("… cluster IP", "… loadbalancer IP").
            comments.forEach((s) => t.spns.add(s));
            protos.forEach((p) => t.protos.add(p));
          }
        }
      }
    }
  }
  return ev;
}

function protosToTry(e: RuleEvidence): readonly ProtoWord[] {
  return e.protos.size > 0 ? [...e.protos, ...PROTOS.filter((p) => !e.protos.has(p))] : PROTOS;
}

function knownServicePort(cluster: Cluster, sp: ChainServicePort): { port?: number; known: boolean } {
  const svc = cluster.services.find((s) => s.namespace === sp.namespace && s.name === sp.name);
  const port = svc?.ports.find((p) => (p.name ?? '') === (sp.portName ?? '') && protoWord(p.protocol) === sp.protocol);
  return { port: port?.port, known: port !== undefined };
}

function identifyServiceChain(cluster: Cluster, chain: string, kind: ChainKind, suffix: string, e: RuleEvidence): ChainIdentity | undefined {
  for (const spn of e.spns) {
    for (const proto of protosToTry(e)) {
      if (servicePortChainSuffix(spn, proto) !== suffix) continue;
      const sp = parseSpn(spn, proto);
      const k = knownServicePort(cluster, sp);
      return {
        chain, kind, servicePort: { ...sp, ...(k.port !== undefined ? { port: k.port } : {}) }, how: 'hash', hashInput: spn + proto, from: 'rules', inSnapshot: k.known,
        ...(k.known ? {} : { note: 'the Service port is not in the snapshot\'s Services' }),
      };
    }
  }
  const spn = [...e.spns][0];
  if (spn === undefined) return undefined;
  const sp = parseSpn(spn, [...e.protos][0] ?? 'tcp');
  const k = knownServicePort(cluster, sp);
  return { chain, kind, servicePort: sp, how: 'comment', from: 'rules', inSnapshot: k.known, note: 'from comment (hash did not match)' };
}

function identifySep(cluster: Cluster, entries: ReadonlyMap<string, ChainIdentity>, chain: string, suffix: string, e: RuleEvidence): ChainIdentity | undefined {
  // Service ports to try: those of the chains that jump here (already named), then comments.
  const candidates: { spn: string; proto?: ProtoWord }[] = [];
  for (const ref of e.referrers) {
    const id = entries.get(ref);
    if (id && id.kind !== 'SEP') candidates.push({ spn: id.servicePort.spn, proto: id.servicePort.protocol });
  }
  for (const spn of e.spns) candidates.push({ spn });
  for (const c of candidates) {
    const protos = c.proto ? [c.proto] : protosToTry(e);
    for (const proto of protos) {
      for (const ep of e.dnat) {
        if (endpointChainSuffix(c.spn, proto, ep) !== suffix) continue;
        const sp = parseSpn(c.spn, proto);
        const k = knownServicePort(cluster, sp);
        const svc = cluster.services.find((s) => s.namespace === sp.namespace && s.name === sp.name);
        const port = svc?.ports.find((p) => (p.name ?? '') === (sp.portName ?? '') && protoWord(p.protocol) === proto);
        const epKnown = svc !== undefined && port !== undefined && sliceEndpointsOf(cluster, svc, port).includes(ep);
        return {
          chain, kind: 'SEP', servicePort: { ...sp, ...(k.port !== undefined ? { port: k.port } : {}) }, endpoint: ep, how: 'hash',
          hashInput: c.spn + proto + ep, from: 'rules', inSnapshot: k.known && epKnown,
          ...(!k.known ? { note: 'the Service port is not in the snapshot\'s Services' } : !epKnown ? { note: 'the endpoint is not in the Service\'s EndpointSlices' } : {}),
        };
      }
    }
  }
  const first = candidates[0];
  if (!first) return undefined;
  const sp = parseSpn(first.spn, first.proto ?? [...e.protos][0] ?? 'tcp');
  const ep = [...e.dnat][0];
  return {
    chain, kind: 'SEP', servicePort: sp, ...(ep ? { endpoint: ep } : {}), how: 'comment', from: 'rules',
    inSnapshot: knownServicePort(cluster, sp).known, note: 'from comment (hash did not match)',
  };
}

/**
 * Names every KUBE-SVC/SVL/EXT/FW/XLB/SEP chain kpath can: first by recomputing kube-proxy's hash
 * forward from the snapshot's Services and EndpointSlices (current and ≤1.17 unnamed-port forms),
 * then, for chains in `rulesets` still unnamed, by hashing the Service ports their comments name
 * (and, for SEP chains, their DNAT targets). A chain no candidate hashes to, but whose comments
 * name a Service port, is labelled from the comment and says so.
 */
export function buildChainIndex(cluster: Cluster, rulesets: readonly Ruleset[] = []): ChainIndex {
  const entries = new Map<string, ChainIdentity>();
  addForward(entries, cluster);
  if (rulesets.length > 0) {
    const evidence = gatherEvidence(rulesets);
    const pending = [...evidence.keys()].filter((c) => !entries.has(c)).sort();
    // Service-level chains first, so SEP chains can take the Service port of the chain jumping to them.
    for (const chain of pending) {
      const p = parseHashedChain(chain);
      if (!p || p.kind === 'SEP') continue;
      const id = identifyServiceChain(cluster, chain, p.kind, p.suffix, evidence.get(chain)!);
      if (id) entries.set(chain, id);
    }
    for (const chain of pending) {
      const p = parseHashedChain(chain);
      if (!p || p.kind !== 'SEP') continue;
      const id = identifySep(cluster, entries, chain, p.suffix, evidence.get(chain)!);
      if (id) entries.set(chain, id);
    }
  }
  return {
    entries,
    get: (chain) => entries.get(chain),
    label: (chain) => {
      const id = entries.get(chain);
      return id ? chainLabel(id) : undefined;
    },
  };
}

/**
 * `labelChain(name)` for trace output: the index is built on the first call only, so a trace that
 * prints no hashed chain (or prints JSON) pays nothing for it.
 */
export function chainLabeler(cluster: Cluster, rulesets: readonly Ruleset[] = []): (chain: string) => string | undefined {
  let index: ChainIndex | undefined;
  return (chain) => (HASHED_CHAIN.test(chain) ? (index ??= buildChainIndex(cluster, rulesets)).label(chain) : undefined);
}

/** "demo/web:http", "demo/web:http → 10.244.1.5:8080", with "(from comment)" when the hash did not match. */
export function chainLabel(id: ChainIdentity): string {
  const base = displaySpn(id.servicePort);
  const text = id.kind === 'SEP' && id.endpoint ? `${base} → ${id.endpoint}` : base;
  return id.how === 'comment' ? `${text} (from comment)` : text;
}

/** The chains of every table of a ruleset with this name. */
export function chainsNamed(rs: Ruleset, name: string): { table: string; chain: Chain }[] {
  return [...rs.tables.values()].flatMap((t) => {
    const c = t.chains.get(name);
    return c ? [{ table: t.name, chain: c }] : [];
  });
}

/** Rules anywhere in the ruleset that jump or go to `name`. */
export function rulesJumpingTo(rs: Ruleset, name: string): Rule[] {
  return [...rs.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.filter((r) => jumpTarget(r) === name)));
}
