import { negate, no, yes, type MatchFamily } from '../family.js';
import { PROTO } from '../trace.js';

const V4: Readonly<Record<string, number>> = {
  'echo-reply': 0, pong: 0, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8, ping: 8,
  'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'ttl-exceeded': 11, 'parameter-problem': 12,
  'timestamp-request': 13, 'timestamp-reply': 14,
};
const V6: Readonly<Record<string, number>> = {
  'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'ttl-exceeded': 3, 'parameter-problem': 4,
  'echo-request': 128, ping: 128, 'echo-reply': 129, pong: 129, 'router-solicitation': 133, 'router-advertisement': 134,
  'neighbour-solicitation': 135, 'neighbor-solicitation': 135, 'neighbour-advertisement': 136, 'neighbor-advertisement': 136, redirect: 137,
};

/** `-m icmp --icmp-type` / `-m icmp6 --icmpv6-type` TYPE[/CODE] or a name; default packet type is echo-request. */
export const icmpMatch: MatchFamily<'icmp'> = {
  kind: 'icmp',
  modules: ['icmp', 'icmp6', 'icmpv6'],
  options: { 'icmp-type': 1, 'icmpv6-type': 1 },
  parse(module, opts, ctx) {
    const o = opts.find((x) => x.name === 'icmp-type' || x.name === 'icmpv6-type');
    const family = module === 'icmp' ? 4 : 6;
    if (!o) return { kind: 'icmp', family, type: 'any', negated: false };
    const text = o.args[0] ?? '';
    if (text === 'any') return { kind: 'icmp', family, type: 'any', negated: o.negated };
    const names = family === 4 ? V4 : V6;
    const [t, c] = text.split('/');
    const type = names[t ?? ''] ?? (/^\d+$/.test(t ?? '') ? Number(t) : undefined);
    const code = c === undefined ? undefined : Number(c);
    if (type === undefined || type > 255 || (code !== undefined && !(code >= 0 && code <= 255))) {
      return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants TYPE[/CODE] or a type name, got "${text}"`, o, 0);
    }
    return { kind: 'icmp', family, type, code, negated: o.negated };
  },
  test(m, pkt) {
    if (pkt.proto !== (m.family === 4 ? PROTO.icmp : PROTO.icmpv6)) return no();
    if (m.type === 'any') return negate(yes(), m.negated);
    const hit = pkt.icmpType === m.type && (m.code === undefined || pkt.icmpCode === m.code);
    return negate(hit ? yes() : no(), m.negated);
  },
};
