import { expect, test } from 'vitest';
import { mapLimit } from '../../src/capture/pool.js';

test('mapLimit keeps the order and never runs more than the limit at once', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, x * 3));
    running--;
    return `${i}:${x}`;
  });
  expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
  expect(most).toBe(3);
});

test('mapLimit over nothing resolves to nothing', async () => {
  expect(await mapLimit([], 4, async () => 1)).toEqual([]);
});
