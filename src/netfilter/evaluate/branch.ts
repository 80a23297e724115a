import { formatIp, type Ip } from '../cidr.js';
import type { Hook } from '../family.js';
import type { Step, Translation } from '../trace.js';

/**
 * One branch of the walk: the packet as it is now, the marks and conntrack facts, and what the
 * branch has done so far. Mutable inside the evaluator; `forkBranch` copies before a split.
 */
export interface Branch {
  probability: number;
  family: 4 | 6;
  proto: number;
  src: Ip;
  dst: Ip;
  sport: number | undefined;
  dport: number | undefined;
  icmpType: number | undefined;
  icmpCode: number | undefined;
  srcMac: string | undefined;
  iif: string | undefined;
  oif: string | undefined;
  gateway: string | undefined;
  routeText: string | undefined;
  hook: Hook;
  /**
   * Output device chosen by a re-route inside OUTPUT: the rest of the OUTPUT hook still sees the
   * device the hook was entered with (the hook state's `out` is fixed); POSTROUTING sees this one.
   */
  nextOif: string | undefined;
  /** The local-delivery decision of the latest route lookup (locally generated packets loop back through lo). */
  routeLocal: boolean;
  mark: number;
  ctmark: number;
  ct: { seen: boolean; untracked: boolean; dnat: boolean; snat: boolean };
  /** Whether the nat table already ran for the destination / source manipulation of this connection. */
  natInit: { dst: boolean; src: boolean };
  recent: Map<string, string[]>;
  steps: Step[];
  translations: Translation[];
  assumptions: string[];
}

/** Copies a branch so that both halves of a split can change independently. */
export function forkBranch(b: Branch, probability: number): Branch {
  return {
    ...b,
    probability,
    ct: { ...b.ct },
    natInit: { ...b.natInit },
    recent: new Map([...b.recent].map(([k, v]) => [k, [...v]])),
    steps: [...b.steps],
    translations: [...b.translations],
    assumptions: [...b.assumptions],
  };
}

/** Adds an assumption once. */
export function assume(b: Branch, text: string | undefined): void {
  if (text !== undefined && !b.assumptions.includes(text)) b.assumptions.push(text);
}

/** ADDR:PORT (IPv6 in brackets) for output. */
export function endpointText(ip: Ip, port: number | undefined): string {
  const a = formatIp(ip);
  if (port === undefined) return a;
  return ip.family === 6 ? `[${a}]:${port}` : `${a}:${port}`;
}
