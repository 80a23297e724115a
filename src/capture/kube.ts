import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, NetworkingV1Api, type Configuration, type KubeConfig } from '@kubernetes/client-node';
import { KpathError } from '../errors.js';
import { collect, kubectlList, objectName, scrub } from './kube-objects.js';
import { getOne, listAll, rawApi, type KubeList, type ListOutcome } from './kube-list.js';
import type { Gap, GatherScope } from './model.js';
import { sortKeys, writeJson } from './write.js';

type Obj = Record<string, unknown>;

/** What the Kubernetes phase wrote and learned. */
export interface KubeGather {
  /** The k8s/ documents written, as loadSnapshot would read them (for buildCluster). */
  readonly docs: readonly { readonly file: string; readonly doc: unknown }[];
  readonly gaps: readonly Gap[];
  /** node name → the kube-proxy pod running there (kube-system, label k8s-app=kube-proxy) and its container. */
  readonly kubeProxyPods: ReadonlyMap<string, { readonly pod: string; readonly container: string }>;
  /** The Services being traced, as NAMESPACE/NAME. */
  readonly traced: readonly string[];
}

/** The label kubeadm's and EKS's kube-proxy DaemonSets put on their pods. */
export const KUBE_PROXY_SELECTOR = 'k8s-app=kube-proxy';

/** A paginated list call of one client-node API (`limit` and `_continue` are the generated names). */
type Page<A> = (api: A, limit: number, cont: string | undefined) => Promise<unknown>;

interface Ctx {
  readonly kc: KubeConfig;
  readonly timeoutMs: number;
}

function list<A>(ctx: Ctx, Api: new (config: Configuration) => A, page: Page<A>): Promise<ListOutcome> {
  const raw = rawApi(ctx.kc, Api, ctx.timeoutMs);
  return listAll(raw, (limit, cont) => page(raw.api, limit, cont), ctx.timeoutMs);
}

const custom = (group: string, version: string, plural: string): Page<CustomObjectsApi> =>
  (api, limit, cont) => api.listClusterCustomObject({ group, version, plural, limit, _continue: cont });

/** Picks the traced Services from the listed ones: NAMESPACE/NAME exactly, a bare NAME in any namespace. */
function pickServices(services: readonly Obj[], scope: GatherScope): string[] {
  const names = services.map((s) => objectName(s)).map((n) => `${n.namespace}/${n.name}`);
  if (scope.all) return names.sort();
  const out = new Set<string>();
  for (const ref of scope.services) {
    const hits = names.filter((n) => (ref.includes('/') ? n === ref : n.endsWith(`/${ref}`)));
    if (hits.length === 0) {
      throw new KpathError('E_SVC_UNKNOWN', `Service ${ref} is not in the cluster`, {
        hint: `Services: ${names.filter((n) => !n.startsWith('kube-system/')).slice(0, 8).join(', ') || 'none'}`,
      });
    }
    for (const h of hits) out.add(h);
  }
  return [...out].sort();
}

function fromPodNamespace(from: string | undefined): string | undefined {
  if (!from?.startsWith('pod:')) return undefined;
  const arg = from.slice(4);
  return arg.includes('/') ? arg.split('/', 1)[0] : 'default';
}

function write(out: { dir: string; docs: { file: string; doc: unknown }[] }, file: string, doc: unknown): void {
  writeJson(out.dir, file, doc);
  out.docs.push({ file, doc });
}

/** Services and Nodes: without Services nothing can be traced, so failing to read them fails the gather. */
async function readCore(ctx: Ctx): Promise<{ services: KubeList; nodes: ListOutcome }> {
  const [services, nodes] = await Promise.all([
    list(ctx, CoreV1Api, (api, limit, cont) => api.listServiceForAllNamespaces({ limit, _continue: cont })),
    list(ctx, CoreV1Api, (api, limit, cont) => api.listNode({ limit, _continue: cont })),
  ]);
  if (services.kind !== 'ok') {
    const why = services.kind === 'failed' ? services.failure.why : 'the API server does not serve v1 Services';
    throw new KpathError('E_CAPTURE', `cannot list Services: ${why}`, {
      hint: 'check the kubeconfig and context, and that your user may list services (README "Live capture" lists the RBAC rules)',
    });
  }
  return { services: services.list, nodes };
}

