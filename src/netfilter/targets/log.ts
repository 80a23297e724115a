import type { TargetFamily } from '../family.js';

/**
 * Targets that only observe or touch fields kpath does not trace (logging, checksum, MSS, TOS):
 * the packet continues with the next rule unchanged in address, port and mark.
 */
export const logTarget: TargetFamily = {
  names: ['LOG', 'NFLOG', 'ULOG', 'TRACE', 'CHECKSUM', 'TCPMSS', 'DSCP', 'TOS', 'AUDIT'],
  options: {
    'log-level': 1, 'log-prefix': 1, 'log-tcp-sequence': 0, 'log-tcp-options': 0, 'log-ip-options': 0, 'log-uid': 0, 'log-macdecode': 0,
    'nflog-group': 1, 'nflog-prefix': 1, 'nflog-range': 1, 'nflog-size': 1, 'nflog-threshold': 1,
    'checksum-fill': 0, 'set-mss': 1, 'clamp-mss-to-pmtu': 0, 'set-dscp': 1, 'set-dscp-class': 1,
    'set-tos': 1, 'and-tos': 1, 'or-tos': 1, 'xor-tos': 1, type: 1,
  },
  parse(name, opts) {
    return { kind: 'log', name, args: opts.flatMap((o) => [`--${o.name}`, ...o.args]) };
  },
};
