import type { TargetFamily } from '../family.js';
import { parseNatRange } from './nat-range.js';

/** DNAT --to-destination RANGE (kube-proxy's KUBE-SEP rules), optionally --random/--persistent. */
export const dnatTarget: TargetFamily = {
  names: ['DNAT'],
  options: { 'to-destination': 1, random: 0, persistent: 0 },
  parse(_name, opts, ctx) {
    const tos = opts.filter((o) => o.name === 'to-destination');
    if (tos.length === 0) return { kind: 'unmodelled', name: 'DNAT', args: [], };
    return { kind: 'dnat', ranges: tos.map((o) => parseNatRange(o, ctx)) };
  },
};
