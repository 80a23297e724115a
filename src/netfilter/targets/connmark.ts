import type { TargetFamily } from '../family.js';
import { hex, parseUint } from '../values.js';
import { readMarkValue } from './mark.js';

/**
 * CONNMARK: --set-xmark/--set-mark/… on the connection mark, --save-mark (ctmark ← mark) and
 * --restore-mark (mark ← ctmark) with --nfmask/--ctmask (xt_connmark.c).
 */
export const connmarkTarget: TargetFamily = {
  names: ['CONNMARK'],
  options: { 'set-xmark': 1, 'set-mark': 1, 'or-mark': 1, 'and-mark': 1, 'xor-mark': 1, 'save-mark': 0, 'restore-mark': 0, nfmask: 1, ctmask: 1, mask: 1 },
  parse(_name, opts, ctx) {
    const mask = (name: string) => {
      const o = opts.find((x) => x.name === name) ?? opts.find((x) => x.name === 'mask');
      if (!o) return 0xffffffff;
      const v = parseUint(o.args[0] ?? '');
      if (v === undefined || v > 0xffffffff) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants a 32-bit mask, got "${o.args[0] ?? ''}"`, o, 0);
      return v;
    };
    if (opts.some((o) => o.name === 'save-mark' || o.name === 'restore-mark')) {
      const op = opts.some((o) => o.name === 'save-mark') ? 'save' : 'restore';
      const nfmask = mask('nfmask');
      const ctmask = mask('ctmask');
      return { kind: 'connmark', op: { op, nfmask, ctmask, text: `--${op}-mark --nfmask ${hex(nfmask)} --ctmask ${hex(ctmask)}` } };
    }
    const o = opts.find((x) => ['set-xmark', 'set-mark', 'or-mark', 'and-mark', 'xor-mark'].includes(x.name));
    if (!o) return { kind: 'unmodelled', name: 'CONNMARK', args: [] };
    const { value, mask: m } = readMarkValue(o, ctx);
    return { kind: 'connmark', op: { op: 'set', value, mask: m, text: `--set-xmark ${hex(value)}/${hex(m)}` } };
  },
};
