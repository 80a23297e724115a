// Public surface of src/kube: kube-proxy's chain naming and a renderer of the rules it programs.
export {
  endpointChainSuffix, extChainName, fwChainName, joinHostPort, sepChainName, servicePortChainSuffix,
  servicePortName, svcChainName, svlChainName, xlbChainName,
} from './chain-hash.js';
export type { ProtoWord } from './chain-hash.js';
export { renderProxierRules } from './proxier-rules.js';
export type {
  EndpointSpec, KubeProxyVersion, ProxierInput, ProxierRules, ProxyMode, ServicePortSpec, ServiceSpec,
} from './proxier-model.js';
export { savedProbability, writtenProbability } from './probability.js';
