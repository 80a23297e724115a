import { negate, no, yes, type MatchAnswer, type MatchFamily } from '../family.js';
import type { AddrType } from '../model.js';

const TYPES: readonly AddrType[] = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

/**
 * `-m addrtype --src-type/--dst-type`: the kernel's route type of the address (inet_dev_addr_type);
 * with --limit-iface-in/out only the incoming/outgoing device's local addresses count (xt_addrtype.c).
 */
export const addrtypeMatch: MatchFamily<'addrtype'> = {
  kind: 'addrtype',
  modules: ['addrtype'],
  options: { 'src-type': 1, 'dst-type': 1, 'limit-iface-in': 0, 'limit-iface-out': 0 },
  parse(_module, opts, ctx) {
    let src: { types: AddrType[]; negated: boolean } | undefined;
    let dst: { types: AddrType[]; negated: boolean } | undefined;
    for (const o of opts) {
      if (o.name !== 'src-type' && o.name !== 'dst-type') continue;
      const types = (o.args[0] ?? '').split(',').map((t) => t.toUpperCase());
      const bad = types.find((t) => !TYPES.includes(t as AddrType));
      if (bad !== undefined) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants ${TYPES.join('|')}, got "${bad}"`, o, 0);
      const spec = { types: types as AddrType[], negated: o.negated };
      if (o.name === 'src-type') src = spec;
      else dst = spec;
    }
    return {
      kind: 'addrtype', src, dst,
      limitIfaceIn: opts.some((o) => o.name === 'limit-iface-in'),
      limitIfaceOut: opts.some((o) => o.name === 'limit-iface-out'),
    };
  },
  test(m, pkt, env): MatchAnswer {
    const dev = m.limitIfaceIn ? pkt.iif : m.limitIfaceOut ? pkt.oif : undefined;
    const assumptions: string[] = [];
    for (const [spec, ip] of [[m.src, pkt.src], [m.dst, pkt.dst]] as const) {
      if (!spec) continue;
      const t = env.addrTypeIs(ip, spec.types, dev);
      if ('unknown' in t) return { is: 'unknown', reason: t.unknown };
      if (t.assumption) assumptions.push(t.assumption);
      const a = negate(t.is ? yes() : no(), spec.negated);
      if (a.is === 'no') return no(assumptions[0]);
    }
    return yes(assumptions[0]);
  },
};
