import { KpathError } from '../errors.js';
import { parseIp } from '../netfilter/cidr.js';
import { hostRouting } from '../netfilter/evaluate/host-routing.js';
import { fallbackRouting, type NodeRouting } from '../netfilter/evaluate/routing-view.js';
import type { NodeInput } from '../netfilter/evaluate/node.js';
import { indexIpsets, ipsetPacket, parseIpset, testSet } from '../netfilter/ipset/index.js';
import { parseIptablesSave } from '../netfilter/iptables/parse.js';
import { parseIpvsadm, type IpvsTable } from '../netfilter/ipvs/index.js';
import type { Ruleset } from '../netfilter/model.js';
import { buildHostNetwork, parseIpAddrJson, parseIpRouteJson } from '../netfilter/routing/index.js';
import type { HostNetwork } from '../netfilter/host.js';
import type { Cluster } from '../k8s/model.js';
import type { NodeDumps } from '../snapshot/model.js';
import type { Unknown } from './model.js';

/** One node's netfilter and routing state, parsed once per trace. */
export interface NodeState {
  readonly name: string;
  readonly rulesets: { readonly 4?: Ruleset; readonly 6?: Ruleset };
  readonly testSet?: NodeInput['testSet'];
  /** The node's IPVS table (kube-proxy IPVS mode), when ipvsadm.txt is in the snapshot. */
  readonly ipvs?: IpvsTable;
  readonly routing: NodeRouting;
  readonly network?: HostNetwork;
  /**
   * kube-proxy runs in IPVS mode here (its ConfigMap says so, or the node has kube-ipvs0) but
   * there is no ipvsadm dump: where IPVS sends VIP traffic is unknown.
   */
  readonly ipvsMissing: boolean;
  /** Node addresses from the Node object (InternalIP first). */
  readonly nodeIps: readonly string[];
  /** What is missing or could not be read, for the trace output. */
  readonly unknowns: readonly Unknown[];
}

/** The Node object's addresses, InternalIP first. */
export function nodeAddresses(cluster: Cluster, name: string): string[] {
  const n = cluster.nodes.find((x) => x.name === name);
  if (!n) return [];
  const order = (t: string) => (t === 'InternalIP' ? 0 : t === 'ExternalIP' ? 1 : 2);
  return [...n.addresses].filter((a) => parseIp(a.address)).sort((a, b) => order(a.type) - order(b.type)).map((a) => a.address);
}

/**
 * Parses what a node folder holds. With `strict`, a dump kpath cannot read throws its positioned
 * error (node-level trace); otherwise it becomes an unknown and the node is traced without it.
 */
export function loadNodeState(dumps: NodeDumps | undefined, cluster: Cluster, name: string, strict: boolean): NodeState {
  const unknowns: Unknown[] = [];
  const nodeIps = nodeAddresses(cluster, name);
  const attempt = <T>(what: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (strict || !(e instanceof KpathError)) throw e;
      const where = e.loc ? `${e.loc.file}:${e.loc.line}:${e.loc.column}` : what;
      unknowns.push({ what: `${what} of ${name} cannot be read (${e.code}: ${e.message})`, where, effect: 'traced as if the file were missing' });
      return undefined;
    }
  };
  const v4 = dumps?.iptablesSave && attempt('iptables-save.txt', () => parseIptablesSave(dumps.iptablesSave!.text, { file: dumps.iptablesSave!.path, family: 4, lazy: true }));
  const v6 = dumps?.ip6tablesSave && attempt('ip6tables-save.txt', () => parseIptablesSave(dumps.ip6tablesSave!.text, { file: dumps.ip6tablesSave!.path, family: 6, lazy: true }));
  const sets = dumps?.ipsetSave && attempt('ipset-save.txt', () => parseIpset(dumps.ipsetSave!.text, dumps.ipsetSave!.path));
  const index = sets ? indexIpsets(sets) : undefined;
  const ipvs = dumps?.ipvsadm && attempt('ipvsadm.txt', () => parseIpvsadm(dumps.ipvsadm!.text, dumps.ipvsadm!.path));
  const ifaces = dumps?.ipAddr && attempt('ip-addr.json', () => parseIpAddrJson(dumps.ipAddr!.text, dumps.ipAddr!.path));
  const routes = dumps?.ipRoute && attempt('ip-route.json', () => parseIpRouteJson(dumps.ipRoute!.text, dumps.ipRoute!.path));
  const network = ifaces ? buildHostNetwork(ifaces, routes) : undefined;
  const routing = network ? hostRouting(network, name) : fallbackRouting(nodeIps, name);
  const setTester: NodeInput['testSet'] = index
    ? (setName, dirs, pkt, opts) => {
      const a = testSet(index, setName, dirs, ipsetPacket(pkt), opts);
      return { result: a.result, reason: a.reason };
    }
    : undefined;
  const ipvsMode = cluster.kubeProxy?.mode === 'ipvs' || (network?.interfaces.some((i) => i.name === 'kube-ipvs0') ?? false);
  const ipvsMissing = ipvsMode && !ipvs;
  if (ipvsMissing) unknowns.push({ what: `nodes/${name}/ipvsadm.txt is missing (kube-proxy IPVS mode)`, where: `nodes/${name}`, effect: 'traffic to Service VIPs on this node ends at IPVS, whose choice is unknown' });
  return { name, rulesets: { 4: v4, 6: v6 }, testSet: setTester, ipvs, ipvsMissing, routing, network, nodeIps, unknowns };
}
