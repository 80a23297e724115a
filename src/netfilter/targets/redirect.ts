import type { TargetFamily } from '../family.js';
import type { PortRange } from '../model.js';
import { portRange } from './nat-range.js';

/** REDIRECT [--to-ports P[-Q]]: DNAT to the incoming device's primary address (127.0.0.1 for local packets). */
export const redirectTarget: TargetFamily = {
  names: ['REDIRECT'],
  options: { 'to-ports': 1, random: 0 },
  parse(_name, opts, ctx) {
    const o = opts.find((x) => x.name === 'to-ports');
    let ports: PortRange | undefined;
    if (o) {
      ports = portRange(o.args[0] ?? '');
      if (!ports) return ctx.fail('E_IPT_BAD_VALUE', `--to-ports wants PORT[-PORT], got "${o.args[0] ?? ''}"`, o, 0);
    }
    return { kind: 'redirect', ports, random: opts.some((x) => x.name === 'random') };
  },
};
