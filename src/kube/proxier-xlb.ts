import type { LayoutContext } from './layout-context.js';
import {
  protoMatch, serviceComment, writeEndpointChain, writeMarkMasq, writePostroutingSingle, writePostroutingTrio,
  writeServiceToEndpointRules,
} from './layout-context.js';
import type { EndpointInfo, ServicePortInfo } from './proxier-model.js';
import type { RuleParts } from './save-text.js';
import { appendRule, commentMatch, declareChain } from './save-text.js';
import { canonicalIPv4, cidrContains } from './ipv4.js';

// The ≤1.23 iptables layout (KUBE-XLB, KUBE-FW with KUBE-MARK-DROP). '1.19' follows the ≈1.18/1.19
// syncProxyRules (masquerade rules in KUBE-SERVICES/KUBE-NODEPORTS, externalIP physdev rules, single
// KUBE-POSTROUTING rule, "Balancing rule" comments); '1.23' follows the ≈1.22 one (masquerade rules in
// KUBE-SVC, KUBE-EXTERNAL-SERVICES REJECTs, KUBE-NODEPORTS health-check ACCEPT). kube-proxy.md §1.15.

const NODEPORTS_COMMENT = 'kubernetes service nodeports; NOTE: this must be the last rule in this chain';
const REJECT = 'REJECT --reject-with icmp-port-unreachable';

/** Endpoints as ≤1.23 kube-proxy used them: ready only (ProxyTerminatingEndpoints was off by default). */
function usableEndpoints(ctx: LayoutContext, info: ServicePortInfo): EndpointInfo[] {
  let eps = info.endpoints.filter((ep) => ep.isReady);
  // ≈1.22 FilterEndpoints: internalTrafficPolicy=Local keeps only local endpoints unless eTP=Local.
  if (ctx.input.version === '1.23' && info.internalPolicyLocal && !info.externalPolicyLocal) {
    eps = eps.filter((ep) => ep.isLocal);
  }
  return eps;
}

