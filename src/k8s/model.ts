/** The parts of Kubernetes objects kpath reads, narrowed from `kubectl get -o json` output. */

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly targetPort: number | string;
  readonly nodePort?: number;
}

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  readonly clusterIPs: readonly string[];
  readonly externalIPs: readonly string[];
  readonly ingress: readonly { readonly ip?: string; readonly hostname?: string; readonly ipMode?: string }[];
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
  readonly healthCheckNodePort?: number;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly loadBalancerSourceRanges: readonly string[];
  readonly loadBalancerClass?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector?: Readonly<Record<string, string>>;
  readonly source: string;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly targetRef?: { readonly kind: string; readonly namespace?: string; readonly name: string };
}

export interface EndpointSlice {
  readonly namespace: string;
  readonly name: string;
  readonly serviceName?: string;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly ports: readonly { readonly name?: string; readonly port?: number; readonly protocol: string }[];
  readonly endpoints: readonly Endpoint[];
  readonly source: string;
}

export interface Node {
  readonly name: string;
  readonly addresses: readonly { readonly type: string; readonly address: string }[];
  readonly providerID?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly podCIDRs: readonly string[];
  readonly ready: boolean | undefined;
  readonly source: string;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly ips: readonly string[];
  readonly nodeName?: string;
  readonly hostNetwork: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase?: string;
  readonly source: string;
}

export interface TargetGroupBinding {
  readonly namespace: string;
  readonly name: string;
  readonly targetGroupARN?: string;
  readonly targetGroupName?: string;
  readonly targetType?: 'instance' | 'ip';
  readonly serviceRef: { readonly name: string; readonly port: number | string };
  readonly source: string;
}

export interface KubeProxyConfig {
  readonly mode: 'iptables' | 'ipvs' | 'nftables' | 'unknown';
  readonly clusterCIDR?: string;
  readonly source: string;
}

/** Every object of the snapshot's k8s/ folder that kpath uses, classified by kind. */
export interface Cluster {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  readonly targetGroupBindings: readonly TargetGroupBinding[];
  readonly kubeProxy?: KubeProxyConfig;
  /** Objects that looked like a used kind but could not be read, with why. */
  readonly problems: readonly { readonly what: string; readonly why: string }[];
}
