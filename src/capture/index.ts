// Live capture: the Kubernetes API, AWS ELBv2/EC2 and node dumps → a snapshot directory (shared/spec/snapshot.md).
export { gatherSnapshot } from './gather.js';
export { NODE_TOOLS } from './node-dumps.js';
export { debugPodSpec, DEBUG_NAMESPACE } from './debug-pod.js';
export type { Gap, GatherOptions, GatherResult, GatherScope, LiveDebugPod, NodeAccess } from './model.js';
