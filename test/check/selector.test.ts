import { describe, expect, test } from 'vitest';
import { matchesLabels, parseLabelSelector } from '../../src/check/selector.js';

const labels = { app: 'traefik', tier: 'edge', 'app.kubernetes.io/name': 'traefik', empty: '' };

describe('parseLabelSelector + matchesLabels', () => {
  const cases = [
    { name: 'equality', sel: 'app=traefik', want: true },
    { name: 'double equals', sel: 'app==traefik', want: true },
    { name: 'several, all must hold', sel: 'app=traefik, tier=edge', want: true },
    { name: 'one fails', sel: 'app=traefik,tier=web', want: false },
    { name: 'inequality of another value', sel: 'tier!=web', want: true },
    { name: 'inequality holds when absent', sel: 'zone!=a', want: true },
    { name: 'inequality fails on equal', sel: 'tier!=edge', want: false },
    { name: 'prefixed key', sel: 'app.kubernetes.io/name=traefik', want: true },
    { name: 'set in', sel: 'tier in (web, edge)', want: true },
    { name: 'set notin', sel: 'tier notin (web,edge)', want: false },
    { name: 'notin holds when absent', sel: 'zone notin (a)', want: true },
    { name: 'exists', sel: 'tier', want: true },
    { name: 'absent', sel: '!canary', want: true },
    { name: 'absent fails when present', sel: '!tier', want: false },
    { name: 'empty value matches an empty label', sel: 'empty=', want: true },
  ];
  test.each(cases)('$name: $sel', ({ sel, want }) => {
    const reqs = parseLabelSelector(sel);
    if ('offset' in reqs) throw new Error(`did not parse: ${reqs.message}`);
    expect(matchesLabels(reqs, labels)).toBe(want);
  });

  const bad = [
    { name: 'empty', sel: '  ', offset: 0 },
    { name: 'no key', sel: '=x', offset: 0 },
    { name: 'missing comma', sel: 'app=a tier=b', offset: 6 },
    { name: 'unclosed set', sel: 'tier in (a,b', offset: 12 },
    { name: 'set without parenthesis', sel: 'tier in a', offset: 8 },
    { name: 'bang without key', sel: '!', offset: 1 },
  ];
  test.each(bad)('rejects $name at its offset', ({ sel, offset }) => {
    const r = parseLabelSelector(sel);
    expect(r).toMatchObject({ offset });
  });
});
