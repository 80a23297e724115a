import type { TargetFamily } from '../family.js';

/**
 * NOTRACK and `CT --notrack` (raw table): the connection is not tracked, so the nat table is not
 * consulted and conntrack state is UNTRACKED. Other CT options (zones, helpers) are kept as text.
 */
export const notrackTarget: TargetFamily = {
  names: ['NOTRACK', 'CT'],
  options: { notrack: 0, zone: 1, 'zone-orig': 1, 'zone-reply': 1, helper: 1, ctevents: 1, expevents: 1, timeout: 1 },
  parse(name, opts) {
    if (name === 'NOTRACK') return { kind: 'notrack', name };
    return { kind: 'ct', notrack: opts.some((o) => o.name === 'notrack'), args: opts.flatMap((o) => [`--${o.name}`, ...o.args]) };
  },
};
