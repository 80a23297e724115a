import type { Gap } from './model.js';
import type { KubeList, ListOutcome } from './kube-list.js';
import { sortKeys } from './write.js';

type Obj = Record<string, unknown>;

/** What pods say in place of an env value: kpath never needs it, and it may be a literal secret. */
export const REDACTED = '(redacted by kpath gather)';

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/**
 * kubectl hides managedFields unless asked (--show-managed-fields); Pods also lose literal env
 * values and the last-applied annotation (which repeats them): a snapshot must never carry a
 * secret, and a password put straight into a Pod's env would be one.
 */
export function scrub(o: Obj): Obj {
  const out: Obj = { ...o };
  const meta = out.metadata as Obj | undefined;
  if (meta) {
    const m: Obj = { ...meta };
    delete m.managedFields;
    if (out.kind === 'Pod' && m.annotations && typeof m.annotations === 'object') {
      const a = { ...(m.annotations as Obj) };
      delete a['kubectl.kubernetes.io/last-applied-configuration'];
      m.annotations = a;
    }
    out.metadata = m;
  }
  if (out.kind === 'Pod' && out.spec && typeof out.spec === 'object') {
    const spec: Obj = { ...(out.spec as Obj) };
    for (const key of CONTAINER_LISTS) {
      if (!Array.isArray(spec[key])) continue;
      spec[key] = (spec[key] as Obj[]).map((c) => (Array.isArray(c.env)
        ? { ...c, env: (c.env as Obj[]).map((e) => ('value' in e ? { ...e, value: REDACTED } : e)) }
        : c));
    }
    out.spec = spec;
  }
  return out;
}

function key(o: Obj): string {
  const m = (o.metadata ?? {}) as Obj;
  return `${String(o.apiVersion)}/${String(o.kind)}/${String(m.namespace ?? '')}/${String(m.name ?? '')}`;
}

/** `kubectl get … -o json` of one or more lists: kind List, items deduplicated, keys sorted. */
export function kubectlList(lists: readonly KubeList[]): Obj {
  const seen = new Map<string, Obj>();
  for (const l of lists) for (const it of l.items) seen.set(key(it), scrub(it));
  const items = [...seen.values()].sort((a, z) => key(a).localeCompare(key(z)));
  return sortKeys({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items }) as Obj;
}

/** Splits list outcomes into the lists read and the gaps (absent resources are neither). */
export function collect(file: string, outcomes: readonly { part?: string; outcome: ListOutcome }[], gaps: Gap[]): KubeList[] {
  const lists: KubeList[] = [];
  for (const { part, outcome } of outcomes) {
    if (outcome.kind === 'ok') lists.push(outcome.list);
    else if (outcome.kind === 'failed') gaps.push({ what: part ? `${file} (${part})` : file, why: outcome.failure.why });
  }
  return lists;
}

/** `[NAMESPACE/]NAME` of a raw object. */
export function objectName(o: Obj): { namespace: string; name: string } {
  const m = (o.metadata ?? {}) as Obj;
  return { namespace: typeof m.namespace === 'string' ? m.namespace : '', name: typeof m.name === 'string' ? m.name : '' };
}
