// The AWS NLB model: typed aws/ dumps, the Service → NLB join, and the NLB hop of a Service port.
export { readAwsDumps } from './parse.js';
export { findServiceNlbs, targetGroupsOf, type ServiceNlb } from './find.js';
export { modelNlbHop, type NlbBranch, type NlbHop } from './nlb.js';
export type { AwsUnknown } from './settings.js';
export type {
  AwsData, AwsSource, KeyValues, Listener, ListenerAction, LoadBalancer, LoadBalancerAddress, LoadBalancerZone,
  NlbInterface, TargetGroup, TargetHealthDescription, TargetHealthSet,
} from './model.js';
