import type { MatchFamily, TargetFamily } from './family.js';
import { addrMatch } from './matches/addr.js';
import { addrtypeMatch } from './matches/addrtype.js';
import { commentMatch } from './matches/comment.js';
import { conntrackMatch } from './matches/conntrack.js';
import { fragmentMatch } from './matches/fragment.js';
import { icmpMatch } from './matches/icmp.js';
import { ifaceMatch } from './matches/iface.js';
import { macMatch } from './matches/mac.js';
import { markMatch } from './matches/mark.js';
import { multiportMatch } from './matches/multiport.js';
import { nfacctMatch } from './matches/nfacct.js';
import { physdevMatch } from './matches/physdev.js';
import { portMatch } from './matches/port.js';
import { protoMatch } from './matches/proto.js';
import { recentMatch } from './matches/recent.js';
import { setMatch } from './matches/set.js';
import { statisticMatch } from './matches/statistic.js';
import { connmarkTarget } from './targets/connmark.js';
import { dnatTarget } from './targets/dnat.js';
import { logTarget } from './targets/log.js';
import { markTarget } from './targets/mark.js';
import { masqueradeTarget } from './targets/masquerade.js';
import { notrackTarget } from './targets/notrack.js';
import { redirectTarget } from './targets/redirect.js';
import { rejectTarget } from './targets/reject.js';
import { snatTarget } from './targets/snat.js';
import { verdictTarget } from './targets/verdict.js';
import type { Match } from './model.js';

/** Every match family, by the kind it produces: the one place a family is listed. */
export const MATCH_FAMILIES = {
  addr: addrMatch,
  proto: protoMatch,
  iface: ifaceMatch,
  fragment: fragmentMatch,
  port: portMatch,
  multiport: multiportMatch,
  comment: commentMatch,
  mark: markMatch,
  set: setMatch,
  addrtype: addrtypeMatch,
  statistic: statisticMatch,
  recent: recentMatch,
  conntrack: conntrackMatch,
  physdev: physdevMatch,
  icmp: icmpMatch,
  mac: macMatch,
  nfacct: nfacctMatch,
} satisfies { [K in Exclude<Match['kind'], 'unmodelled'>]: MatchFamily<K> };

/** Every target family; jumps to user chains and -g are handled by the parser itself. */
export const TARGET_FAMILIES = {
  verdict: verdictTarget,
  reject: rejectTarget,
  dnat: dnatTarget,
  snat: snatTarget,
  masquerade: masqueradeTarget,
  redirect: redirectTarget,
  mark: markTarget,
  connmark: connmarkTarget,
  log: logTarget,
  notrack: notrackTarget,
} satisfies Record<string, TargetFamily>;

/** Core options (-s, -p, -i …) → the family that parses them. */
export const CORE_OPTION_FAMILIES: ReadonlyMap<string, MatchFamily> = new Map(
  [addrMatch, protoMatch, ifaceMatch, fragmentMatch].flatMap((f) => Object.keys(f.options).map((o) => [o, f as MatchFamily] as const)),
);

/** `-m NAME` → family. */
export const MODULE_FAMILIES: ReadonlyMap<string, MatchFamily> = new Map(
  Object.values(MATCH_FAMILIES).flatMap((f) => f.modules.map((m) => [m, f as MatchFamily] as const)),
);

/** `-j NAME` → family (built-in and extension targets; anything else is a user chain or unmodelled). */
export const TARGET_NAMES: ReadonlyMap<string, TargetFamily> = new Map(
  Object.values(TARGET_FAMILIES).flatMap((f) => f.names.map((n) => [n, f] as const)),
);
