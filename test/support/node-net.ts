// Builds a node's HostNetwork from a compact description, through the same parsers a snapshot
// goes through (ip -j addr / ip -j route JSON), so tests exercise the real input path.
import { buildHostNetwork, parseIpAddrJson, parseIpRouteJson } from '../../src/netfilter/routing/index.js';
import type { HostNetwork } from '../../src/netfilter/host.js';

export interface LinkSpec {
  readonly name: string;
  readonly addrs?: readonly string[]; // CIDR form, e.g. 192.168.0.2/24
  readonly linkType?: string;
}

export interface RouteSpec {
  readonly dst: string;
  readonly gateway?: string;
  readonly dev: string;
  readonly scope?: string;
  readonly onlink?: boolean;
  readonly type?: string;
}

/** lo first, then `links` in order (ifindex order), plus main-table routes; the local table is derived. */
export function nodeNetwork(links: readonly LinkSpec[], routes: readonly RouteSpec[]): HostNetwork {
  const all = [{ name: 'lo', addrs: ['127.0.0.1/8'], linkType: 'loopback' }, ...links];
  const addrJson = all.map((l, i) => ({
    ifindex: i + 1, ifname: l.name, flags: l.name === 'lo' ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500, operstate: 'UP', link_type: l.linkType ?? 'ether',
    addr_info: (l.addrs ?? []).map((c) => {
      const [local, len] = c.split('/');
      return { family: 'inet', local, prefixlen: Number(len), scope: l.name === 'lo' ? 'host' : 'global', label: l.name, valid_life_time: 4294967295, preferred_life_time: 4294967295 };
    }),
  }));
  const ifaces = parseIpAddrJson(JSON.stringify(addrJson), 'test-ip-addr.json');
  const routeJson: Record<string, unknown>[] = [];
  for (const l of all) {
    for (const c of l.addrs ?? []) {
      const [local, len] = c.split('/');
      routeJson.push({ type: 'local', dst: local, dev: l.name, table: 'local', protocol: 'kernel', scope: 'host', prefsrc: local });
      if (l.name === 'lo') routeJson.push({ type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: local });
      else if (Number(len) < 32) {
        const parts = local!.split('.').map(Number);
        const mask = Number(len);
        const v = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
        const net = (v & (mask === 0 ? 0 : (0xffffffff << (32 - mask)) >>> 0)) >>> 0;
        const netText = [24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.');
        routeJson.push({ dst: `${netText}/${len}`, dev: l.name, protocol: 'kernel', scope: 'link', prefsrc: local, flags: [] });
      }
    }
  }
  for (const r of routes) {
    routeJson.push({
      ...(r.type ? { type: r.type } : {}), dst: r.dst, ...(r.gateway ? { gateway: r.gateway } : {}), dev: r.dev,
      ...(r.scope ? { scope: r.scope } : {}), flags: r.onlink ? ['onlink'] : [],
    });
  }
  const routesParsed = parseIpRouteJson(JSON.stringify(routeJson), 'test-ip-route.json');
  return buildHostNetwork(ifaces, routesParsed);
}