function writeFirewallChain(ctx: LayoutContext, info: ServicePortInfo, lbIP: string): void {
  const { nat } = ctx;
  appendRule(nat, 'KUBE-SERVICES', {
    dst: lbIP, proto: info.proto,
    matches: commentMatch(`${info.spn} loadbalancer IP`) + protoMatch(info.proto, info.port), jump: info.fwChain,
  });
  const comment = commentMatch(`${info.spn} loadbalancer IP`);
  let chosen = info.xlbChain;
  if (!info.externalPolicyLocal) {
    appendRule(nat, info.fwChain, { matches: comment, jump: 'KUBE-MARK-MASQ' });
    chosen = info.svcChain;
  }
  if (info.sourceRanges.length === 0) {
    appendRule(nat, info.fwChain, { matches: comment, jump: chosen });
  } else {
    let allowFromNode = false;
    for (const cidr of info.sourceRanges) {
      appendRule(nat, info.fwChain, { src: cidr, matches: comment, jump: chosen });
      if (ctx.nodeIP !== undefined && cidrContains(cidr, ctx.nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) appendRule(nat, info.fwChain, { src: lbIP, matches: comment, jump: chosen });
  }
  // Whatever was not DNATed is marked and later dropped by kubelet's filter KUBE-FIREWALL.
  appendRule(nat, info.fwChain, { matches: comment, jump: 'KUBE-MARK-DROP' });
}

/** Masquerade what the capture matches unless the detector calls it pod traffic (JumpIfNotLocal). */
function masqRule(ctx: LayoutContext, capture: RuleParts): RuleParts {
  return ctx.podCIDR !== undefined
    ? { ...capture, src: ctx.podCIDR, notSrc: true, jump: 'KUBE-MARK-MASQ' }
    : { ...capture, jump: 'KUBE-MARK-MASQ' };
}

/** One service port as ≤1.23 kube-proxy saw it. */
interface XlbPort {
  readonly info: ServicePortInfo;
  readonly eps: readonly EndpointInfo[];
  readonly hasEndpoints: boolean;
  /** externalTrafficPolicy=Local (NodeLocalExternal). */
  readonly isLocal: boolean;
  readonly is119: boolean;
}

function noEndpointsMatches(info: ServicePortInfo, dport: number): string {
  return commentMatch(`${info.spn} has no endpoints`) + protoMatch(info.proto, dport);
}

/** ClusterIP and external IP captures with their masquerade rules, or REJECTs without endpoints. */
function writeVipCaptures(ctx: LayoutContext, port: XlbPort): void {
  const { nat, filter } = ctx;
  const { info, hasEndpoints, isLocal, is119 } = port;
  const p = info.proto;
  const clusterIP: RuleParts = {
    dst: info.clusterIP, proto: p, matches: commentMatch(`${info.spn} cluster IP`) + protoMatch(p, info.port),
  };
  const masqChain = is119 ? 'KUBE-SERVICES' : info.svcChain;
  if (hasEndpoints) {
    if (ctx.input.masqueradeAll) appendRule(nat, masqChain, { ...clusterIP, jump: 'KUBE-MARK-MASQ' });
    else if (ctx.podCIDR !== undefined) appendRule(nat, masqChain, masqRule(ctx, clusterIP));
    appendRule(nat, 'KUBE-SERVICES', { ...clusterIP, jump: info.svcChain });
  } else {
    appendRule(filter, 'KUBE-SERVICES', { ...clusterIP, matches: noEndpointsMatches(info, info.port), jump: REJECT });
  }
  for (const ip of info.externalIPs) {
    const capture: RuleParts = { dst: ip, proto: p, matches: commentMatch(`${info.spn} external IP`) + protoMatch(p, info.port) };
    if (!hasEndpoints) {
      appendRule(filter, 'KUBE-EXTERNAL-SERVICES', { ...capture, matches: noEndpointsMatches(info, info.port), jump: REJECT });
    } else if (is119) {
      // ≈1.19 always masqueraded external IPs, then let in only off-node or locally-routed traffic.
      appendRule(nat, 'KUBE-SERVICES', { ...capture, jump: 'KUBE-MARK-MASQ' });
      appendRule(nat, 'KUBE-SERVICES', {
        ...capture, matches: `${capture.matches} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL`, jump: info.svcChain,
      });
      appendRule(nat, 'KUBE-SERVICES', { ...capture, matches: `${capture.matches} -m addrtype --dst-type LOCAL`, jump: info.svcChain });
    } else {
      if (!isLocal) appendRule(nat, info.svcChain, masqRule(ctx, capture));
      appendRule(nat, 'KUBE-SERVICES', { ...capture, jump: isLocal ? info.xlbChain : info.svcChain });
    }
  }
}

/** LB VIPs through KUBE-FW, NodePorts into KUBE-SVC or KUBE-XLB, the health-check ACCEPT. */
function writeExternalCaptures(ctx: LayoutContext, port: XlbPort): void {
  const { nat, filter } = ctx;
  const { info, hasEndpoints, isLocal, is119 } = port;
  const p = info.proto;
  for (const ip of info.loadBalancerIPs) {
    if (hasEndpoints) {
      declareChain(nat, info.fwChain);
      writeFirewallChain(ctx, info, ip);
    } else {
      appendRule(filter, is119 ? 'KUBE-SERVICES' : 'KUBE-EXTERNAL-SERVICES', {
        dst: ip, proto: p, matches: noEndpointsMatches(info, info.port), jump: REJECT,
      });
    }
  }
  if (info.nodePort !== 0) {
    const capture: RuleParts = { proto: p, matches: commentMatch(info.spn) + protoMatch(p, info.nodePort) };
    if (!hasEndpoints) {
      appendRule(filter, 'KUBE-EXTERNAL-SERVICES', {
        proto: p,
        matches: `${commentMatch(`${info.spn} has no endpoints`)} -m addrtype --dst-type LOCAL${protoMatch(p, info.nodePort)}`,
        jump: REJECT,
      });
    } else if (!isLocal) {
      appendRule(nat, is119 ? 'KUBE-NODEPORTS' : info.svcChain, { ...capture, jump: 'KUBE-MARK-MASQ' });
      appendRule(nat, 'KUBE-NODEPORTS', { ...capture, jump: info.svcChain });
    } else {
      // Localhost sources would be martians after DNAT; masquerade them (the "localhost martian" fix).
      appendRule(nat, 'KUBE-NODEPORTS', { ...capture, src: '127.0.0.0/8', jump: 'KUBE-MARK-MASQ' });
      appendRule(nat, 'KUBE-NODEPORTS', { ...capture, jump: info.xlbChain });
    }
  }
  if (!is119 && info.healthCheckNodePort !== 0) {
    appendRule(filter, 'KUBE-NODEPORTS', {
      proto: 'tcp', matches: commentMatch(`${info.spn} health check node port`) + protoMatch('tcp', info.healthCheckNodePort),
      jump: 'ACCEPT',
    });
  }
}

function writeServicePort(ctx: LayoutContext, info: ServicePortInfo): void {
  const eps = usableEndpoints(ctx, info);
  const port: XlbPort = {
    info, eps, hasEndpoints: eps.length > 0, isLocal: info.externalPolicyLocal, is119: ctx.input.version === '1.19',
  };
  if (port.hasEndpoints) declareChain(ctx.nat, info.svcChain);
  // The XLB chain is declared for every eTP=Local port, even one without endpoints (left empty).
  if (port.isLocal) declareChain(ctx.nat, info.xlbChain);
  writeVipCaptures(ctx, port);
  writeExternalCaptures(ctx, port);
  if (!port.hasEndpoints) return;
  writeServiceToEndpointRules(ctx, info, info.svcChain, eps, () => serviceComment(ctx, info.spn));
  for (const ep of eps) writeEndpointChain(ctx, info, ep);
  if (port.isLocal) writeXlbChain(ctx, info, eps.filter((ep) => ep.isLocal));
}

function writeXlbChain(ctx: LayoutContext, info: ServicePortInfo, localEps: readonly EndpointInfo[]): void {
  const { nat } = ctx;
  const xlb = info.xlbChain;
  if (ctx.podCIDR !== undefined) {
    appendRule(nat, xlb, {
      src: ctx.podCIDR, matches: commentMatch('Redirect pods trying to reach external loadbalancer VIP to clusterIP'),
      jump: info.svcChain,
    });
  }
  appendRule(nat, xlb, {
    matches: `${commentMatch(`masquerade LOCAL traffic for ${info.spn} LB IP`)} -m addrtype --src-type LOCAL`,
    jump: 'KUBE-MARK-MASQ',
  });
  appendRule(nat, xlb, {
    matches: `${commentMatch(`route LOCAL traffic for ${info.spn} LB IP to service chain`)} -m addrtype --src-type LOCAL`,
    jump: info.svcChain,
  });
  if (localEps.length === 0) {
    appendRule(nat, xlb, { matches: commentMatch(`${info.spn} has no local endpoints`), jump: 'KUBE-MARK-DROP' });
  } else if (ctx.input.version === '1.19') {
    // ≈1.18/1.19: affinity rules carry the plain service comment, balancing rules number the endpoints.
    writeServiceToEndpointRules(ctx, info, xlb, localEps,
      (_hp, i) => commentMatch(`Balancing rule ${i} for ${info.spn}`), () => commentMatch(info.spn));
  } else {
    writeServiceToEndpointRules(ctx, info, xlb, localEps, () => serviceComment(ctx, info.spn));
  }
}

/** Writes the whole nat/filter content of the ≤1.23 iptables layout into ctx's tables. */
export function writeXlbLayout(ctx: LayoutContext): void {
  const { nat, filter, input } = ctx;
  const is119 = input.version === '1.19';
  const filterChains = is119
    ? ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD']
    : ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS'];
  for (const chain of filterChains) declareChain(filter, chain);
  for (const chain of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) declareChain(nat, chain);
  if (is119) writePostroutingSingle(ctx);
  else writePostroutingTrio(ctx);
  writeMarkMasq(ctx);
  for (const info of ctx.ports) writeServicePort(ctx, info);

  if (input.nodePortAddresses === undefined) {
    appendRule(nat, 'KUBE-SERVICES', {
      matches: `${commentMatch(NODEPORTS_COMMENT)} -m addrtype --dst-type LOCAL`, jump: 'KUBE-NODEPORTS',
    });
  } else {
    for (const ip of input.nodePortAddresses.map(canonicalIPv4)) {
      appendRule(nat, 'KUBE-SERVICES', { dst: ip, matches: commentMatch(NODEPORTS_COMMENT), jump: 'KUBE-NODEPORTS' });
    }
  }
  appendRule(filter, 'KUBE-FORWARD', { matches: ' -m conntrack --ctstate INVALID', jump: 'DROP' });
  appendRule(filter, 'KUBE-FORWARD', {
    matches: `${commentMatch('kubernetes forwarding rules')} -m mark --mark ${ctx.masqMark}/${ctx.masqMark}`, jump: 'ACCEPT',
  });
  const conntrack = ' -m conntrack --ctstate RELATED,ESTABLISHED';
  if (!is119) {
    appendRule(filter, 'KUBE-FORWARD', { matches: commentMatch('kubernetes forwarding conntrack rule') + conntrack, jump: 'ACCEPT' });
  } else if (ctx.podCIDR !== undefined) {
    appendRule(filter, 'KUBE-FORWARD', {
      src: ctx.podCIDR, matches: commentMatch('kubernetes forwarding conntrack pod source rule') + conntrack, jump: 'ACCEPT',
    });
    appendRule(filter, 'KUBE-FORWARD', {
      dst: ctx.podCIDR, matches: commentMatch('kubernetes forwarding conntrack pod destination rule') + conntrack,
      jump: 'ACCEPT',
    });
  }
}
