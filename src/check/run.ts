import { KpathError, type SourceLoc } from '../errors.js';
import type { Cluster } from '../k8s/model.js';
import type { TraceResult } from '../path/model.js';
import { traceService } from '../path/service-trace.js';
import type { Snapshot } from '../snapshot/model.js';
import { checkExpectation } from './evaluate.js';
import type { CheckReport, CheckResult, Expectation } from './model.js';

/** Which expectation key an error of the trace is about, so it can point at that key's value. */
const KEY_OF_CODE: Readonly<Record<string, string>> = {
  E_SVC_UNKNOWN: 'svc', E_SVC_AMBIGUOUS: 'svc', E_SVC_NO_PORTS: 'svc', E_SVC_PORT: 'port',
  E_NODE_UNKNOWN: 'from', E_POD_UNKNOWN: 'from', E_USAGE: 'from',
};

/** Re-raises a trace error of one expectation with the position of the key it is about. */
function located(e: KpathError, exp: Expectation, lines: readonly string[]): KpathError {
  if (e.loc) return e;
  const key = KEY_OF_CODE[e.code];
  const loc: SourceLoc = (key ? exp.at[key] : undefined) ?? exp.loc;
  const sourceLine = lines[loc.line - 1];
  const token = sourceLine?.slice(loc.column - 1).trimEnd() || ' ';
  return new KpathError(e.code, e.message, { loc, token, sourceLine, ...(e.hint ? { hint: e.hint } : {}) });
}

function knownPods(cluster: Cluster): Set<string> {
  const out = new Set(cluster.pods.map((p) => `${p.namespace}/${p.name}`));
  for (const s of cluster.endpointSlices) {
    for (const e of s.endpoints) if (e.targetRef?.kind === 'Pod') out.add(`${e.targetRef.namespace ?? s.namespace}/${e.targetRef.name}`);
  }
  return out;
}

/** A pod named in `endpoints.pods` that the snapshot does not hold is a typo, not a failed check. */
function checkPodsExist(exp: Expectation, cluster: Cluster, lines: readonly string[]): void {
  if (exp.endpoints?.kind !== 'pods') return;
  const known = knownPods(cluster);
  const missing = exp.endpoints.pods.filter((p) => !known.has(p));
  if (missing.length === 0) return;
  const loc = exp.at[`pod:${missing[0]!}`] ?? exp.at.endpoints ?? exp.loc;
  const sourceLine = lines[loc.line - 1];
  const ns = missing[0]!.split('/')[0];
  throw new KpathError('E_POD_UNKNOWN', `endpoints.pods names ${missing.join(', ')}, not in the snapshot`, {
    loc, sourceLine, token: missing[0],
    hint: `pods in ${ns}: ${[...known].filter((p) => p.startsWith(`${ns}/`)).slice(0, 8).join(', ') || 'none'}`,
  });
}

function queryKey(exp: Expectation): string {
  const q = exp.query;
  return JSON.stringify([q.svc, q.port ?? null, q.from, q.client ?? null]);
}

/**
 * Traces each expectation's query (once per distinct query) and checks it. `text` is the
 * expectations file's text, for the code frame of errors found while tracing (an unknown
 * Service names the line of its `svc:`). Pure, given the loaded snapshot.
 */
export function runChecks(snap: Snapshot, cluster: Cluster, expectations: readonly Expectation[], file: string, text: string): CheckReport {
  const lines = text.split('\n');
  const traces = new Map<string, TraceResult>();
  const results: CheckResult[] = expectations.map((exp) => {
    checkPodsExist(exp, cluster, lines);
    const key = queryKey(exp);
    let result = traces.get(key);
    if (!result) {
      try {
        result = traceService(snap, cluster, exp.query);
      } catch (e) {
        throw e instanceof KpathError ? located(e, exp, lines) : e;
      }
      traces.set(key, result);
    }
    const assertions = checkExpectation(exp, result, cluster);
    return { expectation: exp, passed: assertions.every((a) => a.passed), traced: String(result.query.title ?? exp.name), assertions };
  });
  return { file, snapshot: snap.dir, results, passed: results.every((r) => r.passed) };
}
