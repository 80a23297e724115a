import type { TargetFamily } from '../family.js';
import { parseNatRange } from './nat-range.js';

/** SNAT --to-source RANGE [--random] [--random-fully] [--persistent] (e.g. AWS-SNAT-CHAIN). */
export const snatTarget: TargetFamily = {
  names: ['SNAT'],
  options: { 'to-source': 1, random: 0, 'random-fully': 0, persistent: 0 },
  parse(_name, opts, ctx) {
    const tos = opts.filter((o) => o.name === 'to-source');
    if (tos.length === 0) return { kind: 'unmodelled', name: 'SNAT', args: [] };
    return {
      kind: 'snat',
      ranges: tos.map((o) => parseNatRange(o, ctx)),
      random: opts.some((o) => o.name === 'random'),
      randomFully: opts.some((o) => o.name === 'random-fully'),
      persistent: opts.some((o) => o.name === 'persistent'),
    };
  },
};
