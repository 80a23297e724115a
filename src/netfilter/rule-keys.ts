import { parseCidr } from './cidr.js';
import type { Match, RuleKeys } from './model.js';

const NONE: RuleKeys = {};

/** Index keys of a parsed rule: its one exact, non-negated destination address or port. */
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
  return dst === undefined && dport === undefined ? NONE : { dst, dport };
}

const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const CORE_DST = /(?:^|\s)(!\s+)?(?:-d|--destination|--dst)\s+(\S+)/;
// Only the exact shape iptables-save prints for a port match, so that the key means what the
// parsed match would mean: `-m tcp [--sport P] --dport N` followed by another option or the end.
const PORT = /\s-m\s+(?:tcp|udp|sctp)\s+(?:--sport\s+\d+(?::\d+)?\s+)?--dport\s+(\d+)(?=\s+-[mjg]\s|\s*$)/;

/**
 * Index keys read from an `-A CHAIN …` line without parsing it, for lazily parsed dumps. A key
 * is given only where the text leaves no doubt (quoted comments are blanked first; the core
 * -d option always precedes the first -m/-j); otherwise none, and the rule is checked in full.
 */
export function ruleKeysFromText(line: string): RuleKeys {
  const text = line.includes('"') ? line.replace(QUOTED, '""') : line;
  const m = /\s-[mjg]\s/.exec(text);
  const core = m ? text.slice(0, m.index) : text;
  let dst: string | undefined;
  const d = CORE_DST.exec(core);
  if (d && !d[1]) {
    const c = parseCidr(d[2]!);
    if (c && c.prefix === (c.family === 4 ? 32 : 128)) dst = `${c.family}:${c.value}`;
  }
  const p = PORT.exec(text);
  const dport = p && !/!\s+$/.test(text.slice(0, p.index + 1)) ? Number(p[1]) : undefined;
  return dst === undefined && dport === undefined ? NONE : { dst, dport: dport !== undefined && dport <= 65535 ? dport : undefined };
}
