import { flattenObjects } from '../k8s/parse.js';
import { commentSpns } from '../kube/chain-names.js';
import type { Ruleset } from '../netfilter/model.js';
import { DASHED_IP, isKeptDnsLabel, type NameRole, type Pseudonyms } from './names.js';

// The collection phase: before any file is rewritten, every name the snapshot holds is gathered from
// the places where Kubernetes and AWS put names, so that the same word is rewritten the same way in
// every file, including free text (comments, annotations, tags, descriptions) that mentions it.

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Label keys whose values are vocabulary, not names (zones, instance types, OS …): their values stay. */
const SAFE_LABEL_KEYS = new Set([
  'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region', 'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
  'endpointslice.kubernetes.io/managed-by', 'app.kubernetes.io/managed-by', 'eks.amazonaws.com/capacityType',
  'eks.amazonaws.com/compute-type', 'service.kubernetes.io/headless', 'topology.ebs.csi.aws.com/zone',
  'k8s.io/cloud-provider-aws', 'node.kubernetes.io/lifecycle',
]);

const WORD = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const HEX_ID = /^[0-9a-f]{8,}$/;

const KIND_ROLE: Readonly<Record<string, NameRole>> = {
  Namespace: 'ns', Service: 'svc', Endpoints: 'svc', Pod: 'pod', Node: 'node',
};

/** Adds a name, and for a DNS name each label that is not a public suffix, region or address. */
function addDns(p: Pseudonyms, host: string, role: NameRole = 'host'): void {
  if (!host.includes('.')) {
    p.addName(host, role);
    return;
  }
  for (const label of host.split('.')) {
    if (label === '' || isKeptDnsLabel(label) || DASHED_IP.test(label) || /^\d+$/.test(label)) continue;
    p.addName(label, 'host');
  }
}

/** Names inside an ARN: LB and target-group names, their hex IDs. */
export function addArn(p: Pseudonyms, arn: string): void {
  const parts = arn.split(':');
  const res = parts.slice(5).join(':').split(/[/:]/);
  const type = res[0] ?? '';
  res.forEach((c, i) => {
    if (i === 0 || c === '' || c === 'net' || c === 'app' || c === 'gwy') return;
    if (HEX_ID.test(c)) p.addName(c, 'hex');
    else if (type === 'loadbalancer' || type === 'listener' || type === 'listener-rule') p.addName(c, i === 2 ? 'lb' : 'name');
    else if (type === 'targetgroup') p.addName(c, 'tg');
    else if (WORD.test(c)) p.addName(c, 'name');
  });
}

function addLabels(p: Pseudonyms, labels: unknown): void {
  for (const [k, v] of Object.entries(obj(labels) ?? {})) {
    if (typeof v !== 'string' || SAFE_LABEL_KEYS.has(k) || !WORD.test(v)) continue;
    p.addName(v, k === 'kubernetes.io/service-name' ? 'svc' : k === 'kubernetes.io/hostname' ? 'node' : 'label');
  }
}

