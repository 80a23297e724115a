import { readFileSync } from 'node:fs';

/** Reads fixtures/host/NAME; returns the text and the repo-relative path errors should name. */
export function hostFixture(name: string): { text: string; file: string } {
  const file = `fixtures/host/${name}`;
  return { text: readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'), file };
}
