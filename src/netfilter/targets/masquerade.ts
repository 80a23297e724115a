import type { TargetFamily } from '../family.js';
import type { PortRange } from '../model.js';
import { portRange } from './nat-range.js';

/** MASQUERADE [--to-ports P[-Q]] [--random] [--random-fully]: SNAT to the egress device's address. */
export const masqueradeTarget: TargetFamily = {
  names: ['MASQUERADE'],
  options: { 'to-ports': 1, random: 0, 'random-fully': 0 },
  parse(_name, opts, ctx) {
    const o = opts.find((x) => x.name === 'to-ports');
    let ports: PortRange | undefined;
    if (o) {
      ports = portRange(o.args[0] ?? '');
      if (!ports) return ctx.fail('E_IPT_BAD_VALUE', `--to-ports wants PORT[-PORT], got "${o.args[0] ?? ''}"`, o, 0);
    }
    return { kind: 'masquerade', ports, random: opts.some((x) => x.name === 'random'), randomFully: opts.some((x) => x.name === 'random-fully') };
  },
};
