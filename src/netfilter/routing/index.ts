// Routing for one node, from `ip -j addr` and `ip -j route` dumps: parsers, the HostNetwork
// builder, and the kernel's lookups that netfilter targets and matches depend on.
export { parseIpAddrJson } from './ip-addr.js';
export { parseIpRouteJson, type ParseIpRouteOptions } from './ip-route.js';
export { buildHostNetwork } from './host-network.js';
export { lookupRoute, isLocalAddress, type RouteLookup, type LookupOptions } from './lookup.js';
export { addressType, matchAddrType, type AddrTypeOptions } from './addr-type.js';
export { selectMasqueradeSource, type SourceChoice } from './masquerade-source.js';
export { selectRedirectAddress } from './redirect-address.js';
