import { cidrContains, formatIp, parseCidr, parseIp, type Ip } from '../cidr.js';
import type { AddrType } from '../model.js';

/** A routing decision for one destination. */
export type RouteAnswer =
  | { readonly kind: 'local'; readonly text: string }
  | {
      readonly kind: 'unicast';
      /** One entry, or several for an ECMP route (weights relative). */
      readonly hops: readonly { readonly dev?: string; readonly gateway?: string; readonly weight: number }[];
      readonly text: string;
      readonly assumption?: string;
    }
  | { readonly kind: 'blackhole' | 'unreachable' | 'prohibit' | 'none'; readonly text: string };

/**
 * What the evaluator asks of the node's addresses and routes. Built from ip -j addr / ip -j route
 * when the snapshot has them, or from the Node's addresses with stated assumptions.
 */
export interface NodeRouting {
  route(dst: Ip): RouteAnswer;
  addrTypeIs(ip: Ip, types: readonly AddrType[], dev: string | undefined): { is: boolean; assumption?: string } | { unknown: string };
  /** The source MASQUERADE picks on `dev` toward `nexthop`. */
  /** `known`: the dumps show there is no address to pick (the kernel then drops the packet). */
  masqueradeSource(dev: string | undefined, nexthop: Ip): { ip?: string; how: string; assumption?: string; known?: boolean };
  /** REDIRECT's new destination: the incoming device's primary address (loopback for local packets). */
  redirectAddress(inDev: string | undefined, family: 4 | 6): { ip?: string; how: string; known?: boolean };
  /** The interface a packet from `src` most likely arrives on (the route back to it). */
  ingressFor(src: Ip): string | undefined;
  /** Bridge of a port: undefined when `iface` is itself a bridge (unknown port), null when not bridged. */
  bridgePortOf(iface: string): string | undefined | null;
  /** Global assumptions this view makes (e.g. "no route dump"). */
  readonly assumptions: readonly string[];
}

const LOOPBACK4 = parseCidr('127.0.0.0/8')!;

/**
 * A routing view from the Node object's addresses alone (no ip-addr/ip-route dumps): the node's
 * IPs and loopback are local, everything else leaves through an unnamed interface, and
 * MASQUERADE uses the first node IP. Every answer says so.
 */
export function fallbackRouting(nodeIps: readonly string[], node: string): NodeRouting {
  const ips = nodeIps.map((t) => parseIp(t)).filter((x): x is Ip => x !== undefined);
  const isLocal = (ip: Ip) => ips.some((n) => n.family === ip.family && n.value === ip.value) ||
    (ip.family === 4 ? cidrContains(LOOPBACK4, ip) : ip.value === 1n);
  const noDump = `no ip-addr.json/ip-route.json for ${node}: local addresses are the Node's addresses (${nodeIps.join(', ') || 'none known'}) and loopback`;
  return {
    assumptions: [noDump],
    route(dst) {
      if (isLocal(dst)) return { kind: 'local', text: `local ${formatIp(dst)} (node address)` };
      return { kind: 'unicast', hops: [{ weight: 1 }], text: 'route unknown (no route dump)', assumption: `no route dump for ${node}: ${formatIp(dst)} assumed reachable off the node` };
    },
    addrTypeIs(ip, types) {
      let type: AddrType = 'UNICAST';
      if (isLocal(ip)) type = 'LOCAL';
      else if (ip.family === 4 && (ip.value >> 28n) === 0xen) type = 'MULTICAST';
      else if (ip.family === 4 && (ip.value === 0xffffffffn || ip.value >> 24n === 0n)) type = 'BROADCAST';
      return { is: types.includes(type), assumption: noDump };
    },
    masqueradeSource() {
      const first = ips[0];
      if (!first) return { how: 'no node address known', assumption: `no address known for ${node}` };
      return { ip: formatIp(first), how: `node InternalIP ${formatIp(first)}`, assumption: `no route/address dump for ${node}: MASQUERADE source taken as the node's InternalIP` };
    },
    redirectAddress(inDev, family) {
      if (inDev === undefined) return { ip: family === 4 ? '127.0.0.1' : '::1', how: 'loopback (locally generated)' };
      const first = ips.find((i) => i.family === family);
      return first ? { ip: formatIp(first), how: `node address ${formatIp(first)} (interface addresses unknown)` } : { how: 'no address known' };
    },
    ingressFor() {
      return undefined;
    },
    bridgePortOf() {
      return null;
    },
  };
}
