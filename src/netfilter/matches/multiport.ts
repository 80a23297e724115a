import { negate, no, yes, type MatchFamily } from '../family.js';
import type { PortRange } from '../model.js';
import { PROTO } from '../trace.js';
import { parsePortRange } from '../values.js';

const PORT_PROTOS: ReadonlySet<number> = new Set([PROTO.tcp, PROTO.udp, PROTO.sctp, PROTO.udplite, PROTO.dccp]);

/** `-m multiport --sports|--dports|--ports LIST` (up to 15 ports or ranges). */
export const multiportMatch: MatchFamily<'multiport'> = {
  kind: 'multiport',
  modules: ['multiport'],
  options: { sports: 1, 'source-ports': 1, dports: 1, 'destination-ports': 1, ports: 1 },
  parse(_module, opts, ctx) {
    const o = opts[opts.length - 1]!;
    const ranges: PortRange[] = [];
    for (const part of (o.args[0] ?? '').split(',')) {
      const r = parsePortRange(part);
      if (!r) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants a comma list of PORT or FROM:TO, got "${part}"`, o, 0);
      ranges.push(r);
    }
    const field = o.name.startsWith('s') ? 'sport' : o.name.startsWith('d') ? 'dport' : 'either';
    return { kind: 'multiport', field, ranges, negated: o.negated };
  },
  test(m, pkt) {
    if (!PORT_PROTOS.has(pkt.proto)) return no();
    const hit = (p: number | undefined) => p !== undefined && m.ranges.some((r) => p >= r.from && p <= r.to);
    const found = m.field === 'sport' ? hit(pkt.sport) : m.field === 'dport' ? hit(pkt.dport) : hit(pkt.sport) || hit(pkt.dport);
    return negate(found ? yes() : no(), m.negated);
  },
};
