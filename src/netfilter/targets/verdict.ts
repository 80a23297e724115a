import type { TargetFamily } from '../family.js';

/** ACCEPT, DROP and RETURN: standard verdicts without options. */
export const verdictTarget: TargetFamily = {
  names: ['ACCEPT', 'DROP', 'RETURN'],
  options: {},
  parse(name) {
    return name === 'ACCEPT' ? { kind: 'accept' } : name === 'DROP' ? { kind: 'drop' } : { kind: 'return' };
  },
};
