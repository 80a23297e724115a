import type { Cluster, Service } from '../k8s/model.js';
import type { EndpointSpec, KubeProxyVersion, ProxierInput, ProxyMode, ServiceSpec } from '../kube/proxier-model.js';
import { servicePortInfos, type ServicePortInfo } from '../kube/proxier-model.js';
import { parseIp } from '../netfilter/cidr.js';
import type { NotChecked } from './model.js';

// What kube-proxy should have programmed on a node, from the cluster's objects: the Services and
// EndpointSlices are turned into the renderer's input (src/kube), so lint expects exactly what the
// kube-proxy model writes — the same SEP hashes, endpoint categories and IPVS real servers.

const isV4 = (ip: string): boolean => parseIp(ip)?.family === 4;

/** kube-proxy skips Services that name another proxy (pkg/proxy/config: service.kubernetes.io/service-proxy-name). */
function isProxiedByOther(svc: Service): boolean {
  return 'service.kubernetes.io/service-proxy-name' in svc.labels;
}

function endpointsFor(cluster: Cluster, svc: Service, port: Service['ports'][number]): EndpointSpec[] {
  const out: EndpointSpec[] = [];
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== svc.namespace || s.serviceName !== svc.name || s.addressType !== 'IPv4') continue;
    const sp = s.ports.find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
    if (sp?.port === undefined) continue;
    for (const e of s.endpoints) {
      for (const ip of e.addresses) {
        if (!isV4(ip)) continue;
        out.push({ ip, port: sp.port, nodeName: e.nodeName ?? '', ready: e.ready, serving: e.serving, terminating: e.terminating });
      }
    }
  }
  return out;
}

/** One single-port ServiceSpec per Service port, so each endpoint keeps its EndpointSlice port. */
export function serviceSpecs(cluster: Cluster, notChecked: NotChecked[]): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  for (const svc of cluster.services) {
    if (svc.type === 'ExternalName' || svc.clusterIPs.length === 0 || isProxiedByOther(svc)) continue;
    const clusterIP = svc.clusterIPs.find(isV4);
    if (!clusterIP) {
      notChecked.push({ what: `Service ${svc.namespace}/${svc.name}`, why: 'IPv6-only: kpath lints the IPv4 side of kube-proxy' });
      continue;
    }
    for (const port of svc.ports) {
      out.push({
        namespace: svc.namespace, name: svc.name, type: svc.type === 'LoadBalancer' || svc.type === 'NodePort' ? svc.type : 'ClusterIP',
        clusterIP,
        externalIPs: svc.externalIPs.filter(isV4),
        // LoadBalancerIPMode Proxy: kube-proxy writes no rule for the VIP.
        loadBalancerIPs: svc.ingress.filter((i) => i.ip !== undefined && isV4(i.ip) && i.ipMode !== 'Proxy').map((i) => i.ip!),
        loadBalancerSourceRanges: svc.loadBalancerSourceRanges.filter((c) => isV4(c.split('/')[0] ?? '')),
        externalTrafficPolicy: svc.externalTrafficPolicy, internalTrafficPolicy: svc.internalTrafficPolicy,
        ...(svc.healthCheckNodePort !== undefined ? { healthCheckNodePort: svc.healthCheckNodePort } : {}),
        ...(svc.sessionAffinity === 'ClientIP' ? { sessionAffinity: { timeoutSeconds: 10800 } } : {}),
        ports: [{
          ...(port.name ? { name: port.name } : {}), port: port.port, protocol: port.protocol,
          ...(port.nodePort !== undefined ? { nodePort: port.nodePort } : {}),
          targetPort: typeof port.targetPort === 'number' ? port.targetPort : 0,
        }],
        endpoints: endpointsFor(cluster, svc, port),
      });
    }
  }
  return out;
}

/** The node's IPv4 addresses from its Node object (InternalIP first). */
export function nodeV4Addresses(cluster: Cluster, node: string): string[] {
  const n = cluster.nodes.find((x) => x.name === node);
  if (!n) return [];
  const rank = (t: string) => (t === 'InternalIP' ? 0 : t === 'ExternalIP' ? 1 : 2);
  return [...n.addresses].filter((a) => isV4(a.address)).sort((a, b) => rank(a.type) - rank(b.type)).map((a) => a.address);
}

/**
 * The kube-proxy generation whose endpoint rules a version string (Node status.nodeInfo
 * .kubeProxyVersion, "v1.19.7") follows: 1.19 (no Local fallback in IPVS), 1.23, 1.28 (terminating
 * endpoints as fallback), 1.31. Undefined when the text is not a version.
 */
export function proxierGeneration(version: string | undefined): KubeProxyVersion | undefined {
  const m = /^v?1\.(\d+)/.exec(version ?? '');
  if (!m) return undefined;
  const minor = Number(m[1]);
  return minor < 20 ? '1.19' : minor < 24 ? '1.23' : minor < 31 ? '1.28' : '1.31';
}

/** kube-proxy's service ports as it would see them on `node`, for one kube-proxy generation. */
export function expectedPorts(cluster: Cluster, specs: readonly ServiceSpec[], node: string, mode: ProxyMode, version: KubeProxyVersion): { input: ProxierInput; infos: ServicePortInfo[] } {
  const input: ProxierInput = {
    nodeName: node, nodeIPs: nodeV4Addresses(cluster, node), family: 4, mode, version,
    ...(cluster.kubeProxy?.clusterCIDR && isV4(cluster.kubeProxy.clusterCIDR.split('/')[0] ?? '') ? { clusterCIDR: cluster.kubeProxy.clusterCIDR } : {}),
    randomFully: true, services: specs,
  };
  return { input, infos: servicePortInfos(input) };
}
