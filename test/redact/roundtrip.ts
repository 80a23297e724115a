import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { buildCluster } from '../../src/k8s/parse.js';
import type { TracePath, TraceResult } from '../../src/path/model.js';
import type { ServiceQuery } from '../../src/path/service-query.js';
import { traceService } from '../../src/path/service-trace.js';
import { parseIp } from '../../src/netfilter/cidr.js';
import { createIpMapper, mapAddressText, type RedactMapping, type SnapshotFile } from '../../src/redact/index.js';
import { loadSnapshot } from '../../src/snapshot/load.js';

// Helpers for "a redacted snapshot traces to the same outcomes modulo the mapping": trace both,
// carry the original's result through the owner's mapping file, compare.

/** Every file of a snapshot directory, paths relative and '/'-separated. */
export function readTree(root: string, dir = root): SnapshotFile[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? readTree(root, p) : [{ path: relative(root, p).split(sep).join('/'), text: readFileSync(p, 'utf8') }];
  });
}

/** The trace queries of a bundled fixture's expected.json (`{queries: [{args: {svc, port, from, client}}]}`). */
export function fixtureQueries(dir: string): ServiceQuery[] {
  const f = join(dir, 'expected.json');
  if (!existsSync(f)) return [];
  const j = JSON.parse(readFileSync(f, 'utf8')) as { queries?: { args?: ServiceQuery }[] };
  return (j.queries ?? []).flatMap((q) => (q.args?.svc && q.args.from ? [q.args] : []));
}

/** Original → redacted for any token of a trace: addresses, names, chains, `ns/name`, `label address`. */
export function mapper(m: RedactMapping): (s: string) => string {
  // An address the snapshot never mentions (a query's client) maps through the same keyed map.
  const ips = createIpMapper(m.salt);
  const one = (t: string): string => m.addresses[t] ?? m.names[t] ?? m.chains[t] ?? m.awsIds[t] ?? (parseIp(t) ? mapAddressText(ips, t)! : t);
  const f = (s: string): string => {
    if (one(s) !== s) return one(s);
    // Composite text: map each token (addresses with ports, ns/name, chain names).
    return s.replace(/\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.:-]+/g, (tok) => {
      if (one(tok) !== tok) return one(tok);
      const hp = /^(.*):(\d+)$/.exec(tok);
      if (hp && one(hp[1]!) !== hp[1]) return `${one(hp[1]!)}:${hp[2]}`;
      // DNS names are rewritten label by label.
      return tok.split(':').map((part) => (one(part) !== part ? one(part) : part.split('.').map(one).join('.'))).join(':');
    }).replace(/[a-z0-9-]+\/[a-z0-9.-]+/g, (t) => t.split('/').map(one).join('/'));
  };
  return f;
}

/** What must agree between the traces: per path the share, disposition, endpoint, source, verdict, hops and the rules that decide. */
export function outcome(r: TraceResult, f: (s: string) => string = (s) => s): unknown {
  const path = (p: TracePath) => ({
    probability: Number(p.probability.toFixed(12)),
    disposition: p.disposition,
    endpoint: p.endpoint ? { ip: f(p.endpoint.ip), port: p.endpoint.port, pod: p.endpoint.pod && f(p.endpoint.pod), node: p.endpoint.node && f(p.endpoint.node) } : null,
    source: p.sourceSeenByEndpoint ? { ip: f(p.sourceSeenByEndpoint.ip), port: p.sourceSeenByEndpoint.port } : null,
    clientIpPreserved: p.clientIpPreserved,
    proxyProtocol: p.proxyProtocol,
    hops: p.hops.map((h) => ({
      kind: h.kind, name: f(h.name),
      steps: h.steps.map((s) => `${s.table} ${f(s.chain)} #${s.rule} ${f(s.verdict)}`),
      translations: h.translations.map((t) => `${t.type} ${f(t.from)} → ${f(t.to)}`),
    })),
  });
  const paths = r.paths.map(path).sort((a, z) => JSON.stringify(a).localeCompare(JSON.stringify(z)));
  return { clientIp: r.verdict.clientIp, preservedShare: Number(r.verdict.preservedShare.toFixed(12)), paths, unknowns: r.unknowns.length };
}

/** Traces `q` on a snapshot directory. */
export function traceDir(dir: string, q: ServiceQuery): TraceResult {
  const snap = loadSnapshot(dir);
  return traceService(snap, buildCluster(snap.k8sDocs), q);
}