/** Where the phase writes: the snapshot directory, the documents written and the gaps found. */
interface Out {
  readonly dir: string;
  readonly docs: { file: string; doc: unknown }[];
  readonly gaps: Gap[];
}

type SvcRef = { readonly namespace: string; readonly name: string };

async function settle(jobs: readonly { part?: string; outcome: Promise<ListOutcome> }[]): Promise<{ part?: string; outcome: ListOutcome }[]> {
  return Promise.all(jobs.map(async (j) => ({ part: j.part, outcome: await j.outcome })));
}

/** The traced Services' EndpointSlices (by the kubernetes.io/service-name label), or Endpoints on clusters without slices. */
async function readEndpoints(ctx: Ctx, out: Out, all: boolean, svcs: readonly SvcRef[]): Promise<void> {
  const slices = await settle(all
    ? [{ outcome: list(ctx, DiscoveryV1Api, (api, limit, cont) => api.listEndpointSliceForAllNamespaces({ limit, _continue: cont })) }]
    : svcs.map((s) => ({
      part: `${s.namespace}/${s.name}`,
      outcome: list(ctx, DiscoveryV1Api, (api, limit, cont) => api.listNamespacedEndpointSlice({ namespace: s.namespace, labelSelector: `kubernetes.io/service-name=${s.name}`, limit, _continue: cont })),
    })));
  if (slices.length === 0 || !slices.every((s) => s.outcome.kind === 'absent')) {
    write(out, 'k8s/endpointslices.json', kubectlList(collect('k8s/endpointslices.json', slices, out.gaps)));
    return;
  }
  // Clusters before discovery.k8s.io/v1 (Kubernetes < 1.21): Endpoints instead.
  const eps = await settle(svcs.map((s) => ({
    part: `${s.namespace}/${s.name}`,
    outcome: list(ctx, CoreV1Api, (api, limit, cont) => api.listNamespacedEndpoints({ namespace: s.namespace, fieldSelector: `metadata.name=${s.name}`, limit, _continue: cont })),
  })));
  write(out, 'k8s/endpoints.json', kubectlList(collect('k8s/endpoints.json', eps, out.gaps)));
}

/** Pods of the traced Services' namespaces, MetalLB's speakers, the --from pod's namespace, and every kube-proxy pod. */
async function readPods(ctx: Ctx, out: Out, scope: GatherScope, svcs: readonly SvcRef[]): Promise<KubeList[]> {
  const namespaces = [...new Set([...svcs.map((s) => s.namespace), 'metallb-system', fromPodNamespace(scope.from)].filter((n): n is string => n !== undefined))].sort();
  const proxy = list(ctx, CoreV1Api, (api, limit, cont) => api.listNamespacedPod({ namespace: 'kube-system', labelSelector: KUBE_PROXY_SELECTOR, limit, _continue: cont }));
  const pods = await settle(scope.all
    ? [{ outcome: list(ctx, CoreV1Api, (api, limit, cont) => api.listPodForAllNamespaces({ limit, _continue: cont })) }]
    : namespaces.map((namespace) => ({ part: `namespace ${namespace}`, outcome: list(ctx, CoreV1Api, (api, limit, cont) => api.listNamespacedPod({ namespace, limit, _continue: cont })) })));
  const proxyLists = collect('k8s/pods.json', [{ part: `kube-system ${KUBE_PROXY_SELECTOR}`, outcome: await proxy }], out.gaps);
  write(out, 'k8s/pods.json', kubectlList([...collect('k8s/pods.json', pods, out.gaps), ...proxyLists]));
  return proxyLists;
}

