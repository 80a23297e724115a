import { parseIp, type Ip } from '../cidr.js';
import type { HostNetwork } from '../host.js';
import { ipv6ScopeClass, isV4Mapped } from './ipv6-scope.js';
import type { SourceChoice } from './masquerade-source.js';

/**
 * REDIRECT's new destination (net/netfilter/nf_nat_redirect.c). Locally generated packets
 * (`inDev` undefined: the OUTPUT chain) go to 127.0.0.1 or ::1. Otherwise IPv4 takes the first
 * address of the incoming device (the head of in_dev->ifa_list: primaries come before
 * secondaries, any scope), and IPv6 the first address of the device, in the dump's order (the
 * kernel's addr_list order), that is not v4-mapped and, for a loopback, link-local or
 * site-local destination `dst`, has that same scope (kernel ≥ 6.7; tentative addresses, which
 * it also skips, are not in the model). No address: the kernel drops the packet.
 */
export function selectRedirectAddress(
  net: HostNetwork, inDev: string | undefined, family: 4 | 6, dst?: Ip,
): SourceChoice {
  if (inDev === undefined) {
    const ip = family === 4 ? '127.0.0.1' : '::1';
    return { ip, how: `locally generated packet: REDIRECT sends it to ${ip}`, isKnown: true };
  }
  const iface = net.interfaces.find((i) => i.name === inDev);
  if (!iface) return { how: `${inDev} is not in the address dump, so its addresses are unknown`, isKnown: false };
  const wantScope = family === 6 && dst ? ipv6ScopeClass(dst) : undefined;
  const a = iface.addrs.find((x) => {
    if (x.family !== family) return false;
    if (family === 4) return true;
    const ip = parseIp(x.local);
    return !!ip && !isV4Mapped(ip) && (wantScope === undefined || ipv6ScopeClass(ip) === wantScope);
  });
  if (!a) {
    const what = wantScope ? `${wantScope} IPv6 address` : `IPv${family} address`;
    return { how: `${inDev} has no ${what}: REDIRECT drops the packet`, isKnown: true };
  }
  return { ip: a.local, how: `first IPv${family} address of ${inDev}, where the packet came in`, isKnown: true };
}
