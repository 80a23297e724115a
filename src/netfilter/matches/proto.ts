import { negate, no, yes, type MatchFamily } from '../family.js';
import { protoNumber } from '../values.js';

/** Core `-p`: the layer-4 protocol (`all`/0 matches every protocol). */
export const protoMatch: MatchFamily<'proto'> = {
  kind: 'proto',
  modules: [],
  options: { p: 1, protocol: 1 },
  parse(_module, opts, ctx) {
    const o = opts[0]!;
    const name = o.args[0] ?? '';
    const proto = protoNumber(name);
    if (proto === undefined) return ctx.fail('E_IPT_BAD_VALUE', `-p wants a protocol name or number, got "${name}"`, o, 0);
    return { kind: 'proto', proto, name: name.toLowerCase(), negated: o.negated };
  },
  test(m, pkt) {
    // The kernel treats protocol 0 as "any" (ip_packet_match: ipinfo->proto == 0 skips the check).
    if (m.proto === 0) return m.negated ? no() : yes();
    return negate(pkt.proto === m.proto ? yes() : no(), m.negated);
  },
};
