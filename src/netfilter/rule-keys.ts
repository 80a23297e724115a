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

// Blanks and quoting exactly as the iptables-save lexer reads them (lexer.ts): words are split at
// space, tab and CR only, and inside "…" a backslash takes the next character, whatever it is.
const QUOTED = /"(?:[^"\\]|\\[^])*"/g;
const CORE_END = /[ \t\r]-[mjg][ \t\r]/;
const CORE_DST = /(?:^|[ \t\r])(![ \t\r]+)?(?:-d|--destination|--dst)[ \t\r]+([^ \t\r]+)/;
// Only the exact shape iptables-save prints for a port match, so that the key means what the
// parsed match would mean: `-m tcp [--sport P] --dport N` followed by another option or the end.
const PORT = /[ \t\r]-m[ \t\r]+(?:tcp|udp|sctp)[ \t\r]+(?:--sport[ \t\r]+\d+(?::\d+)?[ \t\r]+)?--dport[ \t\r]+(\d+)(?=[ \t\r]+-[mjg][ \t\r]|[ \t\r]*$)/;
const NEGATED_BEFORE = /![ \t\r]+$/;

/**
 * Index keys read from an `-A CHAIN …` line without parsing it, for lazily parsed dumps: the same
 * keys as ruleKeysFromMatches gives for the parsed rule, or none where the text leaves any doubt
 * (then the rule is checked in full). Quoted words are blanked first (a line whose quotes do not
 * pair gives no key: its parse fails, and that must be reported when a packet reaches it); the core
 * -d option is read before the first -m/-j/-g.
 */
export function ruleKeysFromText(line: string): RuleKeys {
  const host = leadingHostDst(line);
  if (host !== undefined) return { dst: host };
  let text = line;
  if (line.includes('"')) {
    text = line.replace(QUOTED, '""');
    if (text.replace(/""/g, '').includes('"')) return NONE;
  }
  const m = CORE_END.exec(text);
  const core = m ? text.slice(0, m.index) : text;
  const d = CORE_DST.exec(core);
  if (d && !d[1]) {
    const c = parseCidr(d[2]!);
    if (c && c.prefix === (c.family === 4 ? 32 : 128)) return { dst: `${c.family}:${c.value}` };
  }
  const p = PORT.exec(text);
  const dport = p && !NEGATED_BEFORE.test(text.slice(0, p.index + 1)) ? Number(p[1]) : undefined;
  return dport !== undefined && dport <= 65535 ? { dport } : NONE;
}

/**
 * The key of `-A CHAIN -d A.B.C.D/32 …` (kube-proxy's shape for every Service address rule),
 * read without regular expressions; undefined for any other shape. The address is read as
 * parseIp reads it (1–3 digits per part, each at most 255).
 */
function leadingHostDst(line: string): string | undefined {
  if (!line.startsWith('-A ')) return undefined;
  const sp = line.indexOf(' ', 3);
  if (sp < 0 || !line.startsWith(' -d ', sp)) return undefined;
  for (let k = 3; k < sp; k++) {
    const c = line.charCodeAt(k);
    if (c === 9 || c === 13 || c === 34 /* " */) return undefined; // a chain name is one plain word
  }
  let p = sp + 4;
  let v = 0;
  for (let part = 0; part < 4; part++) {
    let x = 0;
    let digits = 0;
    for (let c = line.charCodeAt(p); digits < 3 && c >= 48 && c <= 57; c = line.charCodeAt(p)) {
      x = x * 10 + c - 48;
      p++;
      digits++;
    }
    if (digits === 0 || x > 255) return undefined;
    v = v * 256 + x;
    if (part < 3 && line.charCodeAt(p++) !== 46 /* . */) return undefined;
  }
  return line.startsWith('/32 ', p) ? `4:${v}` : undefined;
}
