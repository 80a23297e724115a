import { canonicalIp, formatCidr, parseCidr, parseIp, type Cidr } from '../cidr.js';
import type { Nexthop, Route, RouteType } from '../host.js';
import {
  asArray, asObject, failShape, optCount, optString, optStringArray, reqString,
  type JsonObject, type ShapeContext,
} from './json-shape.js';
import { parseJsonText, type JsonPath } from './json-text.js';

/** Options for {@link parseIpRouteJson}. */
export interface ParseIpRouteOptions {
  /** The family the dump was taken for (`ip -6 -j route` → 6); used only where a route does not show it. */
  readonly family?: 4 | 6;
}

const ROUTE_TYPES: ReadonlySet<string> = new Set<RouteType>([
  'unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat',
]);

// iproute2 prints table names from /etc/iproute2/rt_tables; the reserved ids have fixed names.
const TABLE_NAMES: Readonly<Record<string, string>> = { '253': 'default', '254': 'main', '255': 'local' };

/**
 * Parses `ip -j route show table all` (or `ip -j route show`, whose routes carry no "table" key
 * and are all in main) into routes, in dump order. Bad JSON throws E_JSON_BAD; JSON of the wrong
 * shape throws E_IPROUTE_SHAPE naming the path.
 */
export function parseIpRouteJson(text: string, file: string, opts: ParseIpRouteOptions = {}): Route[] {
  const ctx: ShapeContext = { text, file, code: 'E_IPROUTE_SHAPE', command: 'ip -j route show table all' };
  const items = asArray(ctx, parseJsonText(text, file), []);
  return items.map((v, i) => readRoute(ctx, asObject(ctx, v, [i]), [i], opts.family));
}

function readRoute(ctx: ShapeContext, o: JsonObject, path: JsonPath, hint: 4 | 6 | undefined): Route {
  // iproute2 omits "type" for unicast routes, "table" for main, "metric" when the kernel sent
  // none (IPv4 metric 0), "scope" for universe and "protocol" for boot (iproute2 ip/iproute.c).
  const type = optString(ctx, o, 'type', path) ?? 'unicast';
  if (!ROUTE_TYPES.has(type)) failShape(ctx, [...path, 'type'], `unknown route type "${type}"`);
  const dstText = reqString(ctx, o, 'dst', path);
  const family = routeFamily(o, hint);
  const dst = readDst(ctx, dstText, family, [...path, 'dst']);
  const gateway = readGateway(ctx, o, path, family);
  const dev = optString(ctx, o, 'dev', path);
  const prefsrc = readIp(ctx, o, 'prefsrc', path, family);
  const tableText = optString(ctx, o, 'table', path) ?? 'main';
  const flags = optStringArray(ctx, o, 'flags', path) ?? [];
  const nexthops = o['nexthops'] === undefined ? undefined : readNexthops(ctx, o['nexthops'], [...path, 'nexthops'], family);
  const route: Omit<Route, 'text'> = {
    table: TABLE_NAMES[tableText] ?? tableText,
    type: type as RouteType,
    dst,
    ...(gateway !== undefined ? { gateway } : {}),
    ...(dev !== undefined ? { dev } : {}),
    ...(prefsrc !== undefined ? { prefsrc } : {}),
    metric: optCount(ctx, o, 'metric', path) ?? 0,
    scope: optString(ctx, o, 'scope', path) ?? 'global',
    protocol: optString(ctx, o, 'protocol', path) ?? 'boot',
    onlink: flags.includes('onlink'),
    ...(nexthops !== undefined ? { nexthops } : {}),
  };
  return { ...route, text: formatRouteText(route, { flags, showMetric: o['metric'] !== undefined }) };
}

/**
 * A dump of `table all` mixes both families and "default" does not say which it is, so the
 * family comes from the first address the route shows; "pref" is printed only for IPv6 routes.
 */
function routeFamily(o: JsonObject, hint: 4 | 6 | undefined): 4 | 6 {
  const nexthops = Array.isArray(o['nexthops']) ? (o['nexthops'] as unknown[]) : [];
  const nhGateways = nexthops.map((n) => (typeof n === 'object' && n !== null ? (n as JsonObject)['gateway'] : undefined));
  for (const v of [o['dst'], o['gateway'], o['prefsrc'], ...nhGateways]) {
    if (typeof v !== 'string' || v === 'default') continue;
    const ip = parseIp(v.split('/')[0]!);
    if (ip) return ip.family;
  }
  if (o['pref'] !== undefined) return 6;
  return hint ?? 4;
}

