import { formatIp } from '../cidr.js';
import type { HostNetwork } from '../host.js';
import { lookupRoute, matchAddrType, selectMasqueradeSource, selectRedirectAddress } from '../routing/index.js';
import type { NodeRouting, RouteAnswer } from './routing-view.js';

/** The evaluator's routing view of a node whose ip -j addr (and ideally ip -j route) dumps we have. */
export function hostRouting(net: HostNetwork, node: string): NodeRouting {
  const assumptions = net.hasRouteDump
    ? []
    : [`no ip-route.json for ${node}: only connected and local routes (derived from ip-addr.json) are known`];
  const route = (dst: Parameters<NodeRouting['route']>[0]): RouteAnswer => {
    const r = lookupRoute(net, dst);
    switch (r.kind) {
      case 'local':
        return { kind: 'local', text: r.route.text };
      case 'broadcast':
        return { kind: 'local', text: r.route?.text ?? `broadcast ${formatIp(dst)}` };
      case 'multicast':
        return { kind: 'none', text: `multicast ${formatIp(dst)} (multicast routing is not modelled)` };
      case 'unicast':
        return {
          kind: 'unicast',
          hops: r.nexthops.map((h) => ({ dev: h.dev, gateway: h.gateway, weight: h.weight })),
          text: r.route.text,
        };
      case 'none':
        return { kind: 'none', text: `no route to ${formatIp(dst)}${net.hasRouteDump ? '' : ' (no route dump: only connected routes known)'}` };
      default:
        return { kind: r.kind, text: r.route.text };
    }
  };
  return {
    assumptions,
    route,
    addrTypeIs(ip, types, dev) {
      return { is: matchAddrType(net, ip, types, dev) };
    },
    masqueradeSource(dev, nexthop) {
      if (dev === undefined) return { how: 'the egress device is unknown' };
      const c = selectMasqueradeSource(net, dev, nexthop);
      return c.isKnown ? { ip: c.ip, how: c.how, known: true } : { ip: c.ip, how: c.how, assumption: c.how };
    },
    redirectAddress(inDev, family) {
      const c = selectRedirectAddress(net, inDev, family);
      return { ip: c.ip, how: c.how, known: c.isKnown };
    },
    ingressFor(src) {
      const r = route(src);
      if (r.kind === 'local') return 'lo';
      return r.kind === 'unicast' ? r.hops[0]?.dev : undefined;
    },
    bridgePortOf(iface) {
      return net.interfaces.some((i) => i.master === iface) ? undefined : null;
    },
  };
}