/** TargetGroupBindings, Ingresses, Gateways and HTTPRoutes when the cluster serves them, and the kube-proxy ConfigMap. */
async function readOptional(ctx: Ctx, out: Out): Promise<void> {
  const jobs = [
    { file: 'k8s/targetgroupbindings.json', outcome: list(ctx, CustomObjectsApi, custom('elbv2.k8s.aws', 'v1beta1', 'targetgroupbindings')) },
    { file: 'k8s/ingresses.json', outcome: list(ctx, NetworkingV1Api, (api, limit, cont) => api.listIngressForAllNamespaces({ limit, _continue: cont })) },
    { file: 'k8s/gateways.json', outcome: list(ctx, CustomObjectsApi, custom('gateway.networking.k8s.io', 'v1', 'gateways')) },
    { file: 'k8s/httproutes.json', outcome: list(ctx, CustomObjectsApi, custom('gateway.networking.k8s.io', 'v1', 'httproutes')) },
  ];
  const cmRaw = rawApi(ctx.kc, CoreV1Api, ctx.timeoutMs);
  const cm = getOne(cmRaw, () => cmRaw.api.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kube-proxy' }), ctx.timeoutMs);
  for (const j of jobs) {
    const lists = collect(j.file, [{ outcome: await j.outcome }], out.gaps);
    if (lists.length > 0) write(out, j.file, kubectlList(lists));
  }
  const c = await cm;
  if (c.kind === 'ok') write(out, 'k8s/kube-proxy-configmap.json', sortKeys(scrub(c.obj)));
  else if (c.kind === 'failed') out.gaps.push({ what: 'k8s/kube-proxy-configmap.json', why: c.failure.why });
}

/**
 * The Kubernetes phase: lists what a trace of the scope's Services reads (shared/spec/snapshot.md
 * "Kinds used") with get/list only, and writes k8s/*.json as `kubectl get -o json` would. Resources
 * a cluster does not serve (TargetGroupBinding, Gateway API) are skipped; a refused or failed
 * read becomes a gap.
 */
export async function gatherKube(kc: KubeConfig, dir: string, scope: GatherScope, timeoutMs: number): Promise<KubeGather> {
  const ctx: Ctx = { kc, timeoutMs };
  const out: Out = { dir, docs: [], gaps: [] };
  const core = await readCore(ctx);
  const traced = pickServices(core.services.items, scope);
  // Every Service is kept: the trace resolves a bare NAME against all of them, as it would offline.
  write(out, 'k8s/services.json', kubectlList([core.services]));
  write(out, 'k8s/nodes.json', kubectlList(collect('k8s/nodes.json', [{ outcome: core.nodes }], out.gaps)));
  const svcs = traced.map((t): SvcRef => { const [namespace, name] = t.split('/', 2) as [string, string]; return { namespace, name }; });
  const [, proxyLists] = await Promise.all([readEndpoints(ctx, out, scope.all, svcs), readPods(ctx, out, scope, svcs), readOptional(ctx, out)]);
  return { docs: out.docs, gaps: out.gaps, kubeProxyPods: kubeProxyPodsByNode(proxyLists), traced };
}

/** node → kube-proxy pod, preferring a Running one, and its container named kube-proxy (else its first). */
function kubeProxyPodsByNode(lists: readonly KubeList[]): Map<string, { pod: string; container: string }> {
  const out = new Map<string, { pod: string; container: string }>();
  for (const p of lists.flatMap((l) => l.items)) {
    const spec = (p.spec ?? {}) as Obj;
    const status = (p.status ?? {}) as Obj;
    const node = typeof spec.nodeName === 'string' ? spec.nodeName : undefined;
    if (!node || (out.has(node) && status.phase !== 'Running')) continue;
    const names = (Array.isArray(spec.containers) ? spec.containers as Obj[] : []).map((c) => c.name).filter((n): n is string => typeof n === 'string');
    out.set(node, { pod: objectName(p).name, container: names.includes('kube-proxy') ? 'kube-proxy' : names[0] ?? 'kube-proxy' });
  }
  return out;
}
