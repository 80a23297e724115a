import { canonicalIp, parseIp } from '../cidr.js';
import type { IfAddr, Interface } from '../host.js';
import {
  asArray, asObject, failShape, optBoolean, optCount, optString, optStringArray, reqString,
  type JsonObject, type ShapeContext,
} from './json-shape.js';
import { parseJsonText, type JsonPath } from './json-text.js';

/**
 * Parses `ip -j addr show` (iproute2 ≥ 4.13) into interfaces, in the dump's (ifindex) order.
 * Bad JSON throws E_JSON_BAD; JSON of the wrong shape throws E_IPADDR_SHAPE naming the path.
 */
export function parseIpAddrJson(text: string, file: string): Interface[] {
  const ctx: ShapeContext = { text, file, code: 'E_IPADDR_SHAPE', command: 'ip -j addr show' };
  const links = asArray(ctx, parseJsonText(text, file), []);
  return links.map((v, i) => readLink(ctx, asObject(ctx, v, [i]), [i]));
}

function readLink(ctx: ShapeContext, o: JsonObject, path: JsonPath): Interface {
  const ifindex = optCount(ctx, o, 'ifindex', path);
  if (ifindex === undefined) failShape(ctx, [...path, 'ifindex'], 'missing "ifindex"');
  // The JSON ifname is plain ("eth0"); the "@if5" / "@eth0" suffix of the text output becomes the
  // separate "link", "link_index" and "link_netnsid" keys (checked against iproute2 6.1).
  const name = reqString(ctx, o, 'ifname', path);
  const linkType = optString(ctx, o, 'link_type', path);
  const master = optString(ctx, o, 'master', path);
  const operstate = optString(ctx, o, 'operstate', path);
  // `ip -j link show` has no addr_info at all; read it as a link without addresses.
  const infos = o['addr_info'] === undefined ? [] : asArray(ctx, o['addr_info'], [...path, 'addr_info']);
  const addrs: IfAddr[] = [];
  infos.forEach((v, j) => {
    const a = readAddr(ctx, asObject(ctx, v, [...path, 'addr_info', j]), [...path, 'addr_info', j]);
    if (a) addrs.push(a);
  });
  return {
    name,
    ifindex,
    flags: optStringArray(ctx, o, 'flags', path) ?? [],
    ...(linkType !== undefined ? { linkType } : {}),
    ...(master !== undefined ? { master } : {}),
    ...(operstate !== undefined ? { operstate } : {}),
    addrs,
  };
}

function readAddr(ctx: ShapeContext, o: JsonObject, path: JsonPath): IfAddr | undefined {
  const familyWord = optString(ctx, o, 'family', path);
  // iproute2 before 5.x printed `{}` for addresses that a family filter (`ip -4 -j addr`) hid.
  if (familyWord === undefined && Object.keys(o).length === 0) return undefined;
  if (familyWord === undefined) failShape(ctx, [...path, 'family'], 'missing "family"');
  // Only inet and inet6 addresses matter for routing; other families (mpls…) carry no IP.
  if (familyWord !== 'inet' && familyWord !== 'inet6') return undefined;
  const family = familyWord === 'inet' ? 4 : 6;
  const local = readIp(ctx, o, 'local', path, family, true);
  const prefixlen = optCount(ctx, o, 'prefixlen', path);
  if (prefixlen === undefined) failShape(ctx, [...path, 'prefixlen'], 'missing "prefixlen"');
  if (prefixlen > (family === 4 ? 32 : 128)) failShape(ctx, [...path, 'prefixlen'], `prefix length ${prefixlen} is too long`);
  // On a point-to-point address (`ip addr add A peer B`), iproute2 prints the peer as "address".
  const peer = readIp(ctx, o, 'address', path, family, false);
  return {
    family,
    local,
    prefixlen,
    // iproute2 always prints "scope"; a hand-written dump without it means global.
    scope: optString(ctx, o, 'scope', path) ?? 'global',
    // "secondary": true is printed only for secondary addresses (IFA_F_SECONDARY).
    secondary: optBoolean(ctx, o, 'secondary', path) ?? false,
    ...(peer !== undefined && peer !== local ? { peer } : {}),
  };
}

function readIp<R extends boolean>(
  ctx: ShapeContext, o: JsonObject, key: string, path: JsonPath, family: 4 | 6, required: R,
): R extends true ? string : string | undefined {
  const text = required ? reqString(ctx, o, key, path) : optString(ctx, o, key, path);
  if (text === undefined) return undefined as R extends true ? string : string | undefined;
  const ip = parseIp(text);
  if (!ip || ip.family !== family) failShape(ctx, [...path, key], `"${text}" is not an IPv${family} address`);
  return canonicalIp(text);
}
