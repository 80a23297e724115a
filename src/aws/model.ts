/**
 * The parts of AWS ELBv2 / EC2 describe-* outputs kpath reads (shared/reference/aws-nlb.md §6),
 * narrowed from the AWS CLI v2 JSON of a snapshot's aws/ folder. Field names are AWS's own
 * member names in lowerCamelCase (`LoadBalancerArn` → `arn`, `DNSName` → `dnsName`).
 */

/** Where an item came from: the snapshot file and the JSON path inside it (`$.LoadBalancers[0]`). */
export interface AwsSource {
  readonly file: string;
  readonly at: string;
}

/** One address of an NLB node (DescribeLoadBalancers `AvailabilityZones[].LoadBalancerAddresses[]`). */
export interface LoadBalancerAddress {
  readonly ipAddress?: string;
  readonly privateIPv4Address?: string;
  readonly allocationId?: string;
  readonly ipv6Address?: string;
}

/** An enabled AZ/subnet of a load balancer: one NLB node each (aws-nlb.md §1.1). */
export interface LoadBalancerZone {
  readonly zoneName: string;
  readonly subnetId?: string;
  /** Often `[]`: auto-assigned private IPs are not listed here (aws-nlb.md §1.1, aws/aws-cli#8020). */
  readonly loadBalancerAddresses: readonly LoadBalancerAddress[];
}

/** A DescribeLoadBalancers item. `type` is `network` for an NLB. */
export interface LoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly scheme?: string;
  readonly type: string;
  readonly vpcId?: string;
  readonly ipAddressType?: string;
  readonly availabilityZones: readonly LoadBalancerZone[];
  readonly state?: { readonly code: string; readonly reason?: string };
  readonly source: AwsSource;
}

/** One target group of a forward action, with its weight (0–999) when weighted. */
export interface ForwardTarget {
  readonly targetGroupArn: string;
  readonly weight?: number;
}

/** A listener's default action. NLB listeners forward (aws-nlb.md §6). */
export interface ListenerAction {
  readonly type: string;
  readonly targetGroupArn?: string;
  readonly forwardConfig?: { readonly targetGroups: readonly ForwardTarget[] };
}

/** A DescribeListeners item. */
export interface Listener {
  readonly arn: string;
  readonly loadBalancerArn: string;
  readonly port: number;
  readonly protocol: string;
  readonly defaultActions: readonly ListenerAction[];
  readonly source: AwsSource;
}

/** The health-check settings of a target group (`HealthCheck*`, `Matcher`). */
export interface TargetGroupHealthCheck {
  readonly enabled?: boolean;
  readonly protocol?: string;
  /** `traffic-port` or a port number, as a string (AWS returns a string). */
  readonly port?: string;
  readonly path?: string;
  readonly intervalSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly healthyThresholdCount?: number;
  readonly unhealthyThresholdCount?: number;
  readonly matcher?: string;
}

/** A DescribeTargetGroups item. `targetType` is `instance | ip | lambda | alb` as AWS says it. */
export interface TargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly protocol?: string;
  /** For ip targets this may be the placeholder 1 and is never the data-path port (aws-nlb.md §1.3). */
  readonly port?: number;
  readonly targetType: string;
  readonly vpcId?: string;
  readonly ipAddressType?: string;
  readonly healthCheck: TargetGroupHealthCheck;
  readonly loadBalancerArns: readonly string[];
  readonly source: AwsSource;
}

/** A DescribeTargetHealth item: one registered target and its state. */
export interface TargetHealthDescription {
  readonly target: { readonly id: string; readonly port?: number; readonly availabilityZone?: string };
  readonly healthCheckPort?: string;
  /** `initial | healthy | unhealthy | unhealthy.draining | unused | draining | unavailable`. */
  readonly targetHealth: { readonly state: string; readonly reason?: string; readonly description?: string };
  readonly source: AwsSource;
}

/** The target-health file of one target group. */
export interface TargetHealthSet {
  readonly file: string;
  readonly descriptions: readonly TargetHealthDescription[];
}

/** Key/value pairs of one resource (attributes or tags), with the file they came from. */
export interface KeyValues {
  readonly file: string;
  readonly values: ReadonlyMap<string, string>;
}

/** An NLB node's ENI, found by its description `ELB net/<lb-name>/<lb-id>` (aws-nlb.md §1.1). */
export interface NlbInterface {
  readonly networkInterfaceId?: string;
  readonly lbName: string;
  readonly lbId: string;
  readonly availabilityZone?: string;
  readonly subnetId?: string;
  readonly privateIpAddress?: string;
  readonly publicIp?: string;
  readonly source: AwsSource;
}

/** Everything of a snapshot's aws/ folder, typed. Missing files give empty lists and maps. */
export interface AwsData {
  readonly loadBalancers: readonly LoadBalancer[];
  readonly targetGroups: readonly TargetGroup[];
  /** Every listener of every listeners/<lb-name>.json file. */
  readonly listeners: readonly Listener[];
  /** Names of the load balancers whose listeners/<lb-name>.json was captured. */
  readonly listenerFiles: ReadonlyMap<string, string>;
  /** Per target-group name (the file name). */
  readonly targetHealth: ReadonlyMap<string, TargetHealthSet>;
  /** Per target-group name. */
  readonly targetGroupAttributes: ReadonlyMap<string, KeyValues>;
  /** Per load-balancer name. */
  readonly loadBalancerAttributes: ReadonlyMap<string, KeyValues>;
  /** Per resource ARN. */
  readonly tags: ReadonlyMap<string, KeyValues>;
  readonly nlbInterfaces: readonly NlbInterface[];
  /** Which top-level files were present, for "not captured" messages. */
  readonly files: {
    readonly loadBalancers?: string;
    readonly targetGroups?: string;
    readonly tags?: string;
    readonly networkInterfaces?: string;
  };
}
