// Runs the built CLI (bin/kpath.js) the way people and scripts do: no colours, stdout, stderr and
// the exit code returned together. Needs `npm run build` (npm test does it first).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export function kpath(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/kpath.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The bundled scenario snapshots that carry an expectations file, by name. */
export function fixturesWithExpectations(): string[] {
  const root = 'fixtures/snapshots';
  return readdirSync(root).filter((d) => existsSync(`${root}/${d}/kpath-expect.yaml`)).sort();
}
