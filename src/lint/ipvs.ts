import type { Cluster } from '../k8s/model.js';
import { buildIpvsState } from '../kube/ipvs-state.js';
import type { ProxierInput, ServicePortInfo } from '../kube/proxier-model.js';
import type { IpvsService, IpvsTable } from '../netfilter/ipvs/model.js';
import { sliceState } from './iptables.js';
import type { Finding } from './model.js';

/** A node's IPVS-mode state to lint. */
export interface IpvsNodeInput {
  readonly node: string;
  readonly table: IpvsTable;
  readonly input: ProxierInput;
  readonly infos: readonly ServicePortInfo[];
  readonly cluster: Cluster;
}

/** What one virtual server should hold, and which Service port it serves. */
interface Expectation {
  readonly spn: string;
  readonly realServers: ReadonlySet<string>;
  /** ClusterIP, external and LB VIPs must exist; NodePort servers depend on --nodeport-addresses. */
  readonly mustExist: boolean;
  readonly vip: string;
}

const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
const vsKey = (proto: string, ip: string, port: number): string => `${proto} ${hostPort(ip, port)}`;
const where = (x: { loc: { file: string; line: number } }): string => `${x.loc.file}:${x.loc.line}`;

function expectations(inp: IpvsNodeInput): { exact: Map<string, Expectation>; nodePorts: Map<string, Expectation> } {
  const exact = new Map<string, Expectation>();
  const nodePorts = new Map<string, Expectation>();
  // NodePort servers sit on every local address, so they are matched by port; with no known node
  // address, a documentation address stands in so that the model still builds them.
  const input = inp.input.nodeIPs.length > 0 ? inp.input : { ...inp.input, nodeIPs: ['192.0.2.1'] };
  for (const info of inp.infos) {
    const vips = new Set([info.clusterIP, ...info.externalIPs, ...info.loadBalancerIPs]);
    // One port at a time, so every virtual server the model builds belongs to `info`.
    for (const vs of buildIpvsState(input, [info]).virtualServers) {
      const isVip = vips.has(vs.address) && vs.port === info.port;
      const exp: Expectation = { spn: info.spn, realServers: new Set(vs.realServers), mustExist: isVip, vip: hostPort(vs.address, vs.port) };
      if (isVip) exact.set(vsKey(vs.proto, vs.address, vs.port), exp);
      else nodePorts.set(`${vs.proto} :${vs.port}`, exp);
    }
  }
  return { exact, nodePorts };
}

function endpointState(cluster: Cluster, spn: string, ip: string): ReturnType<typeof sliceState> {
  const [ns, name] = spn.split(/[/:]/) as [string, string];
  return sliceState(cluster, ns, name, ip);
}

function checkService(inp: IpvsNodeInput, vs: IpvsService, exp: Expectation): Finding[] {
  const out: Finding[] = [];
  const vip = hostPort(vs.address ?? '', vs.port ?? 0);
  const actual = new Set(vs.realServers.map((r) => hostPort(r.address, r.port)));
  for (const rs of exp.realServers) {
    if (actual.has(rs)) continue;
    out.push({
      severity: 'error', code: 'missing-real-server', node: inp.node, where: where(vs), service: exp.spn, endpoint: rs,
      message: `${vs.protocol.toUpperCase()} ${vip} (${exp.spn}) has no real server ${rs}, a ready endpoint: kube-proxy has not programmed it`,
    });
  }
  for (const r of vs.realServers) {
    const rs = hostPort(r.address, r.port);
    // Weight 0 is kube-proxy's graceful termination: the server drains and takes no new connections.
    if (exp.realServers.has(rs) || r.weight === 0) continue;
    const state = endpointState(inp.cluster, exp.spn, r.address);
    const base = { node: inp.node, where: where(r), service: exp.spn, endpoint: rs };
    if (state === 'absent') {
      out.push({ ...base, severity: 'error', code: 'stale-real-server', message: `${vs.protocol.toUpperCase()} ${vip} (${exp.spn}) sends to ${rs} (weight ${r.weight}), which is not in the Service's EndpointSlices` });
    } else {
      out.push({ ...base, severity: 'warning', code: state === 'ready' ? 'unexpected-endpoint-rules' : 'not-ready-endpoint-rules', message: `${vs.protocol.toUpperCase()} ${vip} (${exp.spn}) sends to ${rs} (weight ${r.weight}), an endpoint that is ${state === 'ready' ? 'ready but not expected on this virtual server (traffic policy)' : state === 'serving' ? 'terminating' : 'not ready'}` });
    }
  }
  return out;
}

/**
 * Lints one IPVS-mode node: every ClusterIP, external and LB virtual server the kube-proxy model
 * expects exists, and every virtual server holds exactly the expected real servers (weight-0
 * servers are draining and allowed). NodePort servers are matched by port, whatever the address.
 */
export function lintIpvsNode(inp: IpvsNodeInput): Finding[] {
  const { exact, nodePorts } = expectations(inp);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const vs of inp.table.services) {
    if (vs.protocol === 'fwmark' || vs.address === undefined || vs.port === undefined) continue;
    const key = vsKey(vs.protocol, vs.address, vs.port);
    const exp = exact.get(key) ?? nodePorts.get(`${vs.protocol} :${vs.port}`);
    if (!exp) {
      findings.push({
        severity: 'warning', code: 'stale-virtual-server', node: inp.node, where: where(vs),
        message: `${vs.protocol.toUpperCase()} ${hostPort(vs.address, vs.port)} is no ClusterIP, external IP, LB IP or NodePort of a Service in the snapshot`,
      });
      continue;
    }
    seen.add(key);
    findings.push(...checkService(inp, vs, exp));
  }
  for (const [key, exp] of exact) {
    if (seen.has(key)) continue;
    findings.push({
      severity: exp.realServers.size > 0 ? 'error' : 'warning', code: 'missing-virtual-server', node: inp.node, where: inp.table.file, service: exp.spn,
      message: `no IPVS virtual server ${key.toUpperCase().replace(/^(\S+) /, '$1 ')} for ${exp.spn}${exp.realServers.size > 0 ? ` (${exp.realServers.size} ready endpoint${exp.realServers.size === 1 ? '' : 's'})` : ''}`,
    });
  }
  return findings;
}
