import type { IpsetMap } from '../model.js';
import { finishDraft, newDraft, type SetDraft } from './create.js';
import { parseEntry } from './entry.js';
import { ipsetError, locOf, tokenize, type Line } from './tokens.js';

/**
 * Reads `ipset save` output: `create NAME TYPE OPTIONS…` then `add NAME ELEMENT OPTIONS…` lines.
 * Blank lines and `#` comments are skipped, as `ipset restore` skips them.
 */
export function parseIpsetSave(lines: readonly Line[]): IpsetMap {
  const drafts = new Map<string, SetDraft>();
  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const toks = tokenize(line);
    const cmd = toks[0]!;
    if (cmd.text !== 'create' && cmd.text !== 'add') {
      throw ipsetError('E_IPSET_BAD_LINE', `"${cmd.text}" is not a line ipset save writes`, line, { column: cmd.column, token: cmd.text },
        'ipset save writes only create and add lines');
    }
    const nameTok = toks[1];
    const arg = toks[2];
    if (!nameTok || !arg) {
      const end = line.text.trimEnd().length + 1;
      throw ipsetError('E_IPSET_BAD_LINE', `${cmd.text} wants ${cmd.text === 'create' ? 'NAME TYPE' : 'NAME ELEMENT'}`, line, { column: end, token: '' });
    }
    if (cmd.text === 'create') {
      if (drafts.has(nameTok.text)) {
        throw ipsetError('E_IPSET_DUPLICATE_SET', `set ${nameTok.text} is created twice`, line, { column: nameTok.column, token: nameTok.text });
      }
      drafts.set(nameTok.text, newDraft(nameTok.text, { tok: arg, line }, { toks: toks.slice(3), line }, locOf(line, cmd.column)));
      continue;
    }
    const set = drafts.get(nameTok.text);
    if (!set) {
      throw ipsetError('E_IPSET_UNKNOWN_SET', `add to set ${nameTok.text}, which no create line made`, line, { column: nameTok.column, token: nameTok.text });
    }
    set.entries.push(parseEntry(set, toks.slice(2), line));
  }
  return new Map([...drafts].map(([name, d]) => [name, finishDraft(d)]));
}
