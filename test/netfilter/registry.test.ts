import { readdirSync } from 'node:fs';
import { expect, test } from 'vitest';
import * as registry from '../../src/netfilter/registry.js';

test('every file in matches/ and targets/ is registered', async () => {
  const registered = new Set<unknown>([...Object.values(registry.MATCH_FAMILIES), ...Object.values(registry.TARGET_FAMILIES)]);
  for (const dir of ['matches', 'targets']) {
    for (const f of readdirSync(`src/netfilter/${dir}`).filter((x) => x.endsWith('.ts') && x !== 'nat-range.ts')) {
      const mod = (await import(`../../src/netfilter/${dir}/${f.slice(0, -3)}.ts`)) as Record<string, unknown>;
      const families = Object.values(mod).filter((v) => typeof v === 'object' && v !== null && ('modules' in v || 'names' in v));
      expect(families.length, `${dir}/${f} exports a family`).toBeGreaterThan(0);
      for (const fam of families) expect(registered.has(fam), `${dir}/${f} is in registry.ts`).toBe(true);
    }
  }
});

test('no -m module name or -j target name is claimed twice', () => {
  const mods = Object.values(registry.MATCH_FAMILIES).flatMap((f) => f.modules);
  expect(new Set(mods).size).toBe(mods.length);
  const names = Object.values(registry.TARGET_FAMILIES).flatMap((f) => f.names);
  expect(new Set(names).size).toBe(names.length);
});
