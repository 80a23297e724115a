import type { IpvsState } from './ipvs-state.js';
import type { LayoutContext } from './layout-context.js';
import { writeMarkMasq, writePostroutingSingle, writePostroutingTrio } from './layout-context.js';
import type { RuleParts, SaveTable } from './save-text.js';
import { appendRule, commentMatch, declareChain } from './save-text.js';

// IPVS-mode iptables rules (kube-proxy.md §3.3), after writeIptablesRules in pkg/proxy/ipvs/proxier.go:
// '1.19' ≈1.19 (nat KUBE-FIREWALL + KUBE-MARK-DROP, single KUBE-POSTROUTING rule), '1.23' the same
// chains with the later KUBE-POSTROUTING/KUBE-FORWARD/health-check rules, '1.28' the 1.25+ filter
// KUBE-PROXY-FIREWALL / KUBE-SOURCE-RANGES-FIREWALL plus KUBE-IPVS-FILTER, '1.31' recent main
// (loopback RETURN, FORWARD firewall hook, KUBE-IPVS-OUT-FILTER).

type Table = 'nat' | 'filter';

/** One row of ipsetWithIptablesChain: `-A from [-p proto] -m comment -m set --match-set set flags -j to`. */
interface SetRule {
  readonly set: string;
  readonly table: Table;
  readonly from: string;
  readonly to: string;
  readonly flags: string;
  readonly proto?: string;
}

