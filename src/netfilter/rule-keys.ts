import { parseCidr } from './cidr.js';
import type { Match, RuleKeys } from './model.js';

const NONE: RuleKeys = {};

/**
 * Index keys of a parsed rule: its one exact, non-negated destination address, else its one exact
 * destination port (a chain index files a rule under its address first, so the port is not
 * needed when there is an address).
 */
export function ruleKeysFromMatches(matches: readonly Match[]): RuleKeys {
  let dst: string | undefined;
  let dport: number | undefined;
  for (const m of matches) {
    if (m.kind === 'addr' && m.field === 'dst' && !m.negated && m.cidr.prefix === (m.cidr.family === 4 ? 32 : 128)) {
      dst = `${m.cidr.family}:${m.cidr.value}`;
    } else if (m.kind === 'port' && m.dport && !m.dport.negated && m.dport.range.from === m.dport.range.to) {
      dport = m.dport.range.from;
    }
  }
  if (dst !== undefined) return { dst };
  return dport === undefined ? NONE : { dport };
}

const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const CORE_END = /\s-[mjg]\s/;
const CORE_DST = /(?:^|\s)(!\s+)?(?:-d|--destination|--dst)\s+(\S+)/;
// Only the exact shape iptables-save prints for a port match, so that the key means what the
// parsed match would mean: `-m tcp [--sport P] --dport N` followed by another option or the end.
const PORT = /\s-m\s+(?:tcp|udp|sctp)\s+(?:--sport\s+\d+(?::\d+)?\s+)?--dport\s+(\d+)(?=\s+-[mjg]\s|\s*$)/;

/**
 * Index keys read from an `-A CHAIN …` line without parsing it, for lazily parsed dumps: the same
 * keys as ruleKeysFromMatches gives for the parsed rule, or none where the text leaves any doubt
 * (then the rule is checked in full). The core -d option always precedes the first -m/-j/-g, and
 * no quoted text can come before that (quotes are option values of modules); port options are
 * read with quoted comments blanked.
 */
export function ruleKeysFromText(line: string): RuleKeys {
  let m = CORE_END.exec(line);
  let text = line;
  if (m && line.lastIndexOf('"', m.index) >= 0) {
    text = line.replace(QUOTED, '""');
    m = CORE_END.exec(text);
  }
  const core = m ? text.slice(0, m.index) : text;
  const d = CORE_DST.exec(core);
  if (d && !d[1]) {
    const c = parseCidr(d[2]!);
    if (c && c.prefix === (c.family === 4 ? 32 : 128)) return { dst: `${c.family}:${c.value}` };
  }
  if (text === line && line.includes('"')) text = line.replace(QUOTED, '""');
  const p = PORT.exec(text);
  const dport = p && !/!\s+$/.test(text.slice(0, p.index + 1)) ? Number(p[1]) : undefined;
  return dport !== undefined && dport <= 65535 ? { dport } : NONE;
}
