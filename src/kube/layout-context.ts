import type { SaveTable } from './save-text.js';
import { appendRule, commentMatch } from './save-text.js';
import type { ProxierInput, ServicePortInfo } from './proxier-model.js';
import { savedProbabilityFor } from './probability.js';

/** Shared state of one render call, handed to the layout writers. */
export interface LayoutContext {
  readonly input: ProxierInput;
  readonly nat: SaveTable;
  readonly filter: SaveTable;
  readonly ports: readonly ServicePortInfo[];
  /** Masquerade mark as iptables-save prints it, e.g. "0x4000". */
  readonly masqMark: string;
  /** Above 1000 endpoints kube-proxy drops the comments on SVC→SEP and SEP rules. */
  readonly largeClusterMode: boolean;
  /** ClusterCIDR of the local-traffic detector, canonical; undefined = no detector. */
  readonly podCIDR: string | undefined;
  /** kube-proxy's single `nodeIP` (first node IP). */
  readonly nodeIP: string | undefined;
  readonly probabilityCache: Map<number, string>;
}

/** ` -m tcp --dport N` (or without a port): the protocol match kube-proxy pairs with `-p`. */
export function protoMatch(proto: string, dport?: number): string {
  return dport === undefined ? ` -m ${proto}` : ` -m ${proto} --dport ${dport}`;
}

/** The comment match, or nothing in large-cluster mode (appendServiceCommentLocked). */
export function serviceComment(ctx: LayoutContext, text: string): string {
  return ctx.largeClusterMode ? '' : commentMatch(text);
}

/** `-A KUBE-MARK-MASQ -j MARK --or-mark M`, saved as `--set-xmark M/M`. */
export function writeMarkMasq(ctx: LayoutContext): void {
  appendRule(ctx.nat, 'KUBE-MARK-MASQ', { jump: `MARK --set-xmark ${ctx.masqMark}/${ctx.masqMark}` });
}

/** KUBE-POSTROUTING: return unless marked, clear the mark, MASQUERADE (kube-proxy.md §1.10). */
export function writePostroutingTrio(ctx: LayoutContext): void {
  const mark = ctx.masqMark;
  appendRule(ctx.nat, 'KUBE-POSTROUTING', { matches: ` -m mark ! --mark ${mark}/${mark}`, jump: 'RETURN' });
  appendRule(ctx.nat, 'KUBE-POSTROUTING', { jump: `MARK --set-xmark ${mark}/0x0` });
  appendRule(ctx.nat, 'KUBE-POSTROUTING', {
    matches: commentMatch('kubernetes service traffic requiring SNAT'),
    jump: ctx.input.randomFully ? 'MASQUERADE --random-fully' : 'MASQUERADE',
  });
}

/** The pre-1.20 single KUBE-POSTROUTING rule: MASQUERADE what carries the mark. */
export function writePostroutingSingle(ctx: LayoutContext): void {
  const mark = ctx.masqMark;
  appendRule(ctx.nat, 'KUBE-POSTROUTING', {
    matches: `${commentMatch('kubernetes service traffic requiring SNAT')} -m mark --mark ${mark}/${mark}`,
    jump: ctx.input.randomFully ? 'MASQUERADE --random-fully' : 'MASQUERADE',
  });
}

/**
 * SVC/SVL/XLB → SEP rules: ClientIP-affinity `recent --rcheck` rules first, then one rule per endpoint,
 * all but the last with probability 1/(n-i) (writeServiceToEndpointRules).
 */
export function writeServiceToEndpointRules(ctx: LayoutContext, info: ServicePortInfo, chain: string,
  endpoints: readonly { readonly hostPort: string; readonly sepChain: string }[],
  commentFor: (hostPort: string, index: number) => string,
  affinityCommentFor: (hostPort: string, index: number) => string = commentFor): void {
  if (info.affinitySeconds > 0) {
    for (let i = 0; i < endpoints.length; i++) {
      const ep = endpoints[i]!;
      appendRule(ctx.nat, chain, {
        matches: `${affinityCommentFor(ep.hostPort, i)} -m recent --rcheck --seconds ${info.affinitySeconds} --reap` +
          ` --name ${ep.sepChain} --mask 255.255.255.255 --rsource`,
        jump: ep.sepChain,
      });
    }
  }
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i]!;
    const statistic = i < n - 1
      ? ` -m statistic --mode random --probability ${savedProbabilityFor(n - i, ctx.probabilityCache)}` : '';
    appendRule(ctx.nat, chain, { matches: commentFor(ep.hostPort, i) + statistic, jump: ep.sepChain });
  }
}

/** KUBE-SEP-…: hairpin masquerade, then DNAT (recording the client for affinity). */
export function writeEndpointChain(ctx: LayoutContext, info: ServicePortInfo,
  ep: { readonly ip: string; readonly hostPort: string; readonly sepChain: string }): void {
  const comment = serviceComment(ctx, info.spn);
  appendRule(ctx.nat, ep.sepChain, { src: ep.ip, matches: comment, jump: 'KUBE-MARK-MASQ' });
  const recent = info.affinitySeconds > 0
    ? ` -m recent --set --name ${ep.sepChain} --mask 255.255.255.255 --rsource` : '';
  appendRule(ctx.nat, ep.sepChain, {
    proto: info.proto, matches: comment + recent + protoMatch(info.proto),
    jump: `DNAT --to-destination ${ep.hostPort}`,
  });
}
