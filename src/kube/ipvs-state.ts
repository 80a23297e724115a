import { categorizeEndpoints } from './endpoints.js';
import { canonicalIPv4, cidrContains } from './ipv4.js';
import type { EndpointInfo, KubeProxyVersion, ProxierInput, ServicePortInfo } from './proxier-model.js';

// IPVS-mode kernel state besides iptables: the ipsets of kube-proxy.md §3.1 (names, types and rule
// comments from pkg/proxy/ipvs/ipset.go), the IPVS virtual servers (§3.4) and kube-ipvs0's addresses.

/** ipset types kube-proxy uses. */
export type IpsetType = 'hash:ip,port,ip' | 'hash:ip,port' | 'hash:ip,port,net' | 'bitmap:port' | 'hash:ip';

/** One ipset: its name, type, the comment its iptables rule carries, and its entries in ipset syntax. */
export interface IpvsSet {
  readonly name: string;
  readonly type: IpsetType;
  readonly comment: string;
  /** Insertion-ordered, duplicate-free. */
  readonly entries: Set<string>;
}

const SET_CATALOGUE: readonly (readonly [string, IpsetType, string])[] = [
  ['KUBE-LOOP-BACK', 'hash:ip,port,ip', 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose'],
  ['KUBE-CLUSTER-IP', 'hash:ip,port', 'Kubernetes service cluster ip + port for masquerade purpose'],
  ['KUBE-EXTERNAL-IP', 'hash:ip,port', 'Kubernetes service external ip + port for masquerade and filter purpose'],
  ['KUBE-EXTERNAL-IP-LOCAL', 'hash:ip,port', 'Kubernetes service external ip + port with externalTrafficPolicy=local'],
  ['KUBE-LOAD-BALANCER', 'hash:ip,port', 'Kubernetes service lb portal'],
  ['KUBE-LOAD-BALANCER-FW', 'hash:ip,port', 'Kubernetes service load balancer ip + port for load balancer with sourceRange'],
  ['KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port', 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local'],
  ['KUBE-LOAD-BALANCER-SOURCE-IP', 'hash:ip,port,ip', 'Kubernetes service load balancer ip + port + source IP for packet filter purpose'],
  ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net', 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose'],
  ['KUBE-NODE-PORT-TCP', 'bitmap:port', 'Kubernetes nodeport TCP port for masquerade purpose'],
  ['KUBE-NODE-PORT-LOCAL-TCP', 'bitmap:port', 'Kubernetes nodeport TCP port with externalTrafficPolicy=local'],
  ['KUBE-NODE-PORT-UDP', 'bitmap:port', 'Kubernetes nodeport UDP port for masquerade purpose'],
  ['KUBE-NODE-PORT-LOCAL-UDP', 'bitmap:port', 'Kubernetes nodeport UDP port with externalTrafficPolicy=local'],
  ['KUBE-NODE-PORT-SCTP-HASH', 'hash:ip,port', "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'"],
  ['KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'hash:ip,port', "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'"],
  ['KUBE-HEALTH-CHECK-NODE-PORT', 'bitmap:port', 'Kubernetes health check node port'],
  ['KUBE-IPVS-IPS', 'hash:ip', 'Addresses on the ipvs interface'],
];

/** One IPVS virtual server and its real servers ("ip:port"). */
export interface VirtualServer {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly address: string;
  readonly port: number;
  readonly persistenceSeconds: number;
  readonly realServers: readonly string[];
}

/** Everything IPVS-mode kube-proxy keeps outside iptables, plus what its iptables rules depend on. */
export interface IpvsState {
  readonly sets: Map<string, IpvsSet>;
  readonly virtualServers: VirtualServer[];
  readonly boundAddrs: string[];
  /** LB ip/port/proto that the node itself may not reach (1.31 KUBE-IPVS-OUT-FILTER). */
  readonly lbNoNodeAccess: { readonly ip: string; readonly port: number; readonly proto: string }[];
}

function setsFor(version: KubeProxyVersion): Map<string, IpvsSet> {
  const sets = new Map<string, IpvsSet>();
  for (const [name, type, comment] of SET_CATALOGUE) {
    if (name === 'KUBE-HEALTH-CHECK-NODE-PORT' && version === '1.19') continue;
    if (name === 'KUBE-IPVS-IPS' && (version === '1.19' || version === '1.23')) continue;
    sets.set(name, { name, type, comment, entries: new Set() });
  }
  return sets;
}

function addEntry(sets: Map<string, IpvsSet>, name: string, entry: string): void {
  sets.get(name)?.entries.add(entry);
}

/**
 * Real servers of one virtual server (syncEndpoint): with a Local policy the local endpoints, falling
 * back to the Cluster ones when there are none (PR #97081, not in 1.19).
 */
function realServers(input: ProxierInput, info: ServicePortInfo, onlyLocal: boolean): string[] {
  let eps: readonly EndpointInfo[];
  if (input.version === '1.19') {
    eps = info.endpoints.filter((ep) => ep.isReady && (!onlyLocal || ep.isLocal));
  } else {
    const cats = categorizeEndpoints(info, input.version !== '1.23');
    eps = onlyLocal && cats.local.length > 0 ? cats.local : cats.cluster;
  }
  return eps.map((ep) => ep.hostPort);
}

/** Mutable accumulator of buildIpvsState. */
interface Builder {
  readonly input: ProxierInput;
  readonly sets: Map<string, IpvsSet>;
  readonly virtualServers: VirtualServer[];
  readonly bound: Set<string>;
  readonly lbNoNodeAccess: { ip: string; port: number; proto: string }[];
  readonly nodeIPs: readonly string[];
  readonly nodePortIPs: readonly string[];
}

function addVirtualServer(b: Builder, info: ServicePortInfo, address: string, port: number, onlyLocal: boolean,
  isVip: boolean): void {
  b.virtualServers.push({
    proto: info.proto, address, port, persistenceSeconds: info.affinitySeconds,
    realServers: realServers(b.input, info, onlyLocal),
  });
  // VIPs go on kube-ipvs0 unless already on another interface (shouldBind in syncProxyRules); the
  // node addresses of NodePort servers never do.
  if (isVip && !b.nodeIPs.includes(address)) b.bound.add(address);
}

function addLoadBalancer(b: Builder, info: ServicePortInfo, ip: string): void {
  const pp = `${info.proto}:${info.port}`;
  addEntry(b.sets, 'KUBE-LOAD-BALANCER', `${ip},${pp}`);
  if (info.externalPolicyLocal) addEntry(b.sets, 'KUBE-LOAD-BALANCER-LOCAL', `${ip},${pp}`);
  if (info.sourceRanges.length > 0) {
    addEntry(b.sets, 'KUBE-LOAD-BALANCER-FW', `${ip},${pp}`);
    const nodeIP = b.nodeIPs[0];
    let allowFromNode = false;
    for (const cidr of info.sourceRanges) {
      addEntry(b.sets, 'KUBE-LOAD-BALANCER-SOURCE-CIDR', `${ip},${pp},${cidr}`);
      if (nodeIP !== undefined && cidrContains(cidr, nodeIP)) allowFromNode = true;
    }
    // A VIP bound on the node makes node→VIP traffic arrive from the VIP itself.
    if (allowFromNode) addEntry(b.sets, 'KUBE-LOAD-BALANCER-SOURCE-IP', `${ip},${pp},${ip}`);
    else b.lbNoNodeAccess.push({ ip, port: info.port, proto: info.proto });
  }
  addVirtualServer(b, info, ip, info.port, info.externalPolicyLocal, true);
}

function addNodePort(b: Builder, info: ServicePortInfo): void {
  const local = info.externalPolicyLocal;
  if (info.proto === 'sctp') {
    // bitmap:port cannot tell protocols apart, so SCTP uses hash:ip,port over every node IP.
    for (const ip of b.nodePortIPs) {
      addEntry(b.sets, 'KUBE-NODE-PORT-SCTP-HASH', `${ip},sctp:${info.nodePort}`);
      if (local) addEntry(b.sets, 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', `${ip},sctp:${info.nodePort}`);
    }
  } else {
    const suffix = info.proto.toUpperCase();
    addEntry(b.sets, `KUBE-NODE-PORT-${suffix}`, String(info.nodePort));
    if (local) addEntry(b.sets, `KUBE-NODE-PORT-LOCAL-${suffix}`, String(info.nodePort));
  }
  for (const ip of b.nodePortIPs) addVirtualServer(b, info, ip, info.nodePort, local, false);
}

/** Builds ipsets, virtual servers and kube-ipvs0 addresses from the service ports. */
export function buildIpvsState(input: ProxierInput, ports: readonly ServicePortInfo[]): IpvsState {
  const nodeIPs = input.nodeIPs.map(canonicalIPv4);
  const b: Builder = {
    input, sets: setsFor(input.version), virtualServers: [], bound: new Set(), lbNoNodeAccess: [], nodeIPs,
    nodePortIPs: (input.nodePortAddresses?.map(canonicalIPv4) ?? nodeIPs).filter((ip) => !ip.startsWith('127.')),
  };
  for (const info of ports) {
    const pp = `${info.proto}:${info.port}`;
    for (const ep of info.endpoints) {
      if (ep.isLocal && (input.version !== '1.19' || ep.isReady)) {
        addEntry(b.sets, 'KUBE-LOOP-BACK', `${ep.ip},${info.proto}:${ep.port},${ep.ip}`);
      }
    }
    addEntry(b.sets, 'KUBE-CLUSTER-IP', `${info.clusterIP},${pp}`);
    addVirtualServer(b, info, info.clusterIP, info.port, info.internalPolicyLocal, true);
    for (const ip of info.externalIPs) {
      addEntry(b.sets, info.externalPolicyLocal ? 'KUBE-EXTERNAL-IP-LOCAL' : 'KUBE-EXTERNAL-IP', `${ip},${pp}`);
      addVirtualServer(b, info, ip, info.port, info.externalPolicyLocal, true);
    }
    for (const ip of info.loadBalancerIPs) addLoadBalancer(b, info, ip);
    if (info.nodePort !== 0 && b.nodePortIPs.length > 0) addNodePort(b, info);
    if (info.healthCheckNodePort !== 0) addEntry(b.sets, 'KUBE-HEALTH-CHECK-NODE-PORT', String(info.healthCheckNodePort));
  }
  const boundAddrs = [...b.bound];
  for (const ip of boundAddrs) addEntry(b.sets, 'KUBE-IPVS-IPS', ip);
  return { sets: b.sets, virtualServers: b.virtualServers, boundAddrs, lbNoNodeAccess: b.lbNoNodeAccess };
}

/** `ipset save` text of the sets, without the version-dependent `bucketsize`/`initval` options. */
export function renderIpsetSave(state: IpvsState): string {
  const out: string[] = [];
  for (const set of state.sets.values()) {
    out.push(set.type === 'bitmap:port'
      ? `create ${set.name} bitmap:port range 0-65535`
      : `create ${set.name} ${set.type} family inet hashsize 1024 maxelem 65536`);
    for (const entry of set.entries) out.push(`add ${set.name} ${entry}`);
  }
  return out.join('\n') + '\n';
}

const IPVSADM_PROTO: Record<VirtualServer['proto'], string> = { tcp: '-t', udp: '-u', sctp: '--sctp-service' };

/** `ipvsadm-save -n` text: each virtual server, then its real servers (masquerading, weight 1). */
export function renderIpvsadmSave(state: IpvsState, scheduler: string): string {
  const out: string[] = [];
  for (const vs of state.virtualServers) {
    const service = `${IPVSADM_PROTO[vs.proto]} ${vs.address}:${vs.port}`;
    out.push(`-A ${service} -s ${scheduler}${vs.persistenceSeconds > 0 ? ` -p ${vs.persistenceSeconds}` : ''}`);
    for (const rs of [...vs.realServers].sort()) out.push(`-a ${service} -r ${rs} -m -w 1`);
  }
  return out.join('\n') + (out.length > 0 ? '\n' : '');
}
