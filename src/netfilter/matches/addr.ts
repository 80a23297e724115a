import { cidrContains, parseCidr } from '../cidr.js';
import { negate, no, yes, type MatchFamily } from '../family.js';

/** Core `-s` / `-d`: the packet's source or destination inside a prefix. */
export const addrMatch: MatchFamily<'addr'> = {
  kind: 'addr',
  modules: [],
  options: { s: 1, source: 1, src: 1, d: 1, destination: 1, dst: 1 },
  parse(_module, opts, ctx) {
    const o = opts[0]!;
    const field = ['s', 'source', 'src'].includes(o.name) ? 'src' : 'dst';
    const cidr = parseCidr(o.args[0] ?? '');
    if (!cidr) return ctx.fail('E_IPT_BAD_VALUE', `-${o.name.length === 1 ? '' : '-'}${o.name} wants ADDR[/LEN], got "${o.args[0] ?? ''}"`, o, 0);
    if (cidr.family !== ctx.family) return ctx.fail('E_IPT_FAMILY', `IPv${cidr.family} address in an IPv${ctx.family} dump`, o, 0);
    return { kind: 'addr', field, cidr, negated: o.negated };
  },
  test(m, pkt) {
    return negate(cidrContains(m.cidr, m.field === 'src' ? pkt.src : pkt.dst) ? yes() : no(), m.negated);
  },
};
