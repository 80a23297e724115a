import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseIp } from '../../../src/netfilter/cidr.js';
import { KpathError } from '../../../src/errors.js';
import { indexIpsets, parseIpset, testSet } from '../../../src/netfilter/ipset/index.js';
import { fixtureText } from './fixture.js';

/** One edit of a dump: characters or whitespace-separated tokens deleted, duplicated, swapped or inserted. */
type Mutation =
  | { kind: 'delete-chars'; at: number; len: number }
  | { kind: 'duplicate-chars'; at: number; len: number }
  | { kind: 'swap-chars'; at: number }
  | { kind: 'insert-char'; at: number; ch: string }
  | { kind: 'delete-token'; at: number }
  | { kind: 'duplicate-token'; at: number }
  | { kind: 'swap-tokens'; at: number; with: number };

const INSERTABLE = [...' \t\n",:/-.0123456789abcdefx[]#'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete-chars' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('duplicate-chars' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('swap-chars' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert-char' as const), at: fc.nat(), ch: fc.constantFrom(...INSERTABLE) }),
  fc.record({ kind: fc.constant('delete-token' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-token' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-tokens' as const), at: fc.nat(), with: fc.nat() }),
);

function apply(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'delete-chars': return text.slice(0, at) + text.slice(at + m.len);
    case 'duplicate-chars': return text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
    case 'swap-chars': return text.slice(0, at) + text.slice(at + 1, at + 2) + text.slice(at, at + 1) + text.slice(at + 2);
    case 'insert-char': return text.slice(0, at) + m.ch + text.slice(at);
    default: {
      const parts = text.split(/( +|\n)/); // keeps separators at odd indexes
      const words = parts.map((_, i) => i).filter((i) => i % 2 === 0 && parts[i] !== '');
      if (words.length === 0) return text;
      const i = words[m.at % words.length]!;
      if (m.kind === 'delete-token') parts[i] = '';
      else if (m.kind === 'duplicate-token') parts[i] = `${parts[i]!} ${parts[i]!}`;
      else {
        const j = words[m.with % words.length]!;
        [parts[i], parts[j]] = [parts[j]!, parts[i]!];
      }
      return parts.join('');
    }
  }
}

const PROBE = { family: 4 as const, proto: 6, src: parseIp('10.244.1.5')!, dst: parseIp('10.96.0.10')!, sport: 40000, dport: 53, iif: '', oif: 'eth0' };

describe.each(['kube-proxy-save.txt', 'kube-proxy-list.txt', 'membership-save.txt', 'membership-list.txt', 'extras-save.txt'])('mutated %s', (name) => {
  const original = fixtureText(name);
  test('parses or throws a located KpathError; what parses can be looked up', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const text = ms.reduce(apply, original);
        let sets;
        try {
          sets = parseIpset(text, name);
        } catch (err) {
          expect(err).toBeInstanceOf(KpathError);
          const loc = (err as KpathError).loc;
          expect(loc?.file).toBe(name);
          expect(loc?.line).toBeGreaterThanOrEqual(1);
          expect(loc?.column).toBeGreaterThanOrEqual(1);
          return;
        }
        const index = indexIpsets(sets);
        for (const set of sets.keys()) {
          for (const dirs of [['dst'], ['dst', 'dst'], ['dst', 'dst', 'src']] as const) testSet(index, set, dirs, PROBE);
        }
      }),
      { numRuns: 400, seed: 20_251_121 },
    );
  });
});
