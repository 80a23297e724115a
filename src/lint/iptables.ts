import type { Cluster } from '../k8s/model.js';
import { sepChainName } from '../kube/chain-hash.js';
import { chainLabel, parseHashedChain, type ChainIndex } from '../kube/chain-names.js';
import { categorizeEndpoints } from '../kube/endpoints.js';
import type { EndpointInfo, ServicePortInfo } from '../kube/proxier-model.js';
import type { Chain, Rule, Ruleset, TableRules } from '../netfilter/model.js';
import type { Finding } from './model.js';

/** One endpoint kube-proxy should have a KUBE-SEP chain for on this node. */
interface ExpectedSep {
  readonly info: ServicePortInfo;
  readonly ep: EndpointInfo;
}

/** A node's iptables-mode state to lint. */
export interface IptablesNodeInput {
  readonly node: string;
  readonly ruleset: Ruleset;
  readonly infos: readonly ServicePortInfo[];
  readonly index: ChainIndex;
  readonly cluster: Cluster;
  /** Terminating endpoints are a fallback when none is ready (kube-proxy 1.26+; off before). */
  readonly allowTerminating: boolean;
}

const where = (x: { loc: { file: string; line: number } }): string => `${x.loc.file}:${x.loc.line}`;

function jumpsTo(r: Rule): string | undefined {
  return r.target.kind === 'jump' || r.target.kind === 'goto' ? r.target.chain : undefined;
}

/** The ≤1.17 hash input for an unnamed port is "ns/svc:" (kube-proxy.md §0). */
function legacySpn(spn: string): string | undefined {
  return spn.includes(':') ? undefined : `${spn}:`;
}

function hasDnatTo(chain: Chain, hostPort: string): boolean {
  return chain.rules.some((r) => r.target.kind === 'dnat' && r.target.ranges.some((rg) => rg.text === hostPort));
}

function referrers(nat: TableRules): Map<string, Rule[]> {
  const out = new Map<string, Rule[]>();
  for (const c of nat.chains.values()) {
    for (const r of c.rules) {
      const to = jumpsTo(r);
      if (to) out.set(to, [...(out.get(to) ?? []), r]);
    }
  }
  return out;
}

/** Who the endpoint is, for messages: "pod web/echo-1 on node-b, ready". */
function endpointText(cluster: Cluster, info: ServicePortInfo, ep: EndpointInfo): string {
  const [ns, name] = info.spn.split(/[/:]/) as [string, string];
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== ns || s.serviceName !== name) continue;
    const e = s.endpoints.find((x) => x.addresses.includes(ep.ip));
    if (e) {
      const pod = e.targetRef ? `pod ${e.targetRef.namespace ?? ns}/${e.targetRef.name}` : 'endpoint';
      return `${pod}${e.nodeName ? ` on ${e.nodeName}` : ''}, ${ep.isReady ? 'ready' : ep.isServing ? 'serving, terminating' : 'not ready'}`;
    }
  }
  return ep.isReady ? 'ready' : 'not ready';
}

function expectedSeps(infos: readonly ServicePortInfo[], allowTerminating: boolean): Map<string, ExpectedSep> {
  const out = new Map<string, ExpectedSep>();
  for (const info of infos) {
    for (const ep of categorizeEndpoints(info, allowTerminating).reachable) out.set(ep.sepChain, { info, ep });
  }
  return out;
}

function checkExpected(inp: IptablesNodeInput, nat: TableRules, refs: Map<string, Rule[]>, expected: Map<string, ExpectedSep>): { findings: Finding[]; seen: Set<string> } {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const file = inp.ruleset.file;
  for (const { info, ep } of expected.values()) {
    const legacy = legacySpn(info.spn);
    const legacyName = legacy ? sepChainName(legacy, info.proto, ep.hostPort) : undefined;
    const name = nat.chains.has(ep.sepChain) || !legacyName || !nat.chains.has(legacyName) ? ep.sepChain : legacyName;
    const chain = nat.chains.get(name);
    const policy = [info.svcChain, info.svlChain, info.xlbChain].map((c) => nat.chains.get(c)).find((c) => c !== undefined);
    const base = { node: inp.node, service: info.spn, endpoint: ep.hostPort };
    const who = endpointText(inp.cluster, info, ep);
    if (!chain) {
      findings.push({
        ...base, severity: 'error', code: 'missing-endpoint-chain', where: policy ? where(policy) : file,
        message: `${info.spn} endpoint ${ep.hostPort} (${who}) has no ${ep.sepChain} on ${inp.node}: kube-proxy has not programmed it`,
      });
      continue;
    }
    seen.add(name);
    if (!hasDnatTo(chain, ep.hostPort)) {
      findings.push({ ...base, severity: 'error', code: 'missing-endpoint-dnat', where: where(chain), message: `${name} (${info.spn} → ${ep.hostPort}) has no DNAT to ${ep.hostPort}` });
    }
    const from = (refs.get(name) ?? []).filter((r) => parseHashedChain(r.chain)?.kind !== 'SEP');
    if (from.length === 0) {
      findings.push({
        ...base, severity: 'warning', code: 'endpoint-not-balanced', where: where(chain),
        message: `${name} (${info.spn} → ${ep.hostPort}, ${who}) exists but no Service chain jumps to it: the endpoint gets no traffic from ${inp.node}`,
      });
    }
  }
  return { findings, seen };
}

/** How the EndpointSlices of ns/name list `ip`: ready, serving (terminating), not ready, or absent. */
export function sliceState(cluster: Cluster, ns: string, name: string, ip: string): 'ready' | 'serving' | 'not-ready' | 'absent' {
  let state: 'ready' | 'serving' | 'not-ready' | 'absent' = 'absent';
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== ns || s.serviceName !== name) continue;
    for (const e of s.endpoints) {
      if (!e.addresses.includes(ip)) continue;
      if (e.ready) return 'ready';
      state = e.serving ? 'serving' : 'not-ready';
    }
  }
  return state;
}

