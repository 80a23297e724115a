import { negate, no, yes, type MatchFamily } from '../family.js';
import { parseMarkMask } from '../values.js';

/**
 * `-m mark --mark V[/M]` (packet mark) and `-m connmark --mark V[/M]` (connection mark):
 * matches when (mark & M) == V (xt_mark.c, xt_connmark.c).
 */
export const markMatch: MatchFamily<'mark'> = {
  kind: 'mark',
  modules: ['mark', 'connmark'],
  options: { mark: 1 },
  parse(module, opts, ctx) {
    const o = opts.find((x) => x.name === 'mark');
    if (!o) return { kind: 'unmodelled', module, args: [], reason: `-m ${module} without --mark` };
    const mm = parseMarkMask(o.args[0] ?? '');
    if (!mm) return ctx.fail('E_IPT_BAD_VALUE', `--mark wants VALUE[/MASK], got "${o.args[0] ?? ''}"`, o, 0);
    return { kind: 'mark', source: module === 'connmark' ? 'conn' : 'packet', mm, negated: o.negated };
  },
  test(m, pkt) {
    // No connection (raw table, or untracked): connmark_mt returns false, whatever the "!".
    if (m.source === 'conn' && (!pkt.ct.seen || pkt.ct.untracked)) return no('no conntrack entry here, so -m connmark does not match');
    const v = m.source === 'conn' ? pkt.ctmark : pkt.mark;
    return negate(((v & m.mm.mask) >>> 0) === m.mm.value ? yes() : no(), m.negated);
  },
};
