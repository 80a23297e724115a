import type { IpsetMap } from '../model.js';
import { parseIpsetList } from './list.js';
import { parseIpsetSave } from './save.js';
import { ipsetError, type Line } from './tokens.js';

/**
 * Parses `ipset save` or `ipset list` output (told apart by the first line that is not blank or a
 * `#` comment) into sets keyed by name. Throws a KpathError with file:line:column on text it cannot
 * read; types it reads but cannot look up come back with `unmodelled` set.
 */
export function parseIpset(text: string, file: string): IpsetMap {
  const lines: Line[] = text.split('\n').map((t, i) => ({ file, line: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
  const first = lines.find((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'));
  if (!first) return new Map();
  const head = first.text.trimStart();
  if (head.startsWith('Name:')) return parseIpsetList(lines);
  if (/^(create|add)\s/.test(head)) return parseIpsetSave(lines);
  const column = first.text.length - head.length + 1;
  throw ipsetError('E_IPSET_BAD_LINE', 'this is neither `ipset save` nor `ipset list` output', first,
    { column, token: head.split(/\s+/)[0] ?? '' }, 'capture `ipset save` (preferred) or `ipset list`');
}
