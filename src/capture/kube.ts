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
  /** node name → the kube-proxy pod running there (kube-system, label k8s-app=kube-proxy). */
  readonly kubeProxyPods: ReadonlyMap<string, string>;
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

function write(dir: string, file: string, doc: unknown, docs: { file: string; doc: unknown }[]): void {
  writeJson(dir, file, doc);
  docs.push({ file, doc });
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
      hint: 'check the kubeconfig/context and that your user may list services (README: RBAC for kpath gather)',
    });
  }
  return { services: services.list, nodes };
}

/**
 * The Kubernetes phase: lists what a trace of the scope's Services reads (shared/spec/snapshot.md
 * "Kinds used") with get/list only, and writes k8s/*.json as `kubectl get -o json` would. Resources
 * a cluster does not serve (TargetGroupBinding, Gateway API) are skipped; a refused or failed
 * read becomes a gap.
 */
export async function gatherKube(kc: KubeConfig, dir: string, scope: GatherScope, timeoutMs: number): Promise<KubeGather> {
  const ctx: Ctx = { kc, timeoutMs };
  const gaps: Gap[] = [];
  const docs: { file: string; doc: unknown }[] = [];
  const core = await readCore(ctx);
  const traced = pickServices(core.services.items, scope);
  // Every Service is kept: the trace resolves a bare NAME against all of them, as it would offline.
  write(dir, 'k8s/services.json', kubectlList([core.services]), docs);
  write(dir, 'k8s/nodes.json', kubectlList(collect('k8s/nodes.json', [{ outcome: core.nodes }], gaps)), docs);

  const svcRefs = traced.map((t) => { const [namespace, name] = t.split('/', 2) as [string, string]; return { namespace, name }; });
  const sliceJobs = scope.all
    ? [{ part: undefined, outcome: list(ctx, DiscoveryV1Api, (api, limit, cont) => api.listEndpointSliceForAllNamespaces({ limit, _continue: cont })) }]
    : svcRefs.map((s) => ({
      part: `${s.namespace}/${s.name}`,
      outcome: list(ctx, DiscoveryV1Api, (api, limit, cont) => api.listNamespacedEndpointSlice({ namespace: s.namespace, labelSelector: `kubernetes.io/service-name=${s.name}`, limit, _continue: cont })),
    }));
  const podNamespaces = [...new Set([...svcRefs.map((s) => s.namespace), 'metallb-system', fromPodNamespace(scope.from)].filter((n): n is string => n !== undefined))].sort();
  const podJobs = scope.all
    ? [{ part: undefined, outcome: list(ctx, CoreV1Api, (api, limit, cont) => api.listPodForAllNamespaces({ limit, _continue: cont })) }]
    : podNamespaces.map((namespace) => ({ part: `namespace ${namespace}`, outcome: list(ctx, CoreV1Api, (api, limit, cont) => api.listNamespacedPod({ namespace, limit, _continue: cont })) }));
  const proxyJob = list(ctx, CoreV1Api, (api, limit, cont) => api.listNamespacedPod({ namespace: 'kube-system', labelSelector: KUBE_PROXY_SELECTOR, limit, _continue: cont }));
  const extraJobs = [
    { file: 'k8s/targetgroupbindings.json', outcome: list(ctx, CustomObjectsApi, custom('elbv2.k8s.aws', 'v1beta1', 'targetgroupbindings')) },
    { file: 'k8s/ingresses.json', outcome: list(ctx, NetworkingV1Api, (api, limit, cont) => api.listIngressForAllNamespaces({ limit, _continue: cont })) },
    { file: 'k8s/gateways.json', outcome: list(ctx, CustomObjectsApi, custom('gateway.networking.k8s.io', 'v1', 'gateways')) },
    { file: 'k8s/httproutes.json', outcome: list(ctx, CustomObjectsApi, custom('gateway.networking.k8s.io', 'v1', 'httproutes')) },
  ];
  const cmRaw = rawApi(kc, CoreV1Api, timeoutMs);
  const cmJob = getOne(cmRaw, () => cmRaw.api.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kube-proxy' }), timeoutMs);

  const slices = await Promise.all(sliceJobs.map(async (j) => ({ part: j.part, outcome: await j.outcome })));
  if (slices.length > 0 && slices.every((s) => s.outcome.kind === 'absent')) {
    // Clusters before discovery.k8s.io/v1 (Kubernetes < 1.21): Endpoints instead.
    const eps = await Promise.all(svcRefs.map(async (s) => ({
      part: `${s.namespace}/${s.name}`,
      outcome: await list(ctx, CoreV1Api, (api, limit, cont) => api.listNamespacedEndpoints({ namespace: s.namespace, fieldSelector: `metadata.name=${s.name}`, limit, _continue: cont })),
    })));
    write(dir, 'k8s/endpoints.json', kubectlList(collect('k8s/endpoints.json', eps, gaps)), docs);
  } else {
    write(dir, 'k8s/endpointslices.json', kubectlList(collect('k8s/endpointslices.json', slices, gaps)), docs);
  }
  const pods = await Promise.all(podJobs.map(async (j) => ({ part: j.part, outcome: await j.outcome })));
  const proxy = await proxyJob;
  const proxyLists = collect('k8s/pods.json', [{ part: `kube-system ${KUBE_PROXY_SELECTOR}`, outcome: proxy }], gaps);
  write(dir, 'k8s/pods.json', kubectlList([...collect('k8s/pods.json', pods, gaps), ...proxyLists]), docs);
  for (const j of extraJobs) {
    const outcome = await j.outcome;
    if (outcome.kind === 'absent') continue;
    const lists = collect(j.file, [{ outcome }], gaps);
    if (lists.length > 0) write(dir, j.file, kubectlList(lists), docs);
  }
  const cm = await cmJob;
  if (cm.kind === 'ok') write(dir, 'k8s/kube-proxy-configmap.json', sortKeys(scrub(cm.obj)), docs);
  else if (cm.kind === 'failed') gaps.push({ what: 'k8s/kube-proxy-configmap.json', why: cm.failure.why });

  return { docs, gaps, kubeProxyPods: kubeProxyPodsByNode(proxyLists), traced };
}

/** node → kube-proxy pod, preferring a Running one. */
function kubeProxyPodsByNode(lists: readonly KubeList[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of lists.flatMap((l) => l.items)) {
    const spec = (p.spec ?? {}) as Obj;
    const status = (p.status ?? {}) as Obj;
    const node = typeof spec.nodeName === 'string' ? spec.nodeName : undefined;
    if (!node) continue;
    if (!out.has(node) || status.phase === 'Running') out.set(node, objectName(p).name);
  }
  return out;
}
