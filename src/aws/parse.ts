import type { AwsDumps, FileJson } from '../snapshot/model.js';
import type {
  AwsData, KeyValues, Listener, ListenerAction, LoadBalancer, LoadBalancerZone, NlbInterface, TargetGroup,
  TargetHealthDescription, TargetHealthSet,
} from './model.js';
import {
  arrayField, child, expectObject, keyValueList, numberField, optBoolean, optNumber, optObject, optString,
  shapeError, stringField, type JsonAt,
} from './shape.js';

type Obj = Record<string, unknown>;

/** The top-level object of a file and the array of items under `key` (required). */
function topItems(f: FileJson, key: string, command: string): { items: unknown[]; at: JsonAt } {
  const at: JsonAt = { file: f.path, path: '$' };
  const hint = `the file should be the JSON output of \`${command} --output json\` (an object with "${key}": [...])`;
  const o = expectObject(f.json, at, hint);
  return { items: arrayField(o, key, at, true, hint), at: child(at, key) };
}

function eachObject<T>(items: unknown[], at: JsonAt, read: (o: Obj, at: JsonAt) => T): T[] {
  return items.map((it, i) => {
    const iat = child(at, i);
    return read(expectObject(it, iat), iat);
  });
}

function readZone(o: Obj, at: JsonAt): LoadBalancerZone {
  const aat = child(at, 'LoadBalancerAddresses');
  return {
    zoneName: stringField(o, 'ZoneName', at),
    subnetId: optString(o, 'SubnetId', at),
    loadBalancerAddresses: eachObject(arrayField(o, 'LoadBalancerAddresses', at), aat, (a, x) => ({
      ipAddress: optString(a, 'IpAddress', x),
      privateIPv4Address: optString(a, 'PrivateIPv4Address', x),
      allocationId: optString(a, 'AllocationId', x),
      ipv6Address: optString(a, 'IPv6Address', x),
    })),
  };
}

function readLoadBalancer(o: Obj, at: JsonAt): LoadBalancer {
  const st = optObject(o, 'State', at);
  return {
    arn: stringField(o, 'LoadBalancerArn', at),
    name: stringField(o, 'LoadBalancerName', at),
    dnsName: stringField(o, 'DNSName', at),
    scheme: optString(o, 'Scheme', at),
    type: stringField(o, 'Type', at),
    vpcId: optString(o, 'VpcId', at),
    ipAddressType: optString(o, 'IpAddressType', at),
    availabilityZones: eachObject(arrayField(o, 'AvailabilityZones', at), child(at, 'AvailabilityZones'), readZone),
    state: st ? { code: stringField(st, 'Code', child(at, 'State')), reason: optString(st, 'Reason', child(at, 'State')) } : undefined,
    source: { file: at.file, at: at.path },
  };
}

function readAction(o: Obj, at: JsonAt): ListenerAction {
  const fc = optObject(o, 'ForwardConfig', at);
  const fat = child(at, 'ForwardConfig');
  return {
    type: stringField(o, 'Type', at),
    targetGroupArn: optString(o, 'TargetGroupArn', at),
    forwardConfig: fc
      ? {
        targetGroups: eachObject(arrayField(fc, 'TargetGroups', fat), child(fat, 'TargetGroups'), (t, tat) => ({
          targetGroupArn: stringField(t, 'TargetGroupArn', tat),
          weight: optNumber(t, 'Weight', tat),
        })),
      }
      : undefined,
  };
}

function readListener(o: Obj, at: JsonAt): Listener {
  return {
    arn: stringField(o, 'ListenerArn', at),
    loadBalancerArn: stringField(o, 'LoadBalancerArn', at),
    port: numberField(o, 'Port', at),
    protocol: stringField(o, 'Protocol', at),
    defaultActions: eachObject(arrayField(o, 'DefaultActions', at), child(at, 'DefaultActions'), readAction),
    source: { file: at.file, at: at.path },
  };
}

function readTargetGroup(o: Obj, at: JsonAt): TargetGroup {
  const m = optObject(o, 'Matcher', at);
  const mat = child(at, 'Matcher');
  return {
    arn: stringField(o, 'TargetGroupArn', at),
    name: stringField(o, 'TargetGroupName', at),
    protocol: optString(o, 'Protocol', at),
    port: optNumber(o, 'Port', at),
    targetType: stringField(o, 'TargetType', at),
    vpcId: optString(o, 'VpcId', at),
    ipAddressType: optString(o, 'IpAddressType', at),
    healthCheck: {
      enabled: optBoolean(o, 'HealthCheckEnabled', at),
      protocol: optString(o, 'HealthCheckProtocol', at),
      port: optString(o, 'HealthCheckPort', at),
      path: optString(o, 'HealthCheckPath', at),
      intervalSeconds: optNumber(o, 'HealthCheckIntervalSeconds', at),
      timeoutSeconds: optNumber(o, 'HealthCheckTimeoutSeconds', at),
      healthyThresholdCount: optNumber(o, 'HealthyThresholdCount', at),
      unhealthyThresholdCount: optNumber(o, 'UnhealthyThresholdCount', at),
      matcher: m ? optString(m, 'HttpCode', mat) ?? optString(m, 'GrpcCode', mat) : undefined,
    },
    loadBalancerArns: arrayField(o, 'LoadBalancerArns', at).map((v, i) => {
      if (typeof v === 'string') return v;
      throw shapeError(child(child(at, 'LoadBalancerArns'), i), 'a string', v);
    }),
    source: { file: at.file, at: at.path },
  };
}

