import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatKpathError, KpathError } from '../../../src/errors.js';
import { parseIptablesSave } from '../../../src/netfilter/iptables/parse.js';

const dir = 'fixtures/iptables';
const bad = readdirSync(dir).filter((f) => f.startsWith('bad-')).sort();

describe('fixtures/iptables/bad-*.txt fail with a positioned error', () => {
  test('there are bad fixtures', () => expect(bad.length).toBeGreaterThan(3));
  test.each(bad)('%s', async (f) => {
    const file = `${dir}/${f}`;
    let err: unknown;
    try {
      parseIptablesSave(readFileSync(file, 'utf8'), { file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KpathError);
    const k = err as KpathError;
    expect(k.loc?.file).toBe(file);
    await expect(`${formatKpathError(k)}\n`).toMatchFileSnapshot(`../../golden/errors/${f}`);
  });
});
