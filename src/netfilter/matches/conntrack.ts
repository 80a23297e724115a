import { negate, no, yes, type MatchAnswer, type MatchFamily } from '../family.js';
import type { CtState } from '../model.js';

const STATES: readonly CtState[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'];
const ASSUME_NEW = 'conntrack state: the first packet of a new connection (NEW)';

/**
 * `-m conntrack --ctstate` and `-m state --state`. kpath traces the first packet of a new
 * connection: its state is NEW, plus the virtual states DNAT/SNAT once a NAT rule has changed the
 * tuple (IPS_DST_NAT/IPS_SRC_NAT, xt_conntrack.c), or UNTRACKED after NOTRACK. Other conntrack
 * options are kept and answer unknown.
 */
export const conntrackMatch: MatchFamily<'conntrack'> = {
  kind: 'conntrack',
  modules: ['conntrack', 'state'],
  options: {
    ctstate: 1, state: 1, ctproto: 1, ctorigsrc: 1, ctorigdst: 1, ctreplsrc: 1, ctrepldst: 1,
    ctorigsrcport: 1, ctorigdstport: 1, ctreplsrcport: 1, ctrepldstport: 1, ctstatus: 1, ctexpire: 1, ctdir: 1,
  },
  parse(_module, opts, ctx) {
    let states: { states: CtState[]; negated: boolean } | undefined;
    const unmodelled: string[] = [];
    for (const o of opts) {
      if (o.name === 'ctstate' || o.name === 'state') {
        const list = (o.args[0] ?? '').split(',').map((s) => s.toUpperCase());
        const bad = list.find((s) => !STATES.includes(s as CtState));
        if (bad !== undefined) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants ${STATES.join(',')}, got "${bad}"`, o, 0);
        states = { states: list as CtState[], negated: o.negated };
      } else {
        unmodelled.push(`${o.negated ? '! ' : ''}--${o.name} ${o.args.join(' ')}`.trim());
      }
    }
    return { kind: 'conntrack', states, unmodelledOptions: unmodelled };
  },
  test(m, pkt): MatchAnswer {
    if (m.states) {
      // Before conntrack has seen the packet (the raw table) there is no entry: INVALID.
      const have = new Set<CtState>(pkt.ct.untracked ? ['UNTRACKED'] : pkt.ct.seen ? ['NEW'] : ['INVALID']);
      if (pkt.ct.dnat) have.add('DNAT');
      if (pkt.ct.snat) have.add('SNAT');
      const a = negate(m.states.states.some((s) => have.has(s)) ? yes(ASSUME_NEW) : no(ASSUME_NEW), m.states.negated);
      if (a.is === 'no') return a;
    }
    if (m.unmodelledOptions.length > 0) {
      return { is: 'unknown', reason: `conntrack option ${m.unmodelledOptions.join(', ')} is not modelled` };
    }
    return yes(m.states ? ASSUME_NEW : undefined);
  },
};