function readDst(ctx: ShapeContext, text: string, family: 4 | 6, path: JsonPath): Cidr {
  if (text === 'default') return { family, value: 0n, prefix: 0 };
  const cidr = parseCidr(text);
  if (!cidr || cidr.family !== family) failShape(ctx, path, `"${text}" is not an IPv${family} prefix`);
  return cidr;
}

/**
 * "gateway" (RTA_GATEWAY, always the route's own family), or "via": {"family":"inet6","host":…}
 * for an IPv4 route through an IPv6 next hop (RTA_VIA, RFC 5549).
 */
function readGateway(ctx: ShapeContext, o: JsonObject, path: JsonPath, family: 4 | 6): string | undefined {
  const gw = readIp(ctx, o, 'gateway', path, family);
  if (gw !== undefined || o['via'] === undefined) return gw;
  return readIp(ctx, asObject(ctx, o['via'], [...path, 'via']), 'host', [...path, 'via']);
}

function readIp(ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath, family?: 4 | 6): string | undefined {
  const text = optString(ctx, o, key, path);
  if (text === undefined) return undefined;
  const ip = parseIp(text);
  if (!ip) failShape(ctx, [...path, key], `"${text}" is not an IP address`);
  if (family !== undefined && ip.family !== family) {
    failShape(ctx, [...path, key], `"${text}" is not an IPv${family} address, as the route is`);
  }
  return canonicalIp(text);
}

function readNexthops(ctx: ShapeContext, v: unknown, path: JsonPath, family: 4 | 6): Nexthop[] {
  return asArray(ctx, v, path).map((item, i) => {
    const p = [...path, i];
    const o = asObject(ctx, item, p);
    const gateway = readGateway(ctx, o, p, family);
    const dev = optString(ctx, o, 'dev', p);
    return {
      ...(gateway !== undefined ? { gateway } : {}),
      ...(dev !== undefined ? { dev } : {}),
      // RTNH weight is hops+1; iproute2 prints "weight" always, 1 is the kernel's default.
      weight: optCount(ctx, o, 'weight', p) ?? 1,
      onlink: (optStringArray(ctx, o, 'flags', p) ?? []).includes('onlink'),
    };
  });
}

/**
 * The route as `ip route show` prints it (defaults left out the same way), for messages and
 * for routes derived from addresses.
 */
export function formatRouteText(
  r: Omit<Route, 'text'>,
  opts: { readonly flags?: readonly string[]; readonly showMetric?: boolean } = {},
): string {
  const bits = r.dst.family === 4 ? 32 : 128;
  const dst = r.dst.prefix === 0 ? 'default' : r.dst.prefix === bits ? formatCidr(r.dst).split('/')[0]! : formatCidr(r.dst);
  const parts = [r.type === 'unicast' ? '' : r.type, dst];
  parts.push(...via(r.gateway, r.dst.family));
  if (r.dev !== undefined) parts.push('dev', r.dev);
  if (r.table !== 'main') parts.push('table', r.table);
  if (r.protocol !== undefined && r.protocol !== 'boot') parts.push('proto', r.protocol);
  if (r.scope !== undefined && r.scope !== 'global') parts.push('scope', r.scope);
  if (r.prefsrc !== undefined) parts.push('src', r.prefsrc);
  if (opts.showMetric ?? r.metric !== 0) parts.push('metric', String(r.metric));
  parts.push(...(opts.flags ?? (r.onlink ? ['onlink'] : [])));
  for (const nh of r.nexthops ?? []) {
    parts.push('nexthop');
    parts.push(...via(nh.gateway, r.dst.family));
    if (nh.dev !== undefined) parts.push('dev', nh.dev);
    parts.push('weight', String(nh.weight));
    if (nh.onlink) parts.push('onlink');
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** iproute2 prints a gateway of the other family as `via inet6 ADDR` (RTA_VIA). */
function via(gateway: string | undefined, family: 4 | 6): string[] {
  if (gateway === undefined) return [];
  const gwFamily = parseIp(gateway)?.family ?? family;
  return gwFamily === family ? ['via', gateway] : ['via', gwFamily === 6 ? 'inet6' : 'inet', gateway];
}
