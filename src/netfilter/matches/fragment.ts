import { negate, no, type MatchFamily } from '../family.js';

/** Core `-f`: second and later fragments. The first packet of a connection is never one. */
export const fragmentMatch: MatchFamily<'fragment'> = {
  kind: 'fragment',
  modules: [],
  options: { f: 0, fragment: 0 },
  parse(_module, opts) {
    return { kind: 'fragment', negated: opts[0]!.negated };
  },
  test(m) {
    return negate(no('the packet is not a non-first fragment'), m.negated);
  },
};
