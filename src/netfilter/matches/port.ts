import { negate, no, yes, type MatchAnswer, type MatchFamily } from '../family.js';
import type { Match, PortRange } from '../model.js';
import { PROTO } from '../trace.js';
import { parsePortRange } from '../values.js';

type PortMatch = Extract<Match, { kind: 'port' }>;

const TCP_FLAGS: Readonly<Record<string, number>> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128, ALL: 255, NONE: 0 };

/** The flags of the first packet of a new TCP connection: a bare SYN. */
const FIRST_PACKET_FLAGS = TCP_FLAGS.SYN!;

function parseFlags(text: string): number | undefined {
  let v = 0;
  for (const f of text.split(',')) {
    const bit = TCP_FLAGS[f.toUpperCase()];
    if (bit === undefined) return undefined;
    v |= bit;
  }
  return v;
}

function inRange(p: number | undefined, r: PortRange): boolean {
  return p !== undefined && p >= r.from && p <= r.to;
}

/** `-m tcp|udp|sctp|udplite|dccp` --sport/--dport (ranges, negation) and TCP flags. */
export const portMatch: MatchFamily<'port'> = {
  kind: 'port',
  modules: ['tcp', 'udp', 'sctp', 'udplite', 'dccp'],
  options: { sport: 1, 'source-port': 1, dport: 1, 'destination-port': 1, 'tcp-flags': 2, syn: 0 },
  parse(module, opts, ctx) {
    let sport: PortMatch['sport'];
    let dport: PortMatch['dport'];
    let tcpFlags: PortMatch['tcpFlags'];
    for (const o of opts) {
      if (o.name === 'syn') {
        tcpFlags = { mask: TCP_FLAGS.SYN! | TCP_FLAGS.RST! | TCP_FLAGS.ACK! | TCP_FLAGS.FIN!, comp: TCP_FLAGS.SYN!, negated: o.negated };
      } else if (o.name === 'tcp-flags') {
        const mask = parseFlags(o.args[0] ?? '');
        const comp = parseFlags(o.args[1] ?? '');
        if (mask === undefined) return ctx.fail('E_IPT_BAD_VALUE', `--tcp-flags wants flag names, got "${o.args[0] ?? ''}"`, o, 0);
        if (comp === undefined) return ctx.fail('E_IPT_BAD_VALUE', `--tcp-flags wants flag names, got "${o.args[1] ?? ''}"`, o, 1);
        tcpFlags = { mask, comp, negated: o.negated };
      } else {
        const range = parsePortRange(o.args[0] ?? '');
        if (!range) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants PORT or FROM:TO, got "${o.args[0] ?? ''}"`, o, 0);
        if (o.name === 'sport' || o.name === 'source-port') sport = { range, negated: o.negated };
        else dport = { range, negated: o.negated };
      }
    }
    return { kind: 'port', module: module as PortMatch['module'], sport, dport, tcpFlags };
  },
  test(m, pkt): MatchAnswer {
    if (pkt.proto !== PROTO[m.module]) return no();
    if (m.sport && negate(inRange(pkt.sport, m.sport.range) ? yes() : no(), m.sport.negated).is === 'no') return no();
    if (m.dport && negate(inRange(pkt.dport, m.dport.range) ? yes() : no(), m.dport.negated).is === 'no') return no();
    if (m.tcpFlags) {
      const hit = (FIRST_PACKET_FLAGS & m.tcpFlags.mask) === m.tcpFlags.comp;
      if (hit === m.tcpFlags.negated) return no('the first packet of a TCP connection carries only SYN');
      return yes('the first packet of a TCP connection carries only SYN');
    }
    return yes();
  },
};
