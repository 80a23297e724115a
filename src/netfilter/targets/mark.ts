import type { ParsedOption, ParseCtx, TargetFamily } from '../family.js';
import { hex, parseMarkMask, parseUint } from '../values.js';

function bits(o: ParsedOption, ctx: ParseCtx): number {
  const v = parseUint(o.args[0] ?? '');
  if (v === undefined || v > 0xffffffff) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants a 32-bit value, got "${o.args[0] ?? ''}"`, o, 0);
  return v;
}

/**
 * Reads MARK/CONNMARK value options into the kernel's (value, mask) pair, where the new mark is
 * (mark & ~mask) ^ value (libxt_MARK: --set-mark V/M is value V, mask V|M; --or-mark B is B/B;
 * --and-mark B is 0/~B; --xor-mark B is B/0).
 */
export function readMarkValue(o: ParsedOption, ctx: ParseCtx): { value: number; mask: number } {
  switch (o.name) {
    case 'set-xmark':
    case 'set-mark': {
      const mm = parseMarkMask(o.args[0] ?? '');
      if (!mm) return ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants VALUE[/MASK], got "${o.args[0] ?? ''}"`, o, 0);
      return o.name === 'set-xmark' ? mm : { value: mm.value, mask: (mm.mask | mm.value) >>> 0 };
    }
    case 'or-mark': { const b = bits(o, ctx); return { value: b, mask: b }; }
    case 'and-mark': return { value: 0, mask: ~bits(o, ctx) >>> 0 };
    case 'xor-mark': return { value: bits(o, ctx), mask: 0 };
    default: return ctx.fail('E_IPT_BAD_VALUE', `unexpected mark option --${o.name}`, o);
  }
}

const VALUE_OPTS = ['set-xmark', 'set-mark', 'or-mark', 'and-mark', 'xor-mark'];

/** MARK: rewrites the packet mark (kube-proxy's KUBE-MARK-MASQ sets 0x4000). */
export const markTarget: TargetFamily = {
  names: ['MARK'],
  options: { 'set-xmark': 1, 'set-mark': 1, 'or-mark': 1, 'and-mark': 1, 'xor-mark': 1 },
  parse(_name, opts, ctx) {
    const o = opts.find((x) => VALUE_OPTS.includes(x.name));
    if (!o) return { kind: 'unmodelled', name: 'MARK', args: [] };
    const { value, mask } = readMarkValue(o, ctx);
    return { kind: 'mark', op: { value, mask, text: `--set-xmark ${hex(value)}/${hex(mask)}` } };
  },
};