function addArnsIn(p: Pseudonyms, text: string): void {
  for (const m of text.matchAll(/arn:aws[\w-]*:[\w-]*:[\w-]*:\d*:[^\s"',;)\]}]+/g)) addArn(p, m[0]);
}

/** Walks one object's nested fields for names (nodeName, targetRef, backends, hostnames …). */
function walkNames(p: Pseudonyms, v: unknown, key: string, parent: Obj | undefined): void {
  if (Array.isArray(v)) {
    for (const x of v) walkNames(p, x, key, parent);
    return;
  }
  const o = obj(v);
  if (o) {
    if (key === 'labels' || key === 'selector' || key === 'matchLabels' || key === 'nodeSelector') addLabels(p, o);
    if (key === 'targetRef' || key === 'ownerReferences' || key === 'involvedObject') {
      const role = KIND_ROLE[str(o.kind) ?? ''] ?? 'name';
      const n = str(o.name);
      if (n) p.addName(n, role);
      const ns = str(o.namespace);
      if (ns) p.addName(ns, 'ns');
    }
    if ((key === 'service' || key === 'serviceRef' || key === 'backend') && str(o.name)) p.addName(str(o.name)!, 'svc');
    if ((key === 'parentRefs' || key === 'backendRefs') && str(o.name)) p.addName(str(o.name)!, 'name');
    if (key === 'addresses' && typeof o.type === 'string' && /DNS|Hostname/.test(o.type) && str(o.address)) addDns(p, str(o.address)!, 'node');
    for (const [k, x] of Object.entries(o)) walkNames(p, x, k, o);
    return;
  }
  const s = str(v);
  if (s === undefined || s === '') return;
  switch (key) {
    case 'nodeName': p.addName(s, 'node'); break;
    case 'serviceName': p.addName(s, 'svc'); break;
    case 'namespace': p.addName(s, 'ns'); break;
    case 'serviceAccountName': case 'serviceAccount': case 'subdomain': p.addName(s, 'name'); break;
    case 'hostname': addDns(p, s, parent && 'ip' in parent ? 'host' : 'pod'); break;
    case 'host': case 'hosts': case 'externalName': addDns(p, s); break;
    case 'targetGroupName': p.addName(s, 'tg'); break;
    default: break;
  }
  if (s.startsWith('arn:') || s.includes('arn:aws')) addArnsIn(p, s);
}

/** Collects the names of the k8s/ objects. */
export function collectKubernetes(p: Pseudonyms, docs: readonly unknown[]): void {
  for (const o of docs.flatMap((d) => flattenObjects(d))) {
    const kind = str(o.kind) ?? '';
    const m = obj(o.metadata) ?? {};
    const name = str(m.name);
    if (name) p.addName(name, KIND_ROLE[kind] ?? 'name');
    const ns = str(m.namespace);
    if (ns) p.addName(ns, 'ns');
    const gen = str(m.generateName);
    if (gen) p.addName(gen.replace(/-$/, ''), 'name');
    addLabels(p, m.labels);
    for (const a of Object.values(obj(m.annotations) ?? {})) if (typeof a === 'string') addArnsIn(p, a);
    const lbName = str(obj(m.annotations)?.['service.beta.kubernetes.io/aws-load-balancer-name']);
    if (lbName) p.addName(lbName, 'lb');
    walkNames(p, o.spec, 'spec', o);
    walkNames(p, o.status, 'status', o);
    for (const r of arr(m.ownerReferences)) walkNames(p, r, 'ownerReferences', m);
    if (kind === 'EndpointSlice') walkNames(p, o.endpoints, 'endpoints', o);
    if (kind === 'Endpoints') walkNames(p, o.subsets, 'subsets', o);
  }
}

/** Collects names from AWS CLI JSON: LB, target-group and security-group names, DNS names, ARNs, cluster tags. */
export function collectAws(p: Pseudonyms, v: unknown, key = ''): void {
  if (Array.isArray(v)) {
    for (const x of v) collectAws(p, x, key);
    return;
  }
  const o = obj(v);
  if (o) {
    const tagKey = str(o.Key);
    const tagValue = str(o.Value);
    if (tagKey !== undefined && tagValue !== undefined) {
      const cluster = /^kubernetes\.io\/cluster\/(.+)$/.exec(tagKey)?.[1];
      if (cluster) p.addName(cluster, 'cluster');
      if (tagKey === 'elbv2.k8s.aws/cluster' || tagKey === 'eks:cluster-name' || tagKey === 'alpha.eksctl.io/cluster-name') p.addName(tagValue, 'cluster');
      const stack = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(tagValue);
      if (stack && (tagKey === 'service.k8s.aws/stack' || tagKey === 'kubernetes.io/service-name' || tagKey === 'ingress.k8s.aws/stack')) {
        p.addName(stack[1]!, 'ns');
        p.addName(stack[2]!, 'svc');
      } else if (WORD.test(tagValue) && !tagKey.startsWith('service.k8s.aws/') && !tagKey.startsWith('aws:')) {
        p.addName(tagValue, 'name');
      }
    }
    for (const [k, x] of Object.entries(o)) collectAws(p, x, k);
    return;
  }
  const s = str(v);
  if (s === undefined || s === '') return;
  if (key === 'LoadBalancerName') p.addName(s, 'lb');
  else if (key === 'TargetGroupName') p.addName(s, 'tg');
  else if (key === 'GroupName') p.addName(s, 'name');
  else if (key === 'DNSName' || key === 'PrivateDnsName' || key === 'PublicDnsName') addDns(p, s);
  if (s.includes('arn:aws')) addArnsIn(p, s);
}

/** Service ports named by iptables comments (Services that may be gone): their namespaces and names. */
export function collectRuleComments(p: Pseudonyms, rulesets: readonly Ruleset[]): void {
  for (const rs of rulesets) {
    for (const t of rs.tables.values()) {
      for (const c of t.chains.values()) {
        for (const r of c.rules) {
          for (const m of r.matches) {
            if (m.kind !== 'comment') continue;
            for (const spn of commentSpns(m.text)) {
              const [ns, name] = spn.split(':')[0]!.split('/') as [string, string];
              p.addName(ns, 'ns');
              p.addName(name, 'svc');
            }
          }
        }
      }
    }
  }
}
