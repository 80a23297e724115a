import type { AwsData, LoadBalancer, TargetGroup } from './model.js';

/** Something the snapshot did not say, where it should have been, and what kpath assumed instead. */
export interface AwsUnknown {
  readonly what: string;
  readonly where: string;
  readonly effect: string;
}

/** The target-group behaviour that decides balancing and the source address, each with its reason. */
export interface TargetGroupSettings {
  readonly isCrossZone: boolean;
  readonly crossZoneReason: string;
  readonly keepsClientIp: boolean;
  readonly keepsClientIpReason: string;
  readonly proxyProtocol: boolean;
  readonly proxyProtocolReason: string;
  readonly unknowns: readonly AwsUnknown[];
}

// Preservation is on and cannot be turned off for these TG protocols, for instance and ip targets
// alike (aws-nlb.md §1.5 table, from the AWS doc and the botocore attribute text).
const ALWAYS_PRESERVED = new Set(['UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC']);

function preserveDefault(targetType: 'instance' | 'ip', protocol: string): { on: boolean; why: string } {
  if (ALWAYS_PRESERVED.has(protocol)) return { on: true, why: `always on for ${protocol}` };
  // Instance targets default to on; ip targets over TCP/TLS default to off (aws-nlb.md §1.5).
  return targetType === 'instance'
    ? { on: true, why: `default for instance targets over ${protocol}` }
    : { on: false, why: `default for ip targets over ${protocol}` };
}

function boolAttr(v: string | undefined): boolean | undefined {
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

function crossZone(aws: AwsData, lb: LoadBalancer, tg: TargetGroup, attrs: ReadonlyMap<string, string> | undefined) {
  const unknowns: AwsUnknown[] = [];
  const key = 'load_balancing.cross_zone.enabled';
  // The TG attribute (true | false | use_load_balancer_configuration, default the last) wins over
  // the LB attribute, whose NLB default is false (aws-nlb.md §2.1).
  const tgValue = attrs?.get(key);
  const tgBool = boolAttr(tgValue);
  if (tgBool !== undefined) return { on: tgBool, reason: `target group ${tg.name} ${key}=${tgValue}`, unknowns };
  const tgPart = `target group ${tg.name} ${key}=${tgValue ?? 'use_load_balancer_configuration (default)'}`;
  const lbAttrs = aws.loadBalancerAttributes.get(lb.name);
  const lbValue = lbAttrs?.values.get(key);
  const lbBool = boolAttr(lbValue);
  if (lbBool !== undefined) return { on: lbBool, reason: `${tgPart}; load balancer ${lb.name} ${key}=${lbValue}`, unknowns };
  if (!lbAttrs) {
    unknowns.push({
      what: `attributes of load balancer ${lb.name}`, where: `aws/load-balancer-attributes/${lb.name}.json`,
      effect: 'cross-zone load balancing assumed off (the NLB default)',
    });
  }
  return { on: false, reason: `${tgPart}; load balancer ${lb.name} ${key}=false (NLB default)`, unknowns };
}

/**
 * Reads a target group's effective cross-zone, client-IP-preservation and proxy-protocol settings
 * from its attributes, falling back to AWS defaults where an attribute or file is missing.
 */
export function resolveTargetGroupSettings(
  aws: AwsData, lb: LoadBalancer, tg: TargetGroup, targetType: 'instance' | 'ip', listenerProtocol: string,
): TargetGroupSettings {
  const file = aws.targetGroupAttributes.get(tg.name);
  const attrs = file?.values;
  const unknowns: AwsUnknown[] = [];
  if (!file) {
    unknowns.push({
      what: `attributes of target group ${tg.name}`, where: `aws/target-group-attributes/${tg.name}.json`,
      effect: 'AWS defaults assumed for preserve_client_ip.enabled, proxy_protocol_v2.enabled and cross-zone',
    });
  }
  const protocol = tg.protocol ?? listenerProtocol;
  const def = preserveDefault(targetType, protocol);
  const pKey = 'preserve_client_ip.enabled';
  const pValue = attrs?.get(pKey);
  const pBool = boolAttr(pValue);
  let keepsClientIp: boolean;
  let keepsClientIpReason: string;
  if (ALWAYS_PRESERVED.has(protocol)) {
    keepsClientIp = true;
    keepsClientIpReason = `target group ${tg.name} protocol ${protocol}: client IP preservation is ${def.why}` +
      (pBool === false ? ` (the attribute's ${pKey}=false does not apply)` : '');
  } else if (pBool !== undefined) {
    keepsClientIp = pBool;
    keepsClientIpReason = `target group ${tg.name} ${pKey}=${pValue}` + (pBool === def.on ? ` (${def.why})` : ` (set; the ${def.why} is ${String(def.on)})`);
  } else {
    keepsClientIp = def.on;
    keepsClientIpReason = `target group ${tg.name} ${pKey}=${String(def.on)} (${def.why}; attribute not captured)`;
  }
  const ppKey = 'proxy_protocol_v2.enabled';
  const ppValue = attrs?.get(ppKey);
  const proxyProtocol = ppValue === 'true';
  const cz = crossZone(aws, lb, tg, attrs);
  return {
    isCrossZone: cz.on, crossZoneReason: cz.reason,
    keepsClientIp, keepsClientIpReason,
    proxyProtocol,
    proxyProtocolReason: `target group ${tg.name} ${ppKey}=${ppValue ?? 'false (default)'}`,
    unknowns: [...unknowns, ...cz.unknowns],
  };
}
