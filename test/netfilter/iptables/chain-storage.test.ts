import fc from 'fast-check';
import { expect, test } from 'vitest';
import { KpathError } from '../../../src/errors.js';
import { parseIptablesSave } from '../../../src/netfilter/iptables/parse.js';

// A chain keeps consecutive `-A` lines as a run of line numbers and switches to a list for
// anything else. Whatever the order of appends (plain, with counters), inserts and flushes across
// chains, each chain must hold exactly the rules iptables-restore would: checked here against a
// plain list model, for lazy and eager parsing alike.

type Op =
  | { kind: 'append'; chain: 'A' | 'B'; counters: boolean }
  | { kind: 'insert'; chain: 'A' | 'B'; at: number }
  | { kind: 'flush'; chain: 'A' | 'B' | 'all' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), chain: fc.constantFrom('A' as const, 'B' as const), counters: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), chain: fc.constantFrom('A' as const, 'B' as const), at: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), chain: fc.constantFrom('A' as const, 'B' as const, 'all' as const) }) },
);

function render(ops: readonly Op[]): { text: string; want: Record<'A' | 'B', string[]> } {
  const want: Record<'A' | 'B', string[]> = { A: [], B: [] };
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]'];
  ops.forEach((o, k) => {
    const body = `-s 10.0.${k >> 8}.${k & 255}/32 -j RETURN`;
    if (o.kind === 'append') {
      lines.push(`${o.counters ? `[${k}:${k * 60}] ` : ''}-A ${o.chain} ${body}`);
      want[o.chain].push(`-A ${o.chain} ${body}`);
    } else if (o.kind === 'insert') {
      const at = Math.min(o.at, want[o.chain].length + 1);
      lines.push(`-I ${o.chain} ${at} ${body}`);
      want[o.chain].splice(at - 1, 0, `-A ${o.chain} ${body}`);
    } else if (o.chain === 'all') {
      lines.push('-F');
      want.A = [];
      want.B = [];
    } else {
      lines.push(`-F ${o.chain}`);
      want[o.chain] = [];
    }
  });
  lines.push('COMMIT', '');
  return { text: lines.join('\n'), want };
}

test('rules stay in iptables order however appends, inserts and flushes interleave', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const { text, want } = render(ops);
      for (const lazy of [true, false]) {
        const chains = parseIptablesSave(text, { file: 's.txt', lazy }).tables.get('filter')!.chains;
        for (const name of ['A', 'B'] as const) {
          const c = chains.get(name)!;
          expect(c.size).toBe(want[name].length);
          // Rule text as iptables-save shows it (an inserted rule keeps its -I spelling in raw).
          expect(c.rules.map((r) => r.raw.replace(/^-I (\S+) \d+ /, '-A $1 '))).toEqual(want[name]);
          expect(c.rules.map((r) => r.position)).toEqual(want[name].map((_, i) => i + 1));
        }
      }
    }),
    { numRuns: 500, seed: 20261121 },
  );
});

test('a rule read lazily points at its own line', () => {
  const { text } = render([{ kind: 'append', chain: 'A', counters: false }, { kind: 'append', chain: 'B', counters: true }, { kind: 'append', chain: 'A', counters: false }]);
  const a = parseIptablesSave(text, { file: 's.txt', lazy: true }).tables.get('filter')!.chains.get('A')!;
  expect(a.rules.map((r) => r.loc.line)).toEqual([7, 9]);
});

test('-X forgets the chain: a re-declared chain starts empty, and without one -A is an error', () => {
  const head = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':FOO - [0:0]', '-A FOO -j ACCEPT', '-X FOO'];
  const again = parseIptablesSave([...head, ':FOO - [0:0]', '-A FOO -j DROP', 'COMMIT', ''].join('\n'), { file: 'x.txt' });
  expect(again.tables.get('filter')!.chains.get('FOO')!.rules.map((r) => r.target.kind)).toEqual(['drop']);
  let err: unknown;
  try {
    parseIptablesSave([...head, '-A FOO -j DROP', 'COMMIT', ''].join('\n'), { file: 'x.txt' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KpathError);
  expect((err as KpathError).code).toBe('E_IPT_UNKNOWN_CHAIN');
  expect((err as KpathError).loc).toMatchObject({ line: 8 });
});

test('a tab after the chain name splits words as iptables-restore does', () => {
  const text = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':FOO\t- [0:0]', '-A FOO\t-s 10.0.0.1/32 -j DROP', '-A FOO -j ACCEPT', 'COMMIT', ''].join('\n');
  const foo = parseIptablesSave(text, { file: 't.txt', lazy: true }).tables.get('filter')!.chains.get('FOO')!;
  expect(foo.rules.map((r) => r.target.kind)).toEqual(['drop', 'accept']);
});
