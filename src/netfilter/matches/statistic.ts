import { no, yes, type MatchFamily } from '../family.js';

/** The kernel stores --probability as round(p·2³¹) and matches when (random & 0x7fffffff) < that (xt_statistic.c). */
export function quantiseProbability(p: number): number {
  const q = Math.round(p * 0x80000000);
  return Math.min(q, 0x80000000) / 0x80000000;
}

/**
 * `-m statistic`: random mode splits the walk into two branches with exact probabilities; nth
 * mode depends on a counter the snapshot cannot show, so it is modelled as 1 in N new connections.
 */
export const statisticMatch: MatchFamily<'statistic'> = {
  kind: 'statistic',
  modules: ['statistic'],
  options: { mode: 1, probability: 1, every: 1, packet: 1 },
  parse(module, opts, ctx) {
    const mode = opts.find((o) => o.name === 'mode');
    if (!mode) return { kind: 'unmodelled', module, args: [], reason: '-m statistic without --mode' };
    if (mode.args[0] === 'random') {
      const p = opts.find((o) => o.name === 'probability');
      const v = Number(p?.args[0]);
      if (!p || !/^[0-9.eE+-]+$/.test(p.args[0] ?? '') || !(v >= 0 && v <= 1)) {
        return ctx.fail('E_IPT_BAD_VALUE', `--probability wants a number from 0 to 1, got "${p?.args[0] ?? ''}"`, p ?? mode, 0);
      }
      return { kind: 'statistic', mode: 'random', probability: quantiseProbability(v), negated: p.negated };
    }
    if (mode.args[0] === 'nth') {
      const every = opts.find((o) => o.name === 'every');
      const packet = opts.find((o) => o.name === 'packet');
      const e = Number(every?.args[0]);
      const pk = packet ? Number(packet.args[0]) : 0;
      if (!every || !Number.isInteger(e) || e < 1) return ctx.fail('E_IPT_BAD_VALUE', `--every wants a positive integer, got "${every?.args[0] ?? ''}"`, every ?? mode, 0);
      if (!Number.isInteger(pk) || pk < 0 || pk >= e) return ctx.fail('E_IPT_BAD_VALUE', `--packet wants 0..${e - 1}, got "${packet?.args[0] ?? ''}"`, packet ?? mode, 0);
      return { kind: 'statistic', mode: 'nth', every: e, packet: pk, negated: every.negated };
    }
    return ctx.fail('E_IPT_BAD_VALUE', `--mode wants random or nth, got "${mode.args[0] ?? ''}"`, mode, 0);
  },
  test(m) {
    const p = m.mode === 'random' ? m.probability : 1 / m.every;
    const assumption = m.mode === 'nth'
      ? `-m statistic --mode nth --every ${m.every}: counter state unknown; modelled as 1 in ${m.every} new connections`
      : undefined;
    const share = m.negated ? 1 - p : p;
    if (share >= 1) return yes(assumption);
    if (share <= 0) return no(assumption);
    return assumption ? { is: 'fork', probability: share, assumption } : { is: 'fork', probability: share };
  },
};
