// Reads parser fixtures by their repository-relative name, so error locations and goldens stay stable.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIpset } from '../../../src/netfilter/ipset/index.js';
import type { IpsetMap } from '../../../src/netfilter/model.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The text of fixtures/ipset/NAME. */
export function fixtureText(name: string): string {
  return readFileSync(`${ROOT}fixtures/ipset/${name}`, 'utf8');
}

/** The absolute path of fixtures/ipset/NAME. */
export function fixturePath(name: string): string {
  return `${ROOT}fixtures/ipset/${name}`;
}

/** Parses fixtures/ipset/NAME, naming it by its repository-relative path. */
export function loadFixture(name: string): IpsetMap {
  return parseIpset(fixtureText(name), `fixtures/ipset/${name}`);
}
