import { negate, no, yes, type MatchFamily } from '../family.js';

const COUNTER_OPTS = ['packets-eq', 'packets-lt', 'packets-gt', 'bytes-eq', 'bytes-lt', 'bytes-gt'];

/**
 * `-m set --match-set NAME DIRS`: membership of the packet's addresses/ports in an ipset, each
 * set dimension taking its value from the src or dst named by DIRS (xt_set.c). With
 * `--return-nomatch` a `nomatch` entry matches and an ordinary one does not (on types that allow
 * nomatch). Counter conditions depend on state and answer unknown.
 */
export const setMatch: MatchFamily<'set'> = {
  kind: 'set',
  modules: ['set'],
  options: {
    'match-set': 2, set: 2, 'return-nomatch': 0, 'update-counters': 0, 'update-subcounters': 0,
    'packets-eq': 1, 'packets-lt': 1, 'packets-gt': 1, 'bytes-eq': 1, 'bytes-lt': 1, 'bytes-gt': 1,
  },
  parse(_module, opts, ctx) {
    const o = opts.find((x) => x.name === 'match-set' || x.name === 'set');
    if (!o) return { kind: 'unmodelled', module: 'set', args: [], reason: '-m set without --match-set' };
    const dirs = (o.args[1] ?? '').split(',');
    if (dirs.some((d) => d !== 'src' && d !== 'dst') || dirs.length > 6) {
      ctx.fail('E_IPT_BAD_VALUE', `--match-set wants NAME src|dst[,src|dst…], got "${o.args[1] ?? ''}"`, o, 1);
    }
    return {
      kind: 'set',
      set: o.args[0] ?? '',
      dirs: dirs as ('src' | 'dst')[],
      negated: o.negated,
      returnNomatch: opts.some((x) => x.name === 'return-nomatch'),
      counterConditions: opts.filter((x) => COUNTER_OPTS.includes(x.name)).map((x) => `${x.negated ? '! ' : ''}--${x.name} ${x.args[0] ?? ''}`),
    };
  },
  test(m, pkt, env) {
    if (m.counterConditions.length > 0) {
      return { is: 'unknown', reason: `ipset counter condition ${m.counterConditions.join(' ')} depends on counters not in the snapshot` };
    }
    const a = env.testSet(m.set, m.dirs, pkt, { returnNomatch: m.returnNomatch });
    if (a.result === 'unknown') return { is: 'unknown', reason: a.reason ?? `ipset ${m.set} cannot be tested` };
    // With --return-nomatch the lookup itself inverts nomatch entries (ip_set_test), per member set.
    const hit = a.result === 'match';
    return negate(hit ? yes() : no(), m.negated);
  },
};
