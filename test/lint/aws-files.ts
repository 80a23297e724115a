// AWS CLI JSON for a test NLB in front of demo/web (see build-snapshot.ts), shaped like fixtures/aws/.

export const LB_NAME = 'k8s-demo-web-0f1e2d3c4b';
export const LB_DNS = `${LB_NAME}-a1b2c3d4e5f60718.elb.eu-west-1.amazonaws.com`;
const ACCOUNT = '444455556666';
const LB_ARN = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/net/${LB_NAME}/a1b2c3d4e5f60718`;
export const TG_NAME = 'k8s-demo-web-9a8b7c6d5e';
const TG_ARN = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/${TG_NAME}/1122334455667788`;

const json = (v: unknown): string => `${JSON.stringify(v, null, 4)}\n`;

/** One registered target: ip target (pod IP) or instance target (instance ID), and its state. */
export interface TestTarget {
  readonly id: string;
  readonly port: number;
  readonly state?: string;
}

/** aws/ files: an internet-facing NLB, one TCP:80 listener, one target group of `type` with `targets`. */
export function nlbFiles(type: 'ip' | 'instance', targets: readonly TestTarget[]): Record<string, string> {
  return {
    'aws/load-balancers.json': json({
      LoadBalancers: [{
        LoadBalancerArn: LB_ARN, DNSName: LB_DNS, CanonicalHostedZoneId: 'Z2IFOLAFXWLO4F', LoadBalancerName: LB_NAME,
        Scheme: 'internet-facing', VpcId: 'vpc-0a1b2c3d4e5f60718', State: { Code: 'active' }, Type: 'network',
        AvailabilityZones: [
          { ZoneName: 'zone-a', SubnetId: 'subnet-0aa11bb22cc33dd44', LoadBalancerAddresses: [] },
          { ZoneName: 'zone-b', SubnetId: 'subnet-0ee55ff66aa77bb88', LoadBalancerAddresses: [] },
        ],
        IpAddressType: 'ipv4',
      }],
    }),
    [`aws/listeners/${LB_NAME}.json`]: json({
      Listeners: [{
        ListenerArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:listener/net/${LB_NAME}/a1b2c3d4e5f60718/99aa88bb77cc66dd`,
        LoadBalancerArn: LB_ARN, Port: 80, Protocol: 'TCP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: TG_ARN }],
      }],
    }),
    'aws/target-groups.json': json({
      TargetGroups: [{
        TargetGroupArn: TG_ARN, TargetGroupName: TG_NAME, Protocol: 'TCP', Port: type === 'ip' ? 1 : 31080,
        VpcId: 'vpc-0a1b2c3d4e5f60718', HealthCheckProtocol: 'TCP', HealthCheckPort: 'traffic-port', HealthCheckEnabled: true,
        LoadBalancerArns: [LB_ARN], TargetType: type, IpAddressType: 'ipv4',
      }],
    }),
    [`aws/target-health/${TG_NAME}.json`]: json({
      TargetHealthDescriptions: targets.map((t) => ({
        Target: { Id: t.id, Port: t.port }, HealthCheckPort: String(t.port), TargetHealth: { State: t.state ?? 'healthy' },
      })),
    }),
    'aws/tags.json': json({
      TagDescriptions: [{
        ResourceArn: LB_ARN,
        Tags: [{ Key: 'elbv2.k8s.aws/cluster', Value: 'prod-eu' }, { Key: 'service.k8s.aws/stack', Value: 'demo/web' }, { Key: 'kubernetes.io/cluster/prod-eu', Value: 'owned' }],
      }],
    }),
  };
}

/** The Service fields that tie demo/web to the test NLB. */
export const WEB_EXTRA = { 'demo/web': { hostname: LB_DNS, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' } } };
