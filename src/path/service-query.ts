import { KpathError } from '../errors.js';
import type { Cluster, Pod, Service, ServicePort } from '../k8s/model.js';

/** A service-level question, as the CLI takes it. */
export interface ServiceQuery {
  /** [NAMESPACE/]NAME; the namespace defaults to "default" when the name is ambiguous. */
  readonly svc: string;
  /** Port name or number; default: the Service's first port. */
  readonly port?: string;
  /** internet | node:NAME | pod:NAMESPACE/NAME | ip:ADDRESS */
  readonly from: string;
  /** Client address for --from internet (default 203.0.113.10, a documentation address). */
  readonly client?: string;
}

export type Origin =
  | { readonly kind: 'external'; readonly client: string; readonly label: string }
  | { readonly kind: 'node'; readonly node: string }
  | { readonly kind: 'pod'; readonly pod: Pod };

/** The documentation address used as the internet client (RFC 5737 TEST-NET-3). */
export const DEFAULT_CLIENT = '203.0.113.10';

/** Finds the Service; a bare name matches in any namespace when unique. */
export function resolveService(cluster: Cluster, ref: string): Service {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) as [string, string] : [undefined, ref];
  const hits = cluster.services.filter((s) => s.name === name && (ns === undefined || s.namespace === ns));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) {
    const def = hits.find((s) => s.namespace === 'default');
    if (def) return def;
    throw new KpathError('E_SVC_AMBIGUOUS', `Service ${ref} exists in several namespaces: ${hits.map((s) => `${s.namespace}/${s.name}`).join(', ')}`, { hint: 'give it as NAMESPACE/NAME' });
  }
  const similar = cluster.services.filter((s) => s.name.includes(name) || name.includes(s.name)).map((s) => `${s.namespace}/${s.name}`);
  throw new KpathError('E_SVC_UNKNOWN', `Service ${ref} is not in the snapshot`, {
    hint: similar.length > 0 ? `did you mean ${similar.slice(0, 5).join(', ')}?` : `Services in the snapshot: ${cluster.services.slice(0, 8).map((s) => `${s.namespace}/${s.name}`).join(', ') || 'none'}`,
  });
}

/** Picks the Service port by name or number (or the first port). */
export function resolvePort(svc: Service, port: string | undefined, assumptions: string[]): ServicePort {
  if (svc.ports.length === 0) throw new KpathError('E_SVC_NO_PORTS', `Service ${svc.namespace}/${svc.name} has no ports`);
  if (port === undefined) {
    if (svc.ports.length > 1) assumptions.push(`Service ${svc.namespace}/${svc.name} has ports ${svc.ports.map((p) => p.name ?? String(p.port)).join(', ')}; tracing ${svc.ports[0]!.name ?? svc.ports[0]!.port} (give --port)`);
    return svc.ports[0]!;
  }
  const p = svc.ports.find((x) => x.name === port || String(x.port) === port);
  if (!p) throw new KpathError('E_SVC_PORT', `Service ${svc.namespace}/${svc.name} has no port ${port}`, { hint: `ports: ${svc.ports.map((x) => `${x.name ?? ''}${x.name ? '=' : ''}${x.port}`).join(', ')}` });
  return p;
}

/** Parses --from. */
export function resolveOrigin(cluster: Cluster, from: string, client: string | undefined): Origin {
  if (from === 'internet') return { kind: 'external', client: client ?? DEFAULT_CLIENT, label: 'internet' };
  const idx = from.indexOf(':');
  const kind = idx < 0 ? from : from.slice(0, idx);
  const arg = idx < 0 ? '' : from.slice(idx + 1);
  switch (kind) {
    case 'ip':
      if (!/^[0-9a-fA-F:.]+$/.test(arg)) throw new KpathError('E_USAGE', `--from ip: wants an address, got "${arg}"`);
      return { kind: 'external', client: arg, label: `ip:${arg}` };
    case 'node':
      if (!cluster.nodes.some((n) => n.name === arg)) throw new KpathError('E_NODE_UNKNOWN', `--from node:${arg}: no such Node in the snapshot`, { hint: `nodes: ${cluster.nodes.map((n) => n.name).join(', ')}` });
      return { kind: 'node', node: arg };
    case 'pod': {
      const [ns, name] = arg.includes('/') ? arg.split('/', 2) as [string, string] : ['default', arg];
      const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name);
      if (!pod) throw new KpathError('E_POD_UNKNOWN', `--from pod:${arg}: no such Pod in the snapshot`, { hint: `pods in ${ns}: ${cluster.pods.filter((p) => p.namespace === ns).map((p) => p.name).slice(0, 8).join(', ') || 'none'}` });
      if (pod.ips.length === 0 || !pod.nodeName) throw new KpathError('E_POD_UNKNOWN', `--from pod:${arg}: the Pod has no IP or node yet`);
      return { kind: 'pod', pod };
    }
    default:
      throw new KpathError('E_USAGE', `--from wants internet, node:NAME, pod:NAMESPACE/NAME or ip:ADDRESS, got "${from}"`);
  }
}
