import { formatIp } from '../cidr.js';
import { no, yes, type MatchAnswer, type MatchFamily } from '../family.js';

/**
 * `-m recent`: a list of recently seen addresses (kube-proxy's ClientIP session affinity). The
 * snapshot has no list contents, so kpath answers for a new client: --rcheck/--update/--remove
 * find nothing unless this same walk ran --set on the list; --set adds and matches (xt_recent.c).
 */
export const recentMatch: MatchFamily<'recent'> = {
  kind: 'recent',
  modules: ['recent'],
  options: { set: 0, rcheck: 0, update: 0, remove: 0, seconds: 1, reap: 0, hitcount: 1, rttl: 0, name: 1, mask: 1, rsource: 0, rdest: 0 },
  parse(module, opts, ctx) {
    const cmd = opts.find((o) => ['set', 'rcheck', 'update', 'remove'].includes(o.name));
    if (!cmd) return { kind: 'unmodelled', module, args: [], reason: '-m recent without --set/--rcheck/--update/--remove' };
    const seconds = opts.find((o) => o.name === 'seconds');
    const hitcount = opts.find((o) => o.name === 'hitcount');
    const num = (o: typeof seconds) => {
      if (!o) return undefined;
      const v = Number(o.args[0]);
      if (!Number.isInteger(v) || v < 0) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants a whole number, got "${o.args[0] ?? ''}"`, o, 0);
      return v;
    };
    return {
      kind: 'recent',
      name: opts.find((o) => o.name === 'name')?.args[0] ?? 'DEFAULT',
      command: cmd.name as 'set' | 'rcheck' | 'update' | 'remove',
      side: opts.some((o) => o.name === 'rdest') ? 'dest' : 'source',
      seconds: num(seconds),
      hitcount: num(hitcount),
      negated: cmd.negated,
    };
  },
  test(m, pkt): MatchAnswer {
    const addr = formatIp(m.side === 'source' ? pkt.src : pkt.dst);
    const seen = pkt.recent.get(m.name)?.includes(addr) ?? false;
    const flip = (hit: boolean, assumption?: string): MatchAnswer => ((hit !== m.negated) ? yes(assumption) : no(assumption));
    if (m.command === 'set') {
      const a = flip(true);
      return a.is === 'yes' ? { is: 'yes', recentAdd: { name: m.name, addr } } : { is: 'no', recentAdd: { name: m.name, addr } };
    }
    const assumption = seen ? undefined : `-m recent list ${m.name} has no entry for ${addr} (a new client; list contents are not in the snapshot)`;
    // A hit count above 1 cannot be reached by one --set in this walk.
    const hit = seen && (m.hitcount === undefined || m.hitcount <= 1);
    return flip(hit, assumption);
  },
};
