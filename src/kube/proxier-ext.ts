import type { EndpointCategories } from './endpoints.js';
import { categorizeEndpoints } from './endpoints.js';
import type { LayoutContext } from './layout-context.js';
import {
  protoMatch, serviceComment, writeEndpointChain, writeMarkMasq, writePostroutingTrio,
  writeServiceToEndpointRules,
} from './layout-context.js';
import type { ServicePortInfo } from './proxier-model.js';
import { isExternallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from './proxier-model.js';
import { appendRule, commentMatch, declareChain } from './save-text.js';
import { canonicalIPv4, cidrContains } from './ipv4.js';

// The 1.24+ iptables layout with KUBE-EXT/KUBE-SVL chains and the 1.25+ KUBE-PROXY-FIREWALL, following
// syncProxyRules in pkg/proxy/iptables/proxier.go (≈1.31; kube-proxy.md §1.4–§1.12).

const NODEPORTS_COMMENT = 'kubernetes service nodeports; NOTE: this must be the last rule in this chain';
const LOCALHOST_NODEPORT_COUNTER = 'localhost_nps_accepted_pkts';
const INVALID_DROP_COUNTER = 'ct_state_invalid_dropped_pkts';

/** Whether localhost NodePorts are effective: on by default, off when --nodeport-addresses omits 127/8. */
function localhostNodePortsEnabled(ctx: LayoutContext): boolean {
  const addrs = ctx.input.nodePortAddresses;
  if (addrs !== undefined && !addrs.some((a) => a.startsWith('127.'))) return false;
  return ctx.input.localhostNodePorts ?? true;
}

// libxt_nfacct prints " --nfacct-name" and then the name through xtables_save_string, which adds its
// own leading space: real 1.31 dumps read `--nfacct-name  localhost_nps_accepted_pkts`.
function nfacctMatch(counter: string): string {
  return ` -m nfacct --nfacct-name  ${counter}`;
}

/** What syncProxyRules decides per service port before writing anything. */
interface PortPlan {
  readonly info: ServicePortInfo;
  readonly cats: EndpointCategories;
  readonly internalTrafficChain: string;
  readonly hasInternalEndpoints: boolean;
  readonly externalPolicyChain: string;
  readonly hasExternalEndpoints: boolean;
  readonly usesFWChain: boolean;
  /** Filter verdict for ClusterIP traffic without usable endpoints: REJECT (none) or DROP (none local). */
  readonly internalFilter: { readonly target: string; readonly comment: string };
  readonly externalFilter: { readonly target: string; readonly comment: string };
}

function planPort(info: ServicePortInfo): PortPlan {
  const cats = categorizeEndpoints(info, true);
  const hasInternalEndpoints = cats.hasAny && !(info.internalPolicyLocal && cats.local.length === 0);
  const hasExternalEndpoints = cats.hasAny && !(info.externalPolicyLocal && cats.local.length === 0);
  const none = { target: 'REJECT --reject-with icmp-port-unreachable', comment: `${info.spn} has no endpoints` };
  const noneLocal = { target: 'DROP', comment: `${info.spn} has no local endpoints` };
  return {
    info, cats, hasInternalEndpoints, hasExternalEndpoints,
    internalTrafficChain: info.internalPolicyLocal ? info.svlChain : info.svcChain,
    externalPolicyChain: info.externalPolicyLocal ? info.svlChain : info.svcChain,
    usesFWChain: cats.hasAny && info.loadBalancerIPs.length > 0 && info.sourceRanges.length > 0,
    internalFilter: cats.hasAny ? noneLocal : none,
    externalFilter: cats.hasAny ? noneLocal : none,
  };
}

/** KUBE-SERVICES captures (or filter verdicts) for the ClusterIP, external IPs and LB IPs. */
function writeVipCaptures(ctx: LayoutContext, plan: PortPlan): void {
  const { nat, filter } = ctx;
  const { info, cats } = plan;
  const p = info.proto;
  const dport = protoMatch(p, info.port);
  if (plan.hasInternalEndpoints) {
    appendRule(nat, 'KUBE-SERVICES', {
      dst: info.clusterIP, proto: p, matches: commentMatch(`${info.spn} cluster IP`) + dport, jump: plan.internalTrafficChain,
    });
  } else {
    appendRule(filter, 'KUBE-SERVICES', {
      dst: info.clusterIP, proto: p, matches: commentMatch(plan.internalFilter.comment) + dport, jump: plan.internalFilter.target,
    });
  }
  const externalVerdict = (ip: string): void => {
    appendRule(filter, 'KUBE-EXTERNAL-SERVICES', {
      dst: ip, proto: p, matches: commentMatch(plan.externalFilter.comment) + dport, jump: plan.externalFilter.target,
    });
  };
  for (const ip of info.externalIPs) {
    if (cats.hasAny) {
      appendRule(nat, 'KUBE-SERVICES', { dst: ip, proto: p, matches: commentMatch(`${info.spn} external IP`) + dport, jump: info.extChain });
    }
    if (!plan.hasExternalEndpoints) externalVerdict(ip);
  }
  for (const ip of info.loadBalancerIPs) {
    if (cats.hasAny) {
      appendRule(nat, 'KUBE-SERVICES', {
        dst: ip, proto: p, matches: commentMatch(`${info.spn} loadbalancer IP`) + dport,
        jump: plan.usesFWChain ? info.fwChain : info.extChain,
      });
    }
    if (plan.usesFWChain) {
      appendRule(filter, 'KUBE-PROXY-FIREWALL', {
        dst: ip, proto: p, matches: commentMatch(`${info.spn} traffic not accepted by ${info.fwChain}`) + dport, jump: 'DROP',
      });
    }
  }
  if (!plan.hasExternalEndpoints) for (const ip of info.loadBalancerIPs) externalVerdict(ip);
}

/** KUBE-NODEPORTS capture (or filter verdict) and the health-check ACCEPT. */
function writeNodePortCaptures(ctx: LayoutContext, plan: PortPlan, nfacct: boolean): void {
  const { nat, filter } = ctx;
  const { info } = plan;
  const p = info.proto;
  if (info.nodePort !== 0) {
    if (plan.cats.hasAny) {
      // NodePorts are not subject to loadBalancerSourceRanges ("nodePort bypasses …" upstream test).
      if (nfacct) {
        appendRule(nat, 'KUBE-NODEPORTS', {
          dst: '127.0.0.0/8', proto: p,
          matches: commentMatch(info.spn) + protoMatch(p, info.nodePort) + nfacctMatch(LOCALHOST_NODEPORT_COUNTER),
          jump: info.extChain,
        });
      }
      appendRule(nat, 'KUBE-NODEPORTS', { proto: p, matches: commentMatch(info.spn) + protoMatch(p, info.nodePort), jump: info.extChain });
    }
    if (!plan.hasExternalEndpoints) {
      appendRule(filter, 'KUBE-EXTERNAL-SERVICES', {
        proto: p,
        matches: `${commentMatch(plan.externalFilter.comment)} -m addrtype --dst-type LOCAL${protoMatch(p, info.nodePort)}`,
        jump: plan.externalFilter.target,
      });
    }
  }
  if (info.healthCheckNodePort !== 0) {
    appendRule(filter, 'KUBE-NODEPORTS', {
      proto: 'tcp', matches: commentMatch(`${info.spn} health check node port`) + protoMatch('tcp', info.healthCheckNodePort),
      jump: 'ACCEPT',
    });
  }
}

/** The per-service nat chains: masquerade rule, EXT, FW, SVC, SVL and the SEPs. */
function writeServiceChains(ctx: LayoutContext, plan: PortPlan): void {
  const { nat, podCIDR } = ctx;
  const { info, cats } = plan;
  if (plan.hasInternalEndpoints && (ctx.input.masqueradeAll || podCIDR !== undefined)) {
    // Off-cluster (or, with --masquerade-all, any) traffic to the ClusterIP may bounce between nodes.
    appendRule(nat, plan.internalTrafficChain, {
      ...(ctx.input.masqueradeAll || podCIDR === undefined ? {} : { src: podCIDR, notSrc: true }),
      dst: info.clusterIP, proto: info.proto,
      matches: commentMatch(`${info.spn} cluster IP`) + protoMatch(info.proto, info.port), jump: 'KUBE-MARK-MASQ',
    });
  }
  if (cats.hasAny && isExternallyAccessible(info)) writeExternalChain(ctx, info, plan.hasExternalEndpoints, plan.externalPolicyChain);
  if (plan.usesFWChain) writeFirewallChain(ctx, info);
  const epComment = (hostPort: string): string => serviceComment(ctx, `${info.spn} -> ${hostPort}`);
  if (cats.cluster.length > 0 && usesClusterEndpoints(info)) {
    declareChain(nat, info.svcChain);
    writeServiceToEndpointRules(ctx, info, info.svcChain, cats.cluster, epComment);
  }
  if (cats.local.length > 0 && usesLocalEndpoints(info)) {
    declareChain(nat, info.svlChain);
    writeServiceToEndpointRules(ctx, info, info.svlChain, cats.local, epComment);
  }
  for (const ep of cats.reachable) writeEndpointChain(ctx, info, ep);
}

function writeExternalChain(ctx: LayoutContext, info: ServicePortInfo, hasExternalEndpoints: boolean,
  externalPolicyChain: string): void {
  const { nat } = ctx;
  declareChain(nat, info.extChain);
  if (!info.externalPolicyLocal) {
    appendRule(nat, info.extChain, {
      matches: commentMatch(`masquerade traffic for ${info.spn} external destinations`), jump: 'KUBE-MARK-MASQ',
    });
  } else {
    if (ctx.podCIDR !== undefined) {
      appendRule(nat, info.extChain, {
        src: ctx.podCIDR, matches: commentMatch(`pod traffic for ${info.spn} external destinations`), jump: info.svcChain,
      });
    }
    appendRule(nat, info.extChain, {
      matches: `${commentMatch(`masquerade LOCAL traffic for ${info.spn} external destinations`)} -m addrtype --src-type LOCAL`,
      jump: 'KUBE-MARK-MASQ',
    });
    appendRule(nat, info.extChain, {
      matches: `${commentMatch(`route LOCAL traffic for ${info.spn} external destinations`)} -m addrtype --src-type LOCAL`,
      jump: info.svcChain,
    });
  }
  if (hasExternalEndpoints) appendRule(nat, info.extChain, { jump: externalPolicyChain });
}

function writeFirewallChain(ctx: LayoutContext, info: ServicePortInfo): void {
  const { nat } = ctx;
  declareChain(nat, info.fwChain);
  const comment = commentMatch(`${info.spn} loadbalancer IP`);
  let allowFromNode = false;
  for (const cidr of info.sourceRanges) {
    appendRule(nat, info.fwChain, { src: cidr, matches: comment, jump: info.extChain });
    if (ctx.nodeIP !== undefined && cidrContains(cidr, ctx.nodeIP)) allowFromNode = true;
  }
  // A VIP bound on the node loops node→VIP traffic back with the VIP as source (proxier.go comment).
  if (allowFromNode) {
    for (const ip of info.loadBalancerIPs) appendRule(nat, info.fwChain, { src: ip, matches: comment, jump: info.extChain });
  }
  appendRule(nat, info.fwChain, {
    matches: commentMatch(`other traffic to ${info.spn} will be dropped by KUBE-PROXY-FIREWALL`),
  });
}

/** Writes the whole nat/filter content of the 1.24+ iptables layout into ctx's tables. */
export function writeExtLayout(ctx: LayoutContext): void {
  const { nat, filter, input } = ctx;
  for (const chain of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']) {
    declareChain(filter, chain);
  }
  for (const chain of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) declareChain(nat, chain);
  writePostroutingTrio(ctx);
  writeMarkMasq(ctx);
  const localhostNodePorts = localhostNodePortsEnabled(ctx);
  const nfacct = input.version === '1.31' && (input.nfacct ?? false);
  for (const info of ctx.ports) {
    const plan = planPort(info);
    writeVipCaptures(ctx, plan);
    writeNodePortCaptures(ctx, plan, nfacct && localhostNodePorts);
    writeServiceChains(ctx, plan);
  }

  if (input.nodePortAddresses === undefined) {
    appendRule(nat, 'KUBE-SERVICES', {
      ...(localhostNodePorts ? {} : { dst: '127.0.0.0/8', notDst: true }),
      matches: `${commentMatch(NODEPORTS_COMMENT)} -m addrtype --dst-type LOCAL`, jump: 'KUBE-NODEPORTS',
    });
  } else {
    for (const ip of input.nodePortAddresses.map(canonicalIPv4)) {
      if (ip.startsWith('127.') && !localhostNodePorts) continue;
      appendRule(nat, 'KUBE-SERVICES', { dst: ip, matches: commentMatch(NODEPORTS_COMMENT), jump: 'KUBE-NODEPORTS' });
    }
  }
  if (!(input.conntrackTcpBeLiberal ?? false)) {
    appendRule(filter, 'KUBE-FORWARD', {
      matches: ` -m conntrack --ctstate INVALID${nfacct ? nfacctMatch(INVALID_DROP_COUNTER) : ''}`, jump: 'DROP',
    });
  }
  appendRule(filter, 'KUBE-FORWARD', {
    matches: `${commentMatch('kubernetes forwarding rules')} -m mark --mark ${ctx.masqMark}/${ctx.masqMark}`, jump: 'ACCEPT',
  });
  appendRule(filter, 'KUBE-FORWARD', {
    matches: `${commentMatch('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED`,
    jump: 'ACCEPT',
  });
}