function readHealth(o: Obj, at: JsonAt): TargetHealthDescription {
  const t = expectObject(o.Target, child(at, 'Target'));
  const tat = child(at, 'Target');
  const h = expectObject(o.TargetHealth, child(at, 'TargetHealth'));
  const hat = child(at, 'TargetHealth');
  return {
    target: { id: stringField(t, 'Id', tat), port: optNumber(t, 'Port', tat), availabilityZone: optString(t, 'AvailabilityZone', tat) },
    healthCheckPort: optString(o, 'HealthCheckPort', at),
    targetHealth: { state: stringField(h, 'State', hat), reason: optString(h, 'Reason', hat), description: optString(h, 'Description', hat) },
    source: { file: at.file, at: at.path },
  };
}

// `ELB net/<lb-name>/<lb-id>`: the description AWS gives each NLB node's ENI (aws-nlb.md §1.1).
const NLB_ENI = /^ELB net\/([^/]+)\/([^/]+)$/;

function readInterface(o: Obj, at: JsonAt): NlbInterface | undefined {
  const m = NLB_ENI.exec(optString(o, 'Description', at) ?? '');
  if (!m) return undefined;
  const assoc = optObject(o, 'Association', at);
  return {
    networkInterfaceId: optString(o, 'NetworkInterfaceId', at),
    lbName: m[1]!, lbId: m[2]!,
    availabilityZone: optString(o, 'AvailabilityZone', at),
    subnetId: optString(o, 'SubnetId', at),
    privateIpAddress: optString(o, 'PrivateIpAddress', at),
    publicIp: assoc ? optString(assoc, 'PublicIp', child(at, 'Association')) : undefined,
    source: { file: at.file, at: at.path },
  };
}

function readAttributes(files: ReadonlyMap<string, FileJson>, command: string): Map<string, KeyValues> {
  const out = new Map<string, KeyValues>();
  for (const [name, f] of files) {
    const { items, at } = topItems(f, 'Attributes', command);
    out.set(name, { file: f.path, values: keyValueList(items, at) });
  }
  return out;
}

function readTags(f: FileJson | undefined): Map<string, KeyValues> {
  const out = new Map<string, KeyValues>();
  if (!f) return out;
  const { items, at } = topItems(f, 'TagDescriptions', 'aws elbv2 describe-tags');
  eachObject(items, at, (o, oat) => {
    const values = keyValueList(arrayField(o, 'Tags', oat), child(oat, 'Tags'));
    out.set(stringField(o, 'ResourceArn', oat), { file: f.path, values });
  });
  return out;
}

/**
 * Narrows the aws/ folder's raw JSON (shared/spec/snapshot.md) into typed data. A missing file
 * is fine (empty list or map); a file that is not the AWS CLI output it should be throws
 * E_AWS_SHAPE naming the file and the JSON path.
 */
export function readAwsDumps(d: AwsDumps): AwsData {
  const list = <T>(f: FileJson | undefined, key: string, command: string, read: (o: Obj, at: JsonAt) => T): T[] => {
    if (!f) return [];
    const { items, at } = topItems(f, key, command);
    return eachObject(items, at, read);
  };
  const listeners: Listener[] = [];
  const listenerFiles = new Map<string, string>();
  for (const [name, f] of d.listeners) {
    listeners.push(...list(f, 'Listeners', 'aws elbv2 describe-listeners', readListener));
    listenerFiles.set(name, f.path);
  }
  const targetHealth = new Map<string, TargetHealthSet>();
  for (const [name, f] of d.targetHealth) {
    targetHealth.set(name, { file: f.path, descriptions: list(f, 'TargetHealthDescriptions', 'aws elbv2 describe-target-health', readHealth) });
  }
  return {
    loadBalancers: list(d.loadBalancers, 'LoadBalancers', 'aws elbv2 describe-load-balancers', readLoadBalancer),
    targetGroups: list(d.targetGroups, 'TargetGroups', 'aws elbv2 describe-target-groups', readTargetGroup),
    listeners,
    listenerFiles,
    targetHealth,
    targetGroupAttributes: readAttributes(d.targetGroupAttributes, 'aws elbv2 describe-target-group-attributes'),
    loadBalancerAttributes: readAttributes(d.loadBalancerAttributes, 'aws elbv2 describe-load-balancer-attributes'),
    tags: readTags(d.tags),
    nlbInterfaces: list(d.networkInterfaces, 'NetworkInterfaces', 'aws ec2 describe-network-interfaces', readInterface)
      .filter((x): x is NlbInterface => x !== undefined),
    files: {
      loadBalancers: d.loadBalancers?.path, targetGroups: d.targetGroups?.path,
      tags: d.tags?.path, networkInterfaces: d.networkInterfaces?.path,
    },
  };
}
