import { yes, type MatchFamily } from '../family.js';

/** `-m comment`: always matches; kube-proxy puts the Service port name here. */
export const commentMatch: MatchFamily<'comment'> = {
  kind: 'comment',
  modules: ['comment'],
  options: { comment: 1 },
  parse(_module, opts) {
    return { kind: 'comment', text: opts.find((o) => o.name === 'comment')?.args[0] ?? '' };
  },
  test() {
    return yes();
  },
};
