import { KpathError } from '../errors.js';
import { canonicalIPv4, savedCidr } from './ipv4.js';
import { buildIpvsState, renderIpsetSave, renderIpvsadmSave } from './ipvs-state.js';
import type { LayoutContext } from './layout-context.js';
import type { ProxierInput, ProxierRules } from './proxier-model.js';
import { servicePortInfos } from './proxier-model.js';
import { writeExtLayout } from './proxier-ext.js';
import { writeIpvsLayout } from './proxier-ipvs.js';
import { writeXlbLayout } from './proxier-xlb.js';
import type { SaveTable } from './save-text.js';
import { appendRule, commentMatch, declareChain, newSaveTable, prependRuleOnce, renderSaveTable } from './save-text.js';

/** A jump from a built-in chain into a kube chain (iptablesJumpChains in the proxiers). */
interface Hook {
  readonly table: 'nat' | 'filter';
  readonly from: string;
  readonly to: string;
  readonly comment: string;
  readonly ctstateNew?: boolean;
}

const NAT_HOOKS: readonly Hook[] = [
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
];
const EXT_INPUT: Hook = { table: 'filter', from: 'INPUT', to: 'KUBE-EXTERNAL-SERVICES', comment: 'kubernetes externally-visible service portals', ctstateNew: true };
const EXT_FORWARD: Hook = { ...EXT_INPUT, from: 'FORWARD' };
const HC_INPUT: Hook = { table: 'filter', from: 'INPUT', to: 'KUBE-NODEPORTS', comment: 'kubernetes health check service ports' };
const SVC_FORWARD: Hook = { table: 'filter', from: 'FORWARD', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', ctstateNew: true };
const SVC_OUTPUT: Hook = { ...SVC_FORWARD, from: 'OUTPUT' };
const SVC_INPUT: Hook = { ...SVC_FORWARD, from: 'INPUT' };
const FWD_FORWARD: Hook = { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' };
const PFW: Hook = { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kubernetes load balancer firewall', ctstateNew: true };

/** Hooks in the order kube-proxy ensures them; each is prepended, so later ones end up higher. */
function hooksFor(input: ProxierInput): readonly Hook[] {
  const v = input.version;
  if (input.mode === 'ipvs') {
    const node: Hook = { table: 'filter', from: 'INPUT', to: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' };
    const fw: Hook = { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' };
    const filterIn: Hook = { table: 'filter', from: 'INPUT', to: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' };
    const filterOut: Hook = { ...filterIn, from: 'OUTPUT', to: 'KUBE-IPVS-OUT-FILTER' };
    if (v === '1.19') return [...NAT_HOOKS, FWD_FORWARD];
    if (v === '1.23') return [...NAT_HOOKS, FWD_FORWARD, node];
    if (v === '1.28') return [...NAT_HOOKS, FWD_FORWARD, node, fw, filterIn];
    return [...NAT_HOOKS, FWD_FORWARD, node, fw, { ...fw, from: 'FORWARD' }, filterIn, filterOut];
  }
  if (v === '1.19') return [EXT_INPUT, SVC_FORWARD, SVC_OUTPUT, SVC_INPUT, FWD_FORWARD, ...NAT_HOOKS];
  const common = [EXT_INPUT, EXT_FORWARD, HC_INPUT, SVC_FORWARD, SVC_OUTPUT, FWD_FORWARD];
  if (v === '1.23') return [...common, ...NAT_HOOKS];
  return [...common, PFW, { ...PFW, from: 'OUTPUT' }, { ...PFW, from: 'FORWARD' }, ...NAT_HOOKS];
}

/**
 * kubelet's chains, assumed present before kube-proxy starts: filter KUBE-FIREWALL (localnet guard of
 * CVE-2020-8558, plus the KUBE-MARK-DROP drop before 1.28) jumped to from INPUT and OUTPUT, and nat
 * KUBE-MARK-DROP before 1.28 (IPTablesOwnershipCleanup GA, kube-proxy.md §0).
 */
function writeKubeletChains(input: ProxierInput, nat: SaveTable, filter: SaveTable): void {
  const old = input.version === '1.19' || input.version === '1.23';
  if (old) {
    appendRule(filter, 'KUBE-FIREWALL', {
      matches: `${commentMatch('kubernetes firewall for dropping marked packets')} -m mark --mark 0x8000/0x8000`, jump: 'DROP',
    });
    appendRule(nat, 'KUBE-MARK-DROP', { jump: 'MARK --set-xmark 0x8000/0x8000' });
  }
  appendRule(filter, 'KUBE-FIREWALL', {
    src: '127.0.0.0/8', notSrc: true, dst: '127.0.0.0/8',
    matches: `${commentMatch('block incoming localnet connections')} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT`,
    jump: 'DROP',
  });
  appendRule(filter, 'INPUT', { jump: 'KUBE-FIREWALL' });
  appendRule(filter, 'OUTPUT', { jump: 'KUBE-FIREWALL' });
}

function validate(input: ProxierInput): void {
  if (input.family !== 4) throw new KpathError('E_KUBE_INPUT', 'only IPv4 (family 4) is supported');
  if (input.mode !== 'iptables' && input.mode !== 'ipvs') {
    throw new KpathError('E_KUBE_INPUT', `unknown proxy mode "${String(input.mode)}"`);
  }
  if (!['1.19', '1.23', '1.28', '1.31'].includes(input.version)) {
    throw new KpathError('E_KUBE_INPUT', `unknown layout version "${String(input.version)}"`, { hint: '1.19, 1.23, 1.28 or 1.31' });
  }
}

/**
 * Renders the rules kube-proxy (and, where it shares tables, kubelet) would leave on a node, as
 * iptables-legacy-save v1.8.9 prints them after a round trip through the kernel; in IPVS mode also the
 * ipsets (`ipset save`), virtual servers (`ipvsadm-save -n`) and kube-ipvs0 addresses.
 */
export function renderProxierRules(input: ProxierInput): ProxierRules {
  validate(input);
  const ports = servicePortInfos(input);
  let totalEndpoints = 0;
  for (const info of ports) totalEndpoints += info.endpoints.length;
  const nat = newSaveTable('nat');
  const filter = newSaveTable('filter');
  const ctx: LayoutContext = {
    input, nat, filter, ports,
    masqMark: `0x${(1 << (input.masqueradeBit ?? 14)).toString(16)}`,
    largeClusterMode: input.largeClusterMode ?? totalEndpoints > 1000,
    podCIDR: input.clusterCIDR !== undefined ? savedCidr(input.clusterCIDR) : undefined,
    nodeIP: input.nodeIPs[0] !== undefined ? canonicalIPv4(input.nodeIPs[0]) : undefined,
    probabilityCache: new Map(),
  };
  const tables: SaveTable[] = [];
  if (input.includeCanaries ?? true) {
    const mangle = newSaveTable('mangle');
    tables.push(mangle);
    for (const table of [mangle, filter, nat]) {
      declareChain(table, 'KUBE-KUBELET-CANARY');
      // Only the iptables proxier monitors a canary (ipt.Monitor in its NewProxier).
      if (input.mode === 'iptables') declareChain(table, 'KUBE-PROXY-CANARY');
    }
  }
  tables.push(filter, nat);
  writeKubeletChains(input, nat, filter);

  let ipvs: Pick<ProxierRules, 'ipsetSave' | 'ipvsadmSave' | 'kubeIpvs0Addrs'> = {};
  if (input.mode === 'ipvs') {
    const state = buildIpvsState(input, ports);
    writeIpvsLayout(ctx, state);
    ipvs = {
      ipsetSave: renderIpsetSave(state),
      ipvsadmSave: renderIpvsadmSave(state, input.ipvsScheduler ?? 'rr'),
      kubeIpvs0Addrs: state.boundAddrs,
    };
  } else if (input.version === '1.19' || input.version === '1.23') {
    writeXlbLayout(ctx);
  } else {
    writeExtLayout(ctx);
  }
  for (const hook of hooksFor(input)) {
    prependRuleOnce(hook.table === 'nat' ? nat : filter, hook.from, {
      matches: (hook.ctstateNew ? ' -m conntrack --ctstate NEW' : '') + commentMatch(hook.comment), jump: hook.to,
    });
  }
  const iptablesSave = tables.map((t) => renderSaveTable(t, input.generatedAt)).join('');
  return { iptablesSave, ...ipvs };
}
