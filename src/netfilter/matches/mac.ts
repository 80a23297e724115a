import { negate, no, yes, type MatchFamily } from '../family.js';

/** `-m mac --mac-source`: the Ethernet source, which a snapshot query rarely knows (unknown then). */
export const macMatch: MatchFamily<'mac'> = {
  kind: 'mac',
  modules: ['mac'],
  options: { 'mac-source': 1 },
  parse(_module, opts, ctx) {
    const o = opts.find((x) => x.name === 'mac-source');
    const mac = (o?.args[0] ?? '').toLowerCase();
    if (!o || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) return ctx.fail('E_IPT_BAD_VALUE', `--mac-source wants XX:XX:XX:XX:XX:XX, got "${o?.args[0] ?? ''}"`, o ?? opts[0]!, 0);
    return { kind: 'mac', mac, negated: o.negated };
  },
  test(m, pkt) {
    // Locally generated packets have no Ethernet header yet: the kernel's mac match fails for them.
    if (pkt.hook === 'OUTPUT' || pkt.hook === 'POSTROUTING' || pkt.iif === undefined) return negate(no(), m.negated);
    if (pkt.srcMac === undefined) return { is: 'unknown', reason: '-m mac: the packet\'s source MAC address is not known (give it with the query)' };
    return negate(pkt.srcMac.toLowerCase() === m.mac ? yes() : no(), m.negated);
  },
};
