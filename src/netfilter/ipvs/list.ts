import type { IpvsForward, IpvsService } from './model.js';
import { addService, type ServiceDraft, type ServiceDrafts, type ServiceId } from './table.js';
import {
  endOf, ipvsError, locOf, MAX_TIMEOUT, MAX_WEIGHT, parseAddrPort, parseCount, parseFwmark, parseNetmask, parseSchedFlags,
  slice, tokenize, type Line, type Token,
} from './tokens.js';

// `ipvsadm -Ln` (ipvsadm 1.31, list_all / print_title / print_service_entry):
//   IP Virtual Server version 1.2.1 (size=4096)
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
//   TCP  10.233.36.144:80 rr                       "%-4s %s" then " %s" scheduler
//   TCP  172.19.100.2:80 sh (sh-fallback,sh-port) persistent 10800 mask 255.255.255.0 pe sip ops
//   FWM  1 rr            FWM  1 IPv6 rr
//     -> 10.233.98.39:80              Masq    1      0          0     "  -> %-28s %-7s %-6d %-10u %-10u"
// With --tun-info a TunnelInfo column follows Forward. --stats, --rate, --thresholds and
// --persistent-conn print other columns and are not read.

const VERSION_RE = /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/;
const TITLE = 'Prot LocalAddress:Port Scheduler Flags';
const FORWARDS: readonly IpvsForward[] = ['Masq', 'Route', 'Tunnel', 'Local'];
const PROTOCOLS: Readonly<Record<string, IpvsService['protocol']>> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp', FWM: 'fwmark' };

/** Reading state: the service real servers attach to, and whether rows carry a TunnelInfo column. */
interface ListState {
  current?: ServiceDraft;
  hasTunnelInfo: boolean;
}

function readTitle(line: Line, toks: readonly Token[], state: ListState): boolean {
  const text = line.text.trim();
  if (VERSION_RE.test(text) || text === TITLE) return true;
  if (text.startsWith('Prot LocalAddress:Port')) {
    throw ipvsError('E_IPVS_BAD_LINE', 'this is an ipvsadm listing with statistics or other extra columns', line, toks[0]!,
      'capture plain `ipvsadm -Ln` (without --stats, --rate, --thresholds or --persistent-conn)');
  }
  if (toks[0]?.text === '->' && toks[1]?.text === 'RemoteAddress:Port') {
    state.hasTunnelInfo = toks[3]?.text === 'TunnelInfo';
    return true;
  }
  return false;
}

/** Reads `persistent N`, `mask M`, `pe NAME`, `(flags)` and `ops` after the scheduler. */
function readServiceFlags(rest: readonly Token[], line: Line, id: ServiceId, scheduler: string): Partial<ServiceDraft> {
  let persistent: number | undefined;
  let netmask: string | undefined;
  let persistenceEngine: string | undefined;
  let schedFlags: string[] = [];
  let ops = false;
  const seen = new Set<string>();
  let i = 0;
  const value = (after: Token): Token => {
    const v = rest[i++];
    if (!v) throw ipvsError('E_IPVS_BAD_VALUE', `${after.text} wants a value`, line, endOf(line));
    return v;
  };
  while (i < rest.length) {
    const tok = rest[i++]!;
    const word = tok.text.startsWith('(') ? '(' : tok.text;
    if (seen.has(word)) throw ipvsError('E_IPVS_BAD_LINE', `"${tok.text}" appears twice`, line, tok);
    seen.add(word);
    if (word === '(') {
      if (!tok.text.endsWith(')') || tok.text.length < 3) {
        throw ipvsError('E_IPVS_BAD_VALUE', 'scheduler flags are printed as (flag,flag)', line, tok);
      }
      schedFlags = parseSchedFlags(slice(tok, 1, tok.text.length - 1), line, scheduler);
    } else if (word === 'persistent') {
      persistent = parseCount(value(tok), line, 'persistent (timeout)', 1, MAX_TIMEOUT);
    } else if ((word === 'mask' || word === 'pe') && persistent === undefined) {
      throw ipvsError('E_IPVS_BAD_LINE', `"${word}" is printed only after "persistent N"`, line, tok);
    } else if (word === 'mask') {
      netmask = parseNetmask(value(tok), line, id.family);
    } else if (word === 'pe') {
      persistenceEngine = value(tok).text;
    } else if (word === 'ops') {
      ops = true;
    } else {
      throw ipvsError('E_IPVS_BAD_LINE', `"${tok.text}" is not a service flag ipvsadm prints`, line, tok,
        'after the scheduler come (flags), persistent N, mask M, pe NAME and ops');
    }
  }
  return {
    ...(persistent !== undefined ? { persistent } : {}),
    ...(netmask !== undefined ? { netmask } : {}),
    ...(persistenceEngine !== undefined ? { persistenceEngine } : {}),
    flags: [...schedFlags, ...(ops ? ['ops'] : [])],
  };
}

