import { parseIp } from '../cidr.js';
import type { IpvsService, IpvsTable } from '../ipvs/model.js';
import { assume, endpointText, forkBranch, type Branch } from './branch.js';

const PROTO_WORD: Readonly<Record<number, IpvsService['protocol']>> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** Schedulers whose choice follows the weights exactly over new connections (ip_vs_rr.c, ip_vs_wrr.c). */
const WEIGHTED = new Set(['rr', 'wrr']);

/** The virtual service a packet hits: address/port/protocol first, then a firewall-mark service (ip_vs_service_find). */
export function findVirtualService(table: IpvsTable, b: Branch): IpvsService | undefined {
  const word = PROTO_WORD[b.proto];
  const byAddr = table.services.find((s) => {
    if (s.protocol !== word || s.port !== b.dport || s.address === undefined) return false;
    const ip = parseIp(s.address);
    return !!ip && ip.family === b.family && ip.value === b.dst.value;
  });
  if (byAddr) return byAddr;
  return b.mark === 0 ? undefined : table.services.find((s) => s.protocol === 'fwmark' && s.fwmark === b.mark && s.family === b.family);
}

/** What the IPVS step does with a branch: one branch per real server, or a refusal. */
export type IpvsResult =
  | { readonly kind: 'scheduled'; readonly branches: readonly { readonly b: Branch; readonly local: boolean }[] }
  | { readonly kind: 'no-destination'; readonly b: Branch; readonly reason: string };

function serviceName(s: IpvsService): string {
  if (s.protocol === 'fwmark') return `FWM ${s.fwmark}`;
  const ip = parseIp(s.address ?? '');
  return `${s.protocol.toUpperCase()} ${ip ? endpointText(ip, s.port) : s.address}`;
}

/**
 * IPVS at LOCAL_IN (priority 99, after filter INPUT) or LOCAL_OUT (-98, after nat OUTPUT): picks a
 * real server for a new connection and rewrites the destination (Masq). rr and wrr give exact
 * shares by weight; other schedulers depend on live connection counts or hashes, so kpath gives
 * equal shares and says so. Weight 0 servers take no new connections (kube-proxy.md §3.4–3.5).
 */
export function scheduleIpvs(s: IpvsService, b: Branch, isLocal: (ip: string) => boolean): IpvsResult {
  const name = serviceName(s);
  const usable = s.realServers.filter((r) => r.weight > 0);
  if (usable.length === 0) {
    return { kind: 'no-destination', b, reason: `IPVS ${name} has no real server with weight > 0: new connections are refused` };
  }
  const weighted = s.scheduler === 'wrr';
  const total = weighted ? usable.reduce((x, r) => x + r.weight, 0) : usable.length;
  const branches = usable.map((r) => {
    const share = (weighted ? r.weight : 1) / total;
    const nb = usable.length === 1 ? b : forkBranch(b, b.probability * share);
    if (!WEIGHTED.has(s.scheduler)) assume(nb, `IPVS scheduler ${s.scheduler} on ${name} depends on connection counts or hashes kpath cannot see; modelled as equal shares`);
    if (s.persistent !== undefined) assume(nb, `IPVS ${name} is persistent (${s.persistent}s): a new client has no persistence template, so the scheduler decides`);
    const ip = parseIp(r.address)!;
    const from = endpointText(b.dst, b.dport);
    const to = endpointText(ip, r.port);
    const shareText = `${usable.length > 1 ? `${weighted ? `weight ${r.weight}/${total}` : `1/${usable.length}`}` : 'only server'}`;
    nb.steps.push({ table: 'ipvs', chain: name, rule: s.realServers.indexOf(r) + 1, text: `${name} ${s.scheduler} -> ${to} ${r.forward} ${r.weight}`, verdict: `IPVS ${s.scheduler} ${from} → ${to} (${shareText})`, loc: r.loc });
    if (r.forward === 'Masq' || r.forward === 'Local') {
      nb.translations.push({ type: 'IPVS', from, to, chain: name, rule: s.realServers.indexOf(r) + 1, text: `-> ${to} ${r.forward} ${r.weight}`, loc: r.loc, how: `${s.scheduler} scheduler` });
      nb.dst = ip;
      nb.dport = r.port;
    } else {
      assume(nb, `IPVS ${name} forwards to ${to} with ${r.forward} (direct routing/tunnel): the destination address is not rewritten`);
    }
    return { b: nb, local: r.forward === 'Local' || isLocal(r.address) };
  });
  return { kind: 'scheduled', branches };
}
