import { computeVerdict } from '../../src/path/verdict.js';
import { TRACE_SCHEMA, type Hop, type HopTranslation, type TracePath, type TraceResult } from '../../src/path/model.js';

/** Small hand-made traces for the check, diff and diagram tests (no snapshot needed). */

export const CLIENT = '203.0.113.10';

export function hop(kind: Hop['kind'], name: string, translations: HopTranslation[] = [], notes?: string[]): Hop {
  return { kind, name, steps: [], translations, ...(notes ? { notes } : {}) };
}

export const clientHop = hop('client', `internet ${CLIENT}`);
export const lbHop = (to: string, src?: string): Hop => hop('load-balancer', 'k8s-ingress-traefik-3c1a7e9f0b', [
  { type: 'LB', from: 'k8s-ingress-traefik-3c1a7e9f0b-5f2d.elb.us-west-2.amazonaws.com:80', to, by: 'listener TCP:80 → target group k8s-ingress-traefik-0a1b (ip)' },
  ...(src ? [{ type: 'LB' as const, from: CLIENT, to: src, by: 'target group k8s-ingress-traefik-0a1b: client IP not preserved' }] : []),
]);

/** A delivered path ending at a pod; `seen` is the source the pod sees. */
export function delivered(probability: number, pod: string, ip: string, seen: string, hops: Hop[], opts: { proxyProtocol?: boolean } = {}): TracePath {
  return {
    probability, disposition: 'delivered', endpoint: { ip, port: 8000, pod, node: 'node-a' }, sourceSeenByEndpoint: { ip: seen },
    clientIpPreserved: seen === CLIENT, proxyProtocol: opts.proxyProtocol ?? false,
    hops: [...hops, hop('pod', pod, [], [`${ip}:8000 on node-a, sees ${seen}`])], assumptions: [],
  };
}

export function ended(probability: number, disposition: 'dropped' | 'rejected' | 'no-route' | 'unknown', reason: string, hops: Hop[]): TracePath {
  return { probability, disposition, endpoint: null, sourceSeenByEndpoint: null, clientIpPreserved: null, proxyProtocol: false, hops, assumptions: [], reason };
}

/** A trace result around `paths`, with the verdict kpath would compute for them. */
export function result(paths: TracePath[], reasons: string[] = [], title = `ingress/traefik port web (80/TCP) from internet (${CLIENT})`): TraceResult {
  return {
    schema: TRACE_SCHEMA,
    query: { title, service: 'ingress/traefik', port: 'web', protocol: 'TCP', from: 'internet', client: CLIENT },
    verdict: computeVerdict(paths, CLIENT, reasons),
    paths,
    unknowns: [],
    assumptions: [],
  };
}

const masq = (to: string): HopTranslation => ({ type: 'MASQUERADE', from: `${CLIENT}:40000`, to: `${to} (random port)`, by: 'KUBE-POSTROUTING rule 3' });
const dnat = (from: string, to: string): HopTranslation => ({ type: 'DNAT', from, to, by: 'KUBE-SEP-ABCDEF rule 2' });

/** NLB ip targets, preserve_client_ip off: two pods, each sees the NLB's address in its zone. */
export function nlbIpLost(): TraceResult {
  return result([
    delivered(0.5, 'ingress/traefik-a', '10.0.1.57', '10.0.1.200', [clientHop, lbHop('10.0.1.57:8000', '10.0.1.200')]),
    delivered(0.5, 'ingress/traefik-b', '10.0.2.31', '10.0.2.200', [clientHop, lbHop('10.0.2.31:8000', '10.0.2.200')]),
  ], ['target group k8s-ingress-traefik-0a1b: preserve_client_ip.enabled=false (ip target, TCP)']);
}

/** The same with preserve_client_ip on. */
export function nlbIpPreserved(): TraceResult {
  return result([
    delivered(0.5, 'ingress/traefik-a', '10.0.1.57', CLIENT, [clientHop, lbHop('10.0.1.57:8000')]),
    delivered(0.5, 'ingress/traefik-b', '10.0.2.31', CLIENT, [clientHop, lbHop('10.0.2.31:8000')]),
  ]);
}

/**
 * Two nodes behind a VIP, eTP Cluster: node-a delivers locally or forwards to node-b (masquerading),
 * node-b drops a quarter (a rule with quotes and a backslash in its comment) and a quarter is unknown.
 */
export function mixedEndings(): TraceResult {
  const client = hop('client', `internet ${CLIENT}`, [], ['to 192.0.2.80:80, routed to a node announcing it']);
  const a = (t: HopTranslation[]) => hop('node', 'node-a', t);
  return result([
    delivered(0.25, 'web/echo-a', '10.244.1.5', '10.0.0.1', [client, a([dnat('192.0.2.80:80', '10.244.1.5:8080'), masq('10.0.0.1')])]),
    delivered(0.25, 'web/echo-b', '10.244.2.7', '10.244.1.0', [client, a([dnat('192.0.2.80:80', '10.244.2.7:8080'), masq('10.244.1.0')]), hop('node', 'node-b')]),
    ended(0.25, 'dropped', 'filter KUBE-FIREWALL rule 1: -A KUBE-FIREWALL -m comment --comment "block \\"bad\\" <traffic> #1 | a\\b" -j DROP', [client, hop('node', 'node-b')]),
    ended(0.25, 'unknown', 'match -m bpf is not modelled at nodes/node-b/iptables-save.txt:12', [client, hop('node', 'node-b')]),
  ], ['KUBE-POSTROUTING rule 3 MASQUERADE on node-a → 10.0.0.1']);
}
