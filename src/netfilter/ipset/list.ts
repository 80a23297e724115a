import type { Ipset, IpsetMap } from '../model.js';
import { finishDraft, newDraft, type SetDraft } from './create.js';
import { parseEntry } from './entry.js';
import { ipsetError, locOf, tokenize, type Line, type Token } from './tokens.js';

/** The `Key: value` lines of one set in `ipset list` output, gathered before `Members:`. */
interface ListedSet {
  readonly nameLine: Line;
  readonly name: Token;
  type?: { line: Line; tok: Token };
  header?: { line: Line; toks: Token[] };
  count?: { line: Line; value: number };
  draft?: SetDraft;
}

const FIELD_RE = /^([A-Z][A-Za-z ]*):(?: (.*))?$/;

/**
 * Reads `ipset list` output: per set `Name:`, `Type:`, `Revision:`, `Header:`, `Size in memory:`,
 * `References:`, `Number of entries:` (absent in old ipset), `Members:`, one element per line, and a
 * blank line between sets. Unknown `Key: value` lines are skipped. A set listed without `Members:`
 * (`ipset list -t`) is kept but marked unmodelled, since its elements were not dumped.
 */
export function parseIpsetList(lines: readonly Line[]): IpsetMap {
  const sets = new Map<string, Ipset>();
  let cur: ListedSet | undefined;
  let inMembers = false;
  const close = () => {
    if (cur) sets.set(cur.name.text, finishListed(cur));
    cur = undefined;
    inMembers = false;
  };
  for (const line of lines) {
    if (line.text.trim() === '') { close(); continue; }
    if (inMembers && cur?.draft) {
      cur.draft.entries.push(parseEntry(cur.draft, tokenize(line), line));
      continue;
    }
    const m = FIELD_RE.exec(line.text);
    const key = m?.[1];
    const valueCol = (key?.length ?? 0) + 3;
    if (key === 'Name') {
      close();
      const name = tokenize(line, valueCol - 1)[0];
      if (!name) throw ipsetError('E_IPSET_BAD_LINE', 'Name: without a set name', line, { column: valueCol, token: '' });
      if (sets.has(name.text)) throw ipsetError('E_IPSET_DUPLICATE_SET', `set ${name.text} is listed twice`, line, { column: name.column, token: name.text });
      cur = { nameLine: line, name };
      continue;
    }
    if (!m || !cur) {
      throw ipsetError('E_IPSET_BAD_LINE', cur ? 'expected a "Key: value" line or Members:' : 'expected "Name: SET"', line,
        { column: 1, token: line.text.trim().split(/\s+/)[0] ?? '' });
    }
    if (key === 'Type') {
      const tok = tokenize(line, valueCol - 1)[0];
      if (!tok) throw ipsetError('E_IPSET_BAD_LINE', 'Type: without a type', line, { column: valueCol, token: '' });
      cur.type = { line, tok };
    } else if (key === 'Header') {
      cur.header = { line, toks: tokenize(line, valueCol - 1) };
    } else if (key === 'Number of entries') {
      const v = (m[2] ?? '').trim();
      if (!/^\d+$/.test(v)) throw ipsetError('E_IPSET_BAD_LINE', 'Number of entries: wants a number', line, { column: valueCol, token: v });
      cur.count = { line, value: Number(v) };
    } else if (key === 'Members') {
      cur.draft = draftOf(cur, line);
      inMembers = true;
    }
  }
  close();
  return sets;
}

function draftOf(cur: ListedSet, at: Line): SetDraft {
  if (!cur.type) {
    throw ipsetError('E_IPSET_BAD_LINE', `set ${cur.name.text} has no Type: line before this`, at, { column: 1, token: at.text.trim() });
  }
  return newDraft(cur.name.text, cur.type, cur.header ?? { line: cur.type.line, toks: [] }, locOf(cur.nameLine, 1));
}

function finishListed(cur: ListedSet): Ipset {
  if (!cur.draft) {
    const d = draftOf(cur, cur.nameLine);
    return { ...finishDraft(d), unmodelled: 'the listing has no Members: section (ipset list -t?), so the elements are not known' };
  }
  const n = cur.draft.entries.length;
  if (cur.count && cur.count.value !== n) {
    throw ipsetError('E_IPSET_ENTRY_COUNT', `set ${cur.name.text} says ${cur.count.value} entries but lists ${n}`, cur.count.line,
      { column: 'Number of entries: '.length + 1, token: String(cur.count.value) }, 'the listing looks cut short or edited');
  }
  return finishDraft(cur.draft);
}
