import { no, yes, type MatchFamily } from '../family.js';

/**
 * `-m physdev`: bridge-port facts. For a packet that did not cross a bridge the kernel answers
 * "match" only when every option given is negated (xt_physdev.c, no nf_bridge info). A packet that
 * enters a bridge device would need the port and br_netfilter state, which no snapshot holds.
 */
export const physdevMatch: MatchFamily<'physdev'> = {
  kind: 'physdev',
  modules: ['physdev'],
  options: { 'physdev-in': 1, 'physdev-out': 1, 'physdev-is-in': 0, 'physdev-is-out': 0, 'physdev-is-bridged': 0 },
  parse(_module, opts) {
    return { kind: 'physdev', conditions: opts.map((o) => ({ option: o.name, value: o.args[0], negated: o.negated })) };
  },
  test(m, pkt, env) {
    const bridge = pkt.iif !== undefined ? env.bridgePortOf(pkt.iif) : null;
    if (bridge === undefined) {
      return { is: 'unknown', reason: `the packet enters bridge ${pkt.iif ?? ''}: its bridge port and br_netfilter state are not in the snapshot` };
    }
    const allNegated = m.conditions.every((c) => c.negated);
    const note = 'the packet does not cross a bridge (no physdev information)';
    return allNegated ? yes(note) : no(note);
  },
};
