import type { Cluster, Endpoint, EndpointSlice, KubeProxyConfig, Node, Pod, Service, ServicePort, TargetGroupBinding } from './model.js';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function strMap(v: unknown): Record<string, string> {
  const o = obj(v);
  const out: Record<string, string> = {};
  if (o) for (const [k, x] of Object.entries(o)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Flattens `List` objects (kubectl get a,b -o json) into their items. */
export function flattenObjects(doc: unknown): Obj[] {
  const o = obj(doc);
  if (!o) return [];
  if (Array.isArray(o.items)) {
    const listKind = str(o.kind)?.replace(/List$/, '');
    // The API server leaves kind out of list items; take it from the list's kind (e.g. ServiceList).
    return o.items.flatMap((it) => {
      const io = obj(it);
      if (!io) return [];
      if (io.kind === undefined && listKind && listKind !== '') return flattenObjects({ ...io, kind: listKind });
      return flattenObjects(io);
    });
  }
  return [o];
}

function meta(o: Obj): { namespace: string; name: string; labels: Record<string, string>; annotations: Record<string, string>; uid?: string } {
  const m = obj(o.metadata) ?? {};
  return { namespace: str(m.namespace) ?? 'default', name: str(m.name) ?? '', labels: strMap(m.labels), annotations: strMap(m.annotations), uid: str(m.uid) };
}

function toService(o: Obj, source: string): Service {
  const m = meta(o);
  const spec = obj(o.spec) ?? {};
  const status = obj(obj(o.status)?.loadBalancer) ?? {};
  const clusterIP = str(spec.clusterIP);
  const clusterIPs = arr(spec.clusterIPs).map(str).filter((x): x is string => !!x);
  const ports: ServicePort[] = arr(spec.ports).flatMap((p) => {
    const po = obj(p);
    const port = num(po?.port);
    if (!po || port === undefined) return [];
    const proto = (str(po.protocol) ?? 'TCP').toUpperCase();
    const tp = po.targetPort;
    return [{
      name: str(po.name), port, protocol: (proto === 'UDP' || proto === 'SCTP' ? proto : 'TCP') as ServicePort['protocol'],
      targetPort: typeof tp === 'number' || typeof tp === 'string' ? tp : port, nodePort: num(po.nodePort),
    }];
  });
  const type = str(spec.type) ?? 'ClusterIP';
  return {
    namespace: m.namespace, name: m.name, uid: m.uid,
    type: (['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type) ? type : 'ClusterIP') as Service['type'],
    clusterIPs: clusterIPs.length > 0 ? clusterIPs : clusterIP && clusterIP !== 'None' ? [clusterIP] : [],
    externalIPs: arr(spec.externalIPs).map(str).filter((x): x is string => !!x),
    ingress: arr(status.ingress).flatMap((i) => {
      const io = obj(i);
      return io ? [{ ip: str(io.ip), hostname: str(io.hostname), ipMode: str(io.ipMode) }] : [];
    }),
    ports,
    externalTrafficPolicy: str(spec.externalTrafficPolicy) === 'Local' ? 'Local' : 'Cluster',
    internalTrafficPolicy: str(spec.internalTrafficPolicy) === 'Local' ? 'Local' : 'Cluster',
    healthCheckNodePort: num(spec.healthCheckNodePort),
    sessionAffinity: str(spec.sessionAffinity) === 'ClientIP' ? 'ClientIP' : 'None',
    loadBalancerSourceRanges: arr(spec.loadBalancerSourceRanges).map(str).filter((x): x is string => !!x),
    loadBalancerClass: str(spec.loadBalancerClass),
    annotations: m.annotations, labels: m.labels,
    selector: obj(spec.selector) ? strMap(spec.selector) : undefined,
    source,
  };
}

function toEndpoint(e: Obj): Endpoint {
  const c = obj(e.conditions) ?? {};
  // EndpointSlice semantics: a nil ready means ready; serving defaults to ready (discovery.k8s.io/v1).
  const ready = c.ready === undefined || c.ready === null ? true : c.ready === true;
  const serving = c.serving === undefined || c.serving === null ? ready : c.serving === true;
  const tr = obj(e.targetRef);
  return {
    addresses: arr(e.addresses).map(str).filter((x): x is string => !!x),
    ready, serving, terminating: c.terminating === true,
    // discovery.k8s.io/v1beta1 (≤1.20) carried the node only in topology["kubernetes.io/hostname"].
    nodeName: str(e.nodeName) ?? strMap(e.topology)['kubernetes.io/hostname'],
    zone: str(e.zone) ?? strMap(e.topology)['topology.kubernetes.io/zone'],
    targetRef: tr ? { kind: str(tr.kind) ?? '', namespace: str(tr.namespace), name: str(tr.name) ?? '' } : undefined,
  };
}

function toSlice(o: Obj, source: string): EndpointSlice {
  const m = meta(o);
  const at = str(o.addressType);
  return {
    namespace: m.namespace, name: m.name, serviceName: m.labels['kubernetes.io/service-name'],
    addressType: at === 'IPv6' ? 'IPv6' : at === 'FQDN' ? 'FQDN' : 'IPv4',
    ports: arr(o.ports).flatMap((p) => {
      const po = obj(p);
      return po ? [{ name: str(po.name), port: num(po.port), protocol: (str(po.protocol) ?? 'TCP').toUpperCase() }] : [];
    }),
    endpoints: arr(o.endpoints).flatMap((e) => (obj(e) ? [toEndpoint(obj(e)!)] : [])),
    source,
  };
}

/** Old clusters: an Endpoints object becomes one EndpointSlice per subset. */
function endpointsToSlices(o: Obj, source: string): EndpointSlice[] {
  const m = meta(o);
  return arr(o.subsets).flatMap((s, i) => {
    const so = obj(s);
    if (!so) return [];
    const conv = (a: unknown, ready: boolean): Endpoint[] => {
      const ao = obj(a);
      const ip = str(ao?.ip);
      if (!ao || !ip) return [];
      const tr = obj(ao.targetRef);
      return [{ addresses: [ip], ready, serving: ready, terminating: false, nodeName: str(ao.nodeName),
        targetRef: tr ? { kind: str(tr.kind) ?? '', namespace: str(tr.namespace), name: str(tr.name) ?? '' } : undefined }];
    };
    return [{
      namespace: m.namespace, name: `${m.name}-endpoints-${i}`, serviceName: m.name,
      addressType: 'IPv4' as const,
      ports: arr(so.ports).flatMap((p) => { const po = obj(p); return po ? [{ name: str(po.name), port: num(po.port), protocol: (str(po.protocol) ?? 'TCP').toUpperCase() }] : []; }),
      endpoints: [...arr(so.addresses).flatMap((a) => conv(a, true)), ...arr(so.notReadyAddresses).flatMap((a) => conv(a, false))],
      source,
    }];
  });
}

function toNode(o: Obj, source: string): Node {
  const m = meta(o);
  const spec = obj(o.spec) ?? {};
  const status = obj(o.status) ?? {};
  const readyCond = arr(status.conditions).map(obj).find((c) => c?.type === 'Ready');
  const podCIDRs = arr(spec.podCIDRs).map(str).filter((x): x is string => !!x);
  const podCIDR = str(spec.podCIDR);
  return {
    name: m.name,
    addresses: arr(status.addresses).flatMap((a) => { const ao = obj(a); const t = str(ao?.type); const ad = str(ao?.address); return t && ad ? [{ type: t, address: ad }] : []; }),
    providerID: str(spec.providerID), labels: m.labels,
    podCIDRs: podCIDRs.length > 0 ? podCIDRs : podCIDR ? [podCIDR] : [],
    ready: readyCond ? readyCond.status === 'True' : undefined,
    source,
  };
}

function toPod(o: Obj, source: string): Pod {
  const m = meta(o);
  const spec = obj(o.spec) ?? {};
  const status = obj(o.status) ?? {};
  const ips = arr(status.podIPs).map((p) => str(obj(p)?.ip)).filter((x): x is string => !!x);
  const ip = str(status.podIP);
  return {
    namespace: m.namespace, name: m.name, ips: ips.length > 0 ? ips : ip ? [ip] : [],
    nodeName: str(spec.nodeName), hostNetwork: spec.hostNetwork === true, labels: m.labels, phase: str(status.phase), source,
  };
}

function toTgb(o: Obj, source: string): TargetGroupBinding {
  const m = meta(o);
  const spec = obj(o.spec) ?? {};
  const ref = obj(spec.serviceRef) ?? {};
  const tt = str(spec.targetType);
  const port = ref.port;
  return {
    namespace: m.namespace, name: m.name, targetGroupARN: str(spec.targetGroupARN), targetGroupName: str(spec.targetGroupName),
    targetType: tt === 'ip' || tt === 'instance' ? tt : undefined,
    serviceRef: { name: str(ref.name) ?? '', port: typeof port === 'number' || typeof port === 'string' ? port : 0 },
    source,
  };
}

/** A top-level scalar of a KubeProxyConfiguration YAML document (`key: value`, optionally quoted). */
function topLevelScalar(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:[ \\t]*(?:"([^"]*)"|'([^']*)'|([^#\\s]*))`, 'm').exec(text);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : undefined;
}

/**
 * Reads kube-proxy's mode and clusterCIDR from its ConfigMap. config.conf is a
 * KubeProxyConfiguration in YAML whose `mode` and `clusterCIDR` are top-level scalars; only
 * those two are read, so no YAML parser is loaded for them.
 */
function toKubeProxy(o: Obj, source: string): KubeProxyConfig | undefined {
  const data = strMap(o.data);
  const text = data['config.conf'] ?? data['config'] ?? Object.values(data)[0];
  if (text === undefined) return undefined;
  const mode = topLevelScalar(text, 'mode') ?? '';
  return {
    mode: mode === '' || mode === 'iptables' ? 'iptables' : mode === 'ipvs' || mode === 'nftables' ? mode : 'unknown',
    clusterCIDR: topLevelScalar(text, 'clusterCIDR') || undefined,
    source,
  };
}

/** Options of buildCluster. */
export interface BuildClusterOptions {
  /**
   * Only the Service of this name ([NAMESPACE/]NAME) and its EndpointSlices/Endpoints are read;
   * other Services are skipped. A trace of one Service in a 10,000-Service snapshot then does not
   * convert them all. Nodes, Pods and everything else are read as usual.
   */
  readonly focus?: string;
}

function focusFilter(focus: string | undefined): ((ns: string, name: string) => boolean) | undefined {
  if (focus === undefined) return undefined;
  const [ns, name] = focus.includes('/') ? focus.split('/', 2) as [string, string] : [undefined, focus];
  return (n, x) => x === name && (ns === undefined || n === ns);
}

/**
 * What a reader of the k8s/ files must build for buildCluster(…, { focus }): Service, EndpointSlice
 * and Endpoints objects only when their text holds the focused name as a JSON string. That is
 * exact, not a guess: the name is a DNS label or subdomain (RFC 1123: a-z, 0-9, '-', '.'), which
 * JSON writes only as itself, and a Service's slices carry it verbatim in their
 * kubernetes.io/service-name label (the reader keeps any item that has a \u escape).
 */
export function focusItemSelector(focus: string): { readonly kinds: ReadonlySet<string>; readonly needle: string } {
  const name = focus.includes('/') ? focus.split('/', 2)[1]! : focus;
  // An empty name ("ns/") selects objects without a name: then read everything.
  return { kinds: new Set(name === '' ? [] : ['Service', 'EndpointSlice', 'Endpoints']), needle: JSON.stringify(name) };
}

/** Classifies objects from the k8s/ files by kind; unknown kinds are ignored. */
export function buildCluster(docs: readonly { readonly file: string; readonly doc: unknown }[], opts: BuildClusterOptions = {}): Cluster {
  const keep = focusFilter(opts.focus);
  const wanted = (o: Obj, nameOf: (m: ReturnType<typeof meta>) => string | undefined): boolean => {
    if (!keep) return true;
    const m = obj(o.metadata) ?? {};
    const ns = str(m.namespace) ?? 'default';
    const labels = obj(m.labels);
    const name = nameOf({ namespace: ns, name: str(m.name) ?? '', labels: labels ? strMap(labels) : {}, annotations: {} });
    return name !== undefined && keep(ns, name);
  };
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  const legacy: EndpointSlice[] = [];
  const nodes: Node[] = [];
  const pods: Pod[] = [];
  const tgbs: TargetGroupBinding[] = [];
  let kubeProxy: KubeProxyConfig | undefined;
  for (const { file, doc } of docs) {
    for (const o of flattenObjects(doc)) {
      const source = file;
      switch (o.kind) {
        case 'Service': if (wanted(o, (m) => m.name)) services.push(toService(o, source)); break;
        case 'EndpointSlice': if (wanted(o, (m) => m.labels['kubernetes.io/service-name'])) slices.push(toSlice(o, source)); break;
        case 'Endpoints': if (wanted(o, (m) => m.name)) legacy.push(...endpointsToSlices(o, source)); break;
        case 'Node': nodes.push(toNode(o, source)); break;
        case 'Pod': pods.push(toPod(o, source)); break;
        case 'TargetGroupBinding': tgbs.push(toTgb(o, source)); break;
        case 'ConfigMap': {
          const m = meta(o);
          // kubeadm and kubespray name it kube-proxy (key config.conf); EKS kube-proxy-config (key config).
          if (m.namespace === 'kube-system' && (m.name === 'kube-proxy' || m.name === 'kube-proxy-config')) kubeProxy = toKubeProxy(o, source) ?? kubeProxy;
          break;
        }
        default: break;
      }
    }
  }
  // EndpointSlices win; Endpoints only fill in Services that have no slice (clusters before 1.21).
  const withSlices = new Set(slices.map((s) => `${s.namespace}/${s.serviceName ?? ''}`));
  const fallback = legacy.filter((s) => !withSlices.has(`${s.namespace}/${s.serviceName ?? ''}`));
  return { services, endpointSlices: [...slices, ...fallback], nodes, pods, targetGroupBindings: tgbs, kubeProxy, problems: [] };
}
