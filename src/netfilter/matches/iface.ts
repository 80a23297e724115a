import { negate, no, yes, type MatchFamily } from '../family.js';

/**
 * Core `-i` / `-o`. A trailing `+` matches every name with that prefix. Where the kernel has no
 * device (no input device in OUTPUT, no output device in PREROUTING) it compares against the empty
 * name, so `-i eth0` fails and `! -i eth0` matches there (ip_tables.c, nulldevname).
 */
export const ifaceMatch: MatchFamily<'iface'> = {
  kind: 'iface',
  modules: [],
  options: { i: 1, 'in-interface': 1, o: 1, 'out-interface': 1 },
  parse(_module, opts, ctx) {
    const o = opts[0]!;
    const raw = o.args[0] ?? '';
    if (raw === '' || raw.length > 16) return ctx.fail('E_IPT_BAD_VALUE', `interface name must be 1 to 15 characters (plus "+"), got "${raw}"`, o, 0);
    const wildcard = raw.endsWith('+');
    return {
      kind: 'iface',
      dir: o.name === 'i' || o.name === 'in-interface' ? 'in' : 'out',
      name: wildcard ? raw.slice(0, -1) : raw,
      wildcard,
      negated: o.negated,
    };
  },
  test(m, pkt) {
    const dev = (m.dir === 'in' ? pkt.iif : pkt.oif) ?? '';
    const hit = m.wildcard ? dev.startsWith(m.name) : dev === m.name;
    return negate(hit ? yes() : no(), m.negated);
  },
};
