import { canonicalIp, parseIp } from '../netfilter/cidr.js';

/** An original value found in the redacted output. */
export interface Leak {
  readonly file: string;
  readonly kind: 'name' | 'address' | 'id';
  readonly value: string;
  /** Line in the redacted file (for JSON and YAML, of the first occurrence of the value). */
  readonly line: number;
}

const ADDRESS_LIKE = /(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*)(?![\w.:]*\w)/g;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Looks for original values in the redacted files (for JSON and YAML, in their string values:
 * keys are field names). Names, IDs and accounts count as words: bounded by anything but a
 * letter, digit, `_` or `-`, so a namespace `ingress` is not found in `--ingress-class` nor a
 * name in a port name that contains it. Addresses count by value, except those that are the
 * image of another address (the map is a permutation).
 */
export function findLeaks(
  files: readonly { path: string; text: string; search?: string }[],
  originals: { names: ReadonlySet<string>; ids: ReadonlySet<string>; addresses: ReadonlySet<string> },
  produced: { names: ReadonlySet<string>; addresses: ReadonlySet<string> },
): Leak[] {
  const leaks: Leak[] = [];
  const words = [...originals.names, ...originals.ids].filter((w) => w.length >= 3 && !produced.names.has(w)).sort((a, z) => z.length - a.length);
  const wordRe = words.length > 0 ? new RegExp(`(?<![A-Za-z0-9_-])(?:${words.map(escape).join('|')})(?![A-Za-z0-9_-])`, 'g') : undefined;
  for (const f of files) {
    const search = f.search ?? f.text;
    const line = (value: string, at: number): number => {
      if (f.search === undefined) return lineOf(f.text, at);
      const i = f.text.indexOf(value);
      return i < 0 ? 0 : lineOf(f.text, i);
    };
    if (wordRe) {
      for (const m of search.matchAll(wordRe)) {
        leaks.push({ file: f.path, kind: originals.ids.has(m[0]) ? 'id' : 'name', value: m[0], line: line(m[0], m.index ?? 0) });
      }
    }
    for (const m of search.matchAll(ADDRESS_LIKE)) {
      if (!parseIp(m[0])) continue;
      const c = canonicalIp(m[0]);
      if (originals.addresses.has(c) && !produced.addresses.has(c)) leaks.push({ file: f.path, kind: 'address', value: m[0], line: line(m[0], m.index ?? 0) });
    }
  }
  return leaks;
}
