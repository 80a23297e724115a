import { expect, test } from 'vitest';
import { startPhase } from '../../src/capture/progress.js';

test('a phase prints its start, a count every tenth, and its end with the time taken', () => {
  const lines: string[] = [];
  let now = 1000;
  const p = startPhase((l) => lines.push(l), 'nodes (100 via kube-proxy)', () => now);
  for (let i = 1; i <= 100; i++) p.step(i, 100);
  now = 3500;
  p.end('100 node(s)');
  expect(lines[0]).toBe('gather: nodes (100 via kube-proxy) …');
  expect(lines.slice(1, -1)).toEqual(Array.from({ length: 10 }, (_, k) => `gather: nodes (100 via kube-proxy) ${k === 0 ? 1 : k * 10}/100`));
  expect(lines.at(-1)).toBe('gather: nodes (100 via kube-proxy) done: 100 node(s) (2.5 s)');
});

test('quiet: no sink, no output, no error', () => {
  const p = startPhase(undefined, 'aws');
  p.step(1, 2);
  p.end('x');
});
