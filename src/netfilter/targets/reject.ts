import type { TargetFamily } from '../family.js';

const REJECT_WITH = [
  'icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-port-unreachable', 'icmp-proto-unreachable',
  'icmp-net-prohibited', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'tcp-reset', 'tcp-rst',
  'icmp6-no-route', 'no-route', 'icmp6-adm-prohibited', 'adm-prohibited', 'icmp6-addr-unreachable',
  'addr-unreach', 'icmp6-port-unreachable', 'port-unreach', 'icmp6-policy-fail', 'policy-fail', 'icmp6-reject-route', 'reject-route',
];

/** REJECT [--reject-with TYPE]; the default answer is an ICMP port unreachable. */
export const rejectTarget: TargetFamily = {
  names: ['REJECT'],
  options: { 'reject-with': 1 },
  parse(_name, opts, ctx) {
    const o = opts.find((x) => x.name === 'reject-with');
    const w = o?.args[0] ?? (ctx.family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable');
    if (o && !REJECT_WITH.includes(w)) return ctx.fail('E_IPT_BAD_VALUE', `--reject-with wants one of ${REJECT_WITH.slice(0, 8).join(', ')} …, got "${w}"`, o, 0);
    return { kind: 'reject', with: w };
  },
};