const NODE_PORT_RULES: readonly SetRule[] = [
  { set: 'KUBE-NODE-PORT-LOCAL-TCP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', flags: 'dst', proto: 'tcp' },
  { set: 'KUBE-NODE-PORT-TCP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', flags: 'dst', proto: 'tcp' },
  { set: 'KUBE-NODE-PORT-LOCAL-UDP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', flags: 'dst', proto: 'udp' },
  { set: 'KUBE-NODE-PORT-UDP', table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', flags: 'dst', proto: 'udp' },
];

const LOOP_BACK: SetRule = { set: 'KUBE-LOOP-BACK', table: 'nat', from: 'KUBE-POSTROUTING', to: 'MASQUERADE', flags: 'dst,dst,src' };
const LB: SetRule = { set: 'KUBE-LOAD-BALANCER', table: 'nat', from: 'KUBE-SERVICES', to: 'KUBE-LOAD-BALANCER', flags: 'dst,dst' };
const LB_LOCAL: SetRule = { set: 'KUBE-LOAD-BALANCER-LOCAL', table: 'nat', from: 'KUBE-LOAD-BALANCER', to: 'RETURN', flags: 'dst,dst' };
const SCTP_RULES: readonly SetRule[] = [
  { set: 'KUBE-NODE-PORT-SCTP-HASH', table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', flags: 'dst,dst', proto: 'sctp' },
  { set: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', flags: 'dst,dst', proto: 'sctp' },
];

/** ≤1.24 order: source ranges handled in nat KUBE-FIREWALL, which ends in KUBE-MARK-DROP. */
const SET_RULES_NAT_FIREWALL: readonly SetRule[] = [
  LOOP_BACK, LB,
  { set: 'KUBE-LOAD-BALANCER-FW', table: 'nat', from: 'KUBE-LOAD-BALANCER', to: 'KUBE-FIREWALL', flags: 'dst,dst' },
  { set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', table: 'nat', from: 'KUBE-FIREWALL', to: 'RETURN', flags: 'dst,dst,src' },
  { set: 'KUBE-LOAD-BALANCER-SOURCE-IP', table: 'nat', from: 'KUBE-FIREWALL', to: 'RETURN', flags: 'dst,dst,src' },
  LB_LOCAL, ...NODE_PORT_RULES, ...SCTP_RULES,
];

/** 1.25+ order: source ranges handled in filter KUBE-SOURCE-RANGES-FIREWALL. */
const SET_RULES_FILTER_FIREWALL: readonly SetRule[] = [
  LOOP_BACK, LB, LB_LOCAL, ...NODE_PORT_RULES, SCTP_RULES[1]!, SCTP_RULES[0]!,
  { set: 'KUBE-LOAD-BALANCER-FW', table: 'filter', from: 'KUBE-PROXY-FIREWALL', to: 'KUBE-SOURCE-RANGES-FIREWALL', flags: 'dst,dst' },
  { set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', table: 'filter', from: 'KUBE-SOURCE-RANGES-FIREWALL', to: 'RETURN', flags: 'dst,dst,src' },
  { set: 'KUBE-LOAD-BALANCER-SOURCE-IP', table: 'filter', from: 'KUBE-SOURCE-RANGES-FIREWALL', to: 'RETURN', flags: 'dst,dst,src' },
];

function nonEmpty(state: IpvsState, set: string): boolean {
  return (state.sets.get(set)?.entries.size ?? 0) > 0;
}

function setMatch(state: IpvsState, set: string, flags: string): string {
  return `${commentMatch(state.sets.get(set)?.comment ?? set)} -m set --match-set ${set} ${flags}`;
}

function writeExternalIPRules(nat: SaveTable, capture: RuleParts): void {
  // Off-machine traffic (not from a bridge port, not locally sourced), or VIPs that are local anyway.
  appendRule(nat, 'KUBE-SERVICES', {
    ...capture, matches: `${capture.matches} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL`, jump: 'ACCEPT',
  });
  appendRule(nat, 'KUBE-SERVICES', { ...capture, matches: `${capture.matches} -m addrtype --dst-type LOCAL`, jump: 'ACCEPT' });
}

function writeServiceSetRules(ctx: LayoutContext, state: IpvsState): void {
  const { nat, input } = ctx;
  if (nonEmpty(state, 'KUBE-CLUSTER-IP')) {
    const masq = input.masqueradeAll || ctx.podCIDR !== undefined ? 'dst,dst' : 'src,dst';
    appendRule(nat, 'KUBE-SERVICES', {
      ...(!input.masqueradeAll && ctx.podCIDR !== undefined ? { src: ctx.podCIDR, notSrc: true } : {}),
      matches: setMatch(state, 'KUBE-CLUSTER-IP', masq), jump: 'KUBE-MARK-MASQ',
    });
  }
  if (nonEmpty(state, 'KUBE-EXTERNAL-IP')) {
    const capture = { matches: setMatch(state, 'KUBE-EXTERNAL-IP', 'dst,dst') };
    appendRule(nat, 'KUBE-SERVICES', { ...capture, jump: 'KUBE-MARK-MASQ' });
    writeExternalIPRules(nat, capture);
  }
  if (nonEmpty(state, 'KUBE-EXTERNAL-IP-LOCAL')) {
    writeExternalIPRules(nat, { matches: setMatch(state, 'KUBE-EXTERNAL-IP-LOCAL', 'dst,dst') });
  }
  appendRule(nat, 'KUBE-SERVICES', { matches: ' -m addrtype --dst-type LOCAL', jump: 'KUBE-NODE-PORT' });
}

function writeIpvsFilter(ctx: LayoutContext): void {
  const chain = 'KUBE-IPVS-FILTER';
  for (const [set, flags] of [['KUBE-LOAD-BALANCER', 'dst,dst'], ['KUBE-CLUSTER-IP', 'dst,dst'], ['KUBE-EXTERNAL-IP', 'dst,dst'],
    ['KUBE-EXTERNAL-IP-LOCAL', 'dst,dst'], ['KUBE-HEALTH-CHECK-NODE-PORT', 'dst']] as const) {
    appendRule(ctx.filter, chain, { matches: ` -m set --match-set ${set} ${flags}`, jump: 'RETURN' });
  }
  appendRule(ctx.filter, chain, {
    matches: ' -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst',
    jump: 'REJECT --reject-with icmp-port-unreachable',
  });
}

/** Declares the IPVS-mode chains of the version (iptablesChains in the IPVS proxier). */
function declareIpvsChains(ctx: LayoutContext): void {
  const v = ctx.input.version;
  const old = v === '1.19' || v === '1.23';
  const natChains = old
    ? ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-FIREWALL', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ', 'KUBE-MARK-DROP']
    : ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
  const filterChains = v === '1.19' ? ['KUBE-FORWARD']
    : v === '1.23' ? ['KUBE-FORWARD', 'KUBE-NODE-PORT']
      : ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER',
        ...(v === '1.31' ? ['KUBE-IPVS-OUT-FILTER'] : [])];
  for (const chain of natChains) declareChain(ctx.nat, chain);
  for (const chain of filterChains) declareChain(ctx.filter, chain);
}

/** Writes the IPVS-mode nat/filter rules for `state` into ctx's tables. */
export function writeIpvsLayout(ctx: LayoutContext, state: IpvsState): void {
  const { nat, filter, input } = ctx;
  const v = input.version;
  const old = v === '1.19' || v === '1.23';
  declareIpvsChains(ctx);
  // ≈1.19 wrote KUBE-POSTROUTING and KUBE-MARK-MASQ while linking the chains, before the set rules.
  if (v === '1.19') {
    writePostroutingSingle(ctx);
    writeMarkMasq(ctx);
  }
  if (v === '1.31') appendRule(nat, 'KUBE-SERVICES', { src: '127.0.0.0/8', jump: 'RETURN' });
  for (const rule of old ? SET_RULES_NAT_FIREWALL : SET_RULES_FILTER_FIREWALL) {
    if (!nonEmpty(state, rule.set)) continue;
    appendRule(rule.table === 'nat' ? nat : filter, rule.from, {
      ...(rule.proto !== undefined ? { proto: rule.proto } : {}),
      matches: setMatch(state, rule.set, rule.flags), jump: rule.to,
    });
  }
  writeServiceSetRules(ctx, state);
  appendRule(nat, 'KUBE-LOAD-BALANCER', { jump: 'KUBE-MARK-MASQ' });
  if (old) appendRule(nat, 'KUBE-FIREWALL', { jump: 'KUBE-MARK-DROP' });
  else appendRule(filter, 'KUBE-SOURCE-RANGES-FIREWALL', { jump: 'DROP' });
  if (v === '1.31') {
    for (const lb of state.lbNoNodeAccess) {
      appendRule(filter, 'KUBE-IPVS-OUT-FILTER', {
        src: lb.ip, matches: ` -m ipvs --vaddr ${lb.ip}/32 --vproto ${lb.proto === 'tcp' ? 6 : lb.proto === 'udp' ? 17 : 132} --vport ${lb.port}`,
        jump: 'DROP',
      });
    }
  }
  for (const set of ['KUBE-CLUSTER-IP', 'KUBE-LOAD-BALANCER']) {
    if (nonEmpty(state, set)) appendRule(nat, 'KUBE-SERVICES', { matches: ` -m set --match-set ${set} dst,dst`, jump: 'ACCEPT' });
  }
  const mark = ctx.masqMark;
  appendRule(filter, 'KUBE-FORWARD', { matches: `${commentMatch('kubernetes forwarding rules')} -m mark --mark ${mark}/${mark}`, jump: 'ACCEPT' });
  const conntrack = ' -m conntrack --ctstate RELATED,ESTABLISHED';
  if (v === '1.19') {
    appendRule(filter, 'KUBE-FORWARD', { matches: commentMatch('kubernetes forwarding conntrack pod source rule') + conntrack, jump: 'ACCEPT' });
    appendRule(filter, 'KUBE-FORWARD', { matches: commentMatch('kubernetes forwarding conntrack pod destination rule') + conntrack, jump: 'ACCEPT' });
    return;
  }
  appendRule(filter, 'KUBE-FORWARD', { matches: commentMatch('kubernetes forwarding conntrack rule') + conntrack, jump: 'ACCEPT' });
  appendRule(filter, 'KUBE-NODE-PORT', { matches: setMatch(state, 'KUBE-HEALTH-CHECK-NODE-PORT', 'dst'), jump: 'ACCEPT' });
  if (!old) writeIpvsFilter(ctx);
  writePostroutingTrio(ctx);
  writeMarkMasq(ctx);
}
