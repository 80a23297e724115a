import { yes, type MatchFamily } from '../family.js';

/** `-m nfacct`: only counts (kube-proxy's localhost NodePort and INVALID-drop accounting); always matches. */
export const nfacctMatch: MatchFamily<'nfacct'> = {
  kind: 'nfacct',
  modules: ['nfacct'],
  options: { 'nfacct-name': 1 },
  parse(_module, opts) {
    return { kind: 'nfacct', name: opts.find((o) => o.name === 'nfacct-name')?.args[0] ?? '' };
  },
  test() {
    return yes();
  },
};