const ipOf = (hostPort: string): string => hostPort.replace(/^\[/, '').replace(/\]?:\d+$/, '');

function isAnyEndpoint(cluster: Cluster, hostPort: string): boolean {
  const ip = ipOf(hostPort);
  return cluster.endpointSlices.some((s) => s.endpoints.some((e) => e.addresses.includes(ip)));
}

function checkSepChain(inp: IptablesNodeInput, chain: Chain, refs: Map<string, Rule[]>): Finding | undefined {
  const id = inp.index.get(chain.name);
  const jumped = (refs.get(chain.name) ?? []).length > 0;
  const severity = jumped ? 'error' : 'warning';
  const used = jumped ? 'a Service chain still sends traffic to it' : 'no rule jumps to it';
  const dnat = chain.rules.flatMap((r) => (r.target.kind === 'dnat' ? r.target.ranges.map((rg) => rg.text) : []));
  const base = { node: inp.node, where: where(chain) };
  if (!id) {
    if (dnat.some((t) => isAnyEndpoint(inp.cluster, t))) {
      return { ...base, severity: 'warning', code: 'unexpected-endpoint-rules', endpoint: dnat[0], message: `${chain.name} DNATs to ${dnat.join(', ')}, an endpoint in the snapshot, but no Service port hashes to this chain name` };
    }
    return {
      ...base, severity, code: 'stale-endpoint-rules', ...(dnat[0] ? { endpoint: dnat[0] } : {}),
      message: `${chain.name}${dnat.length > 0 ? ` DNATs to ${dnat.join(', ')}, which is no endpoint in the snapshot's EndpointSlices` : ' names no Service port and has no DNAT'}; ${used}`,
    };
  }
  const sp = id.servicePort;
  const svcText = chainLabel({ ...id, kind: 'SVC' });
  const ep = id.endpoint ?? dnat[0];
  const epBase = { ...base, service: svcText, ...(ep ? { endpoint: ep } : {}) };
  if (!inp.cluster.services.some((s) => s.namespace === sp.namespace && s.name === sp.name)) {
    return { ...epBase, severity, code: 'stale-endpoint-rules', message: `${chain.name} (${chainLabel(id)}) belongs to Service ${sp.namespace}/${sp.name}, which is not in the snapshot; ${used}` };
  }
  const state = ep ? sliceState(inp.cluster, sp.namespace, sp.name, ipOf(ep)) : 'absent';
  if (state === 'absent') {
    return { ...epBase, severity, code: 'stale-endpoint-rules', message: `${chain.name} (${chainLabel(id)}): ${ep ?? 'its endpoint'} is not in the EndpointSlices of ${sp.namespace}/${sp.name}; ${used}` };
  }
  if (state !== 'ready') {
    return { ...epBase, severity: 'warning', code: 'not-ready-endpoint-rules', message: `${chain.name} (${chainLabel(id)}): the endpoint is ${state === 'serving' ? 'terminating (serving) while ready endpoints exist' : 'not ready'}, yet it still has rules; ${used}` };
  }
  return { ...epBase, severity: 'warning', code: 'unexpected-endpoint-rules', message: `${chain.name} (${chainLabel(id)}) is a ready endpoint kube-proxy would not program on ${inp.node} (internalTrafficPolicy or endpoint conditions); ${used}` };
}

function checkServiceChain(inp: IptablesNodeInput, chain: Chain, refs: Map<string, Rule[]>): Finding | undefined {
  const id = inp.index.get(chain.name);
  if (id?.inSnapshot) return undefined;
  const jumped = (refs.get(chain.name) ?? []).length > 0;
  const base = { node: inp.node, where: where(chain), severity: jumped ? 'error' as const : 'warning' as const };
  const used = jumped ? 'rules still send traffic to it' : 'no rule jumps to it';
  if (id) {
    return { ...base, code: 'stale-service-rules', service: chainLabel(id), message: `${chain.name} (${chainLabel(id)}): that Service port is not in the snapshot's Services; ${used}` };
  }
  return { ...base, severity: 'warning', code: 'unknown-chain', message: `${chain.name}: no Service port in the snapshot hashes to it and no comment names one; ${used}` };
}

/**
 * Lints one iptables-mode node: every endpoint kube-proxy should program (EndpointSlices → the
 * kube-proxy model) has its KUBE-SEP chain, a DNAT to it and a Service chain jumping to it; every
 * KUBE-SEP and Service chain in the dump belongs to a current Service port and endpoint.
 */
export function lintIptablesNode(inp: IptablesNodeInput): Finding[] {
  const nat = inp.ruleset.tables.get('nat');
  if (!nat?.chains.has('KUBE-SERVICES')) {
    return [{
      severity: 'warning', code: 'no-kube-proxy-rules', node: inp.node, where: inp.ruleset.file,
      message: `${inp.node} has no nat KUBE-SERVICES chain: kube-proxy (iptables mode) is not programming this node`,
    }];
  }
  const refs = referrers(nat);
  const { findings, seen } = checkExpected(inp, nat, refs, expectedSeps(inp.infos, inp.allowTerminating));
  for (const chain of nat.chains.values()) {
    const p = parseHashedChain(chain.name);
    if (!p) continue;
    const f = p.kind === 'SEP' ? (seen.has(chain.name) ? undefined : checkSepChain(inp, chain, refs)) : checkServiceChain(inp, chain, refs);
    if (f) findings.push(f);
  }
  return findings;
}
