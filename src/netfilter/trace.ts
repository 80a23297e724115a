import type { SourceLoc } from '../errors.js';
import type { Table } from './model.js';

/** IANA protocol numbers kpath names. */
export const PROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132, udplite: 136, dccp: 33, gre: 47, esp: 50, ah: 51 } as const;

/** The packet a node-level trace starts with: the first packet of a new connection. */
export interface Packet {
  readonly family: 4 | 6;
  /** IANA protocol number (6 tcp, 17 udp, 132 sctp, 1 icmp, 58 icmpv6). */
  readonly proto: number;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  /** skb mark on arrival (0 for traffic from the wire). */
  readonly mark?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly srcMac?: string;
}

/** Where the packet enters the node's stack. */
export type Entry =
  | { readonly kind: 'iface'; readonly iface: string }
  | { readonly kind: 'local' };

/** A rule (or chain policy) the packet matched, in order. */
export interface Step {
  readonly table: Table | 'routing' | 'ipvs';
  readonly chain: string;
  /** 1-based rule position; 0 for a chain policy or a non-rule step. */
  readonly rule: number;
  readonly text: string;
  /** What the rule did: "jump KUBE-SVC-…", "DNAT → 10.0.0.5:80", "ACCEPT (policy)", "continue". */
  readonly verdict: string;
  readonly loc?: SourceLoc;
}

export type TranslationType = 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'IPVS' | 'LB';

/** One rewrite of the packet's addresses, with the rule that did it. */
export interface Translation {
  readonly type: TranslationType;
  readonly from: string;
  readonly to: string;
  readonly table?: Table;
  readonly chain?: string;
  readonly rule?: number;
  readonly text?: string;
  readonly loc?: SourceLoc;
  /** How an address was chosen (e.g. MASQUERADE's source selection). */
  readonly how?: string;
}

export type NodeDisposition = 'local' | 'forwarded' | 'dropped' | 'rejected' | 'no-route' | 'unknown';

/** One branch of a node-level trace. */
export interface NodeOutcome {
  /** Part of all traffic matching the query that takes this branch (0..1). */
  readonly probability: number;
  readonly disposition: NodeDisposition;
  /** The packet as it leaves netfilter (after every NAT). */
  readonly packet: Packet;
  readonly egress?: { readonly iface?: string; readonly gateway?: string; readonly route?: string };
  readonly steps: readonly Step[];
  readonly translations: readonly Translation[];
  /** What kpath assumed to answer (state a snapshot cannot show). */
  readonly assumptions: readonly string[];
  readonly unknown?: { readonly reason: string; readonly where?: string };
  readonly rejectWith?: string;
  readonly mark: number;
  readonly ctmark: number;
}

/** Everything a node-level trace returns. */
export interface NodeTrace {
  readonly node: string;
  readonly packet: Packet;
  readonly entry: Entry;
  readonly outcomes: readonly NodeOutcome[];
  /** Assumptions that hold for the whole trace (missing dumps, derived routes …). */
  readonly assumptions: readonly string[];
}
