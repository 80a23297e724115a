import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { kubeFailure } from './kube-list.js';

/** Where debug pods run: kube-system is exempt from Pod Security "restricted" on most clusters. */
export const DEBUG_NAMESPACE = 'kube-system';
/** The debug pod's one container, where the tools run. */
export const DEBUG_CONTAINER = 'dump';
/** A debug pod deletes itself after this long even if kpath is killed before it can (activeDeadlineSeconds). */
const DEBUG_LIFETIME_S = 900;

/** A debug pod by namespace and name. */
export interface DebugPodRef {
  readonly namespace: string;
  readonly name: string;
}

/** The pod: privileged, hostNetwork, pinned to the node, tolerating every taint, no service-account token. */
export function debugPodSpec(node: string, image: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'kpath-debug-',
      namespace: DEBUG_NAMESPACE,
      labels: { 'app.kubernetes.io/name': 'kpath-debug', 'app.kubernetes.io/managed-by': 'kpath' },
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      activeDeadlineSeconds: DEBUG_LIFETIME_S,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: DEBUG_CONTAINER, image, command: ['sleep', String(DEBUG_LIFETIME_S)], securityContext: { privileged: true } }],
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the debug pod on `node` and waits until it runs; `onCreated` gets it as soon as it
 * exists, so that an interrupt can delete it even while kpath is still waiting.
 */
export async function startDebugPod(kc: KubeConfig, node: string, image: string, deadline: number, onCreated: (p: DebugPodRef) => void, timeoutMs: number): Promise<{ pod: DebugPodRef } | { why: string; pod?: DebugPodRef }> {
  const core = kc.makeApiClient(CoreV1Api);
  let pod: DebugPodRef;
  try {
    const created = await core.createNamespacedPod({ namespace: DEBUG_NAMESPACE, body: debugPodSpec(node, image) });
    pod = { namespace: DEBUG_NAMESPACE, name: created.metadata?.name ?? '' };
    onCreated(pod);
  } catch (e) {
    return { why: `cannot create a debug pod: ${kubeFailure(e, timeoutMs).why}` };
  }
  while (Date.now() < deadline) {
    try {
      const p = await core.readNamespacedPod({ namespace: pod.namespace, name: pod.name });
      const phase = p.status?.phase;
      if (phase === 'Running') return { pod };
      if (phase === 'Failed' || phase === 'Succeeded') return { why: `debug pod ${pod.name} ended (${phase}) before it ran`, pod };
      const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason === 'ErrImagePull' || waiting?.reason === 'ImagePullBackOff') return { why: `debug pod ${pod.name}: ${waiting.reason} for ${image}`, pod };
    } catch (e) {
      return { why: `debug pod ${pod.name}: ${kubeFailure(e, timeoutMs).why}`, pod };
    }
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
  }
  return { why: `debug pod ${pod.name} did not start in time`, pod };
}

/** Deletes a debug pod at once (grace period 0); returns why it failed, if it did. */
export async function deleteDebugPod(kc: KubeConfig, pod: DebugPodRef, timeoutMs: number): Promise<string | undefined> {
  try {
    await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace: pod.namespace, name: pod.name, gracePeriodSeconds: 0 });
    return undefined;
  } catch (e) {
    const f = kubeFailure(e, timeoutMs);
    return f.status === 404 ? undefined : f.why;
  }
}