function readService(line: Line, toks: readonly Token[], drafts: ServiceDrafts): ServiceDraft {
  const protocol = PROTOCOLS[toks[0]!.text]!;
  const target = toks[1];
  if (!target) throw ipvsError('E_IPVS_BAD_LINE', `${toks[0]!.text} wants an address or mark`, line, endOf(line));
  let id: ServiceId;
  let next = 2;
  if (protocol === 'fwmark') {
    const isV6 = toks[2]?.text === 'IPv6';
    if (isV6) next = 3;
    id = { protocol, fwmark: parseFwmark(target, line), family: isV6 ? 6 : 4 };
  } else {
    const ap = parseAddrPort(target, line, `${toks[0]!.text} service`);
    id = { protocol, address: ap.address, port: ap.port, family: ap.family };
  }
  const sched = toks[next];
  if (!sched) throw ipvsError('E_IPVS_BAD_LINE', 'the service line has no scheduler', line, endOf(line));
  const draft: ServiceDraft = {
    ...id, scheduler: sched.text, flags: [], ...readServiceFlags(toks.slice(next + 1), line, id, sched.text),
    realServers: [], loc: locOf(line, toks[0]!.column),
  };
  addService(drafts, draft, line, target);
  return draft;
}

function readRealServer(line: Line, toks: readonly Token[], state: ListState): void {
  const arrow = toks[0]!;
  if (!state.current) {
    throw ipvsError('E_IPVS_BAD_LINE', 'a real server before any virtual service line', line, arrow);
  }
  const want = state.hasTunnelInfo ? 7 : 6;
  const addr = toks[1];
  if (!addr) throw ipvsError('E_IPVS_BAD_LINE', '-> wants ADDR:PORT', line, endOf(line));
  const ap = parseAddrPort(addr, line, 'real server');
  const fwd = toks[2];
  if (!fwd || !FORWARDS.includes(fwd.text as IpvsForward)) {
    throw ipvsError('E_IPVS_BAD_VALUE', `forwarding method is Masq, Route, Tunnel or Local, got "${fwd?.text ?? ''}"`, line, fwd ?? endOf(line));
  }
  const nums = toks.slice(want - 3, want);
  if (toks.length < want) throw ipvsError('E_IPVS_BAD_LINE', 'a real-server row has Weight, ActiveConn and InActConn', line, endOf(line));
  if (toks.length > want) throw ipvsError('E_IPVS_BAD_LINE', `unexpected "${toks[want]!.text}" after InActConn`, line, toks[want]!);
  state.current.realServers.push({
    address: ap.address, port: ap.port, forward: fwd.text as IpvsForward,
    weight: parseCount(nums[0]!, line, 'Weight', 0, MAX_WEIGHT),
    activeConn: parseCount(nums[1]!, line, 'ActiveConn', 0, 0xffffffff),
    inactConn: parseCount(nums[2]!, line, 'InActConn', 0, 0xffffffff),
    loc: locOf(line, arrow.column),
  });
}

/** Reads `ipvsadm -Ln` lines into drafts; blank lines are skipped. */
export function readIpvsadmList(lines: readonly Line[], drafts: ServiceDrafts): void {
  const state: ListState = { hasTunnelInfo: false };
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    const toks = tokenize(line);
    if (readTitle(line, toks, state)) continue;
    const first = toks[0]!;
    if (first.text === '->') readRealServer(line, toks, state);
    else if (Object.hasOwn(PROTOCOLS, first.text)) state.current = readService(line, toks, drafts);
    else {
      throw ipvsError('E_IPVS_BAD_LINE', `"${first.text}" does not start a line of ipvsadm -Ln`, line, first,
        'service rows start with TCP, UDP, SCTP or FWM; real-server rows with ->');
    }
  }
}
