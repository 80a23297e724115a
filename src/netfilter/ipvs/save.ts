import type { IpvsForward, IpvsRealServer } from './model.js';
import { addService, serviceFor, type ServiceDraft, type ServiceDrafts, type ServiceId } from './table.js';
import {
  endOf, ipvsError, locOf, MAX_TIMEOUT, MAX_WEIGHT, parseAddrPort, parseCount, parseFwmark, parseNetmask, parseSchedFlags,
  tokenize, type Line, type Token,
} from './tokens.js';

// `ipvsadm-save -n` (= `ipvsadm -S -n`) prints, per service (ipvsadm 1.31, print_service_entry):
//   -A {-t|-u|--sctp-service} ADDR:PORT | -f MARK [-6]  -s SCHED [-p TIMEOUT [-M MASK]] [--pe NAME] [-o] [-b FLAGS]
//   -a <same service> -r ADDR:PORT {-m|-g|-i} -w WEIGHT [--tun-type T [--tun-port N] [--tun-(no|re)csum]]
// Long option spellings are the ones ipvsadm-restore also accepts.

type Arity = 0 | 1 | 'optional';

interface OptionSpec {
  readonly name: string;
  readonly arity: Arity;
}

const ALIASES: Readonly<Record<string, string>> = {
  '--add-service': '-A', '--add-server': '-a', '--tcp-service': '-t', '--udp-service': '-u', '--fwmark-service': '-f',
  '--ipv6': '-6', '--scheduler': '-s', '--persistent': '-p', '--netmask': '-M', '--ops': '-o', '--sched-flags': '-b',
  '--real-server': '-r', '--masquerading': '-m', '--gatewaying': '-g', '--ipip': '-i', '--weight': '-w',
};

/** The short spelling of an option. */
function canonical(text: string): string {
  return Object.hasOwn(ALIASES, text) ? ALIASES[text]! : text;
}

const SERVICE_OPTIONS: readonly OptionSpec[] = [
  { name: '-t', arity: 1 }, { name: '-u', arity: 1 }, { name: '--sctp-service', arity: 1 }, { name: '-f', arity: 1 },
  { name: '-6', arity: 0 },
];
const ADD_SERVICE_OPTIONS: readonly OptionSpec[] = [
  ...SERVICE_OPTIONS, { name: '-s', arity: 1 }, { name: '-p', arity: 'optional' }, { name: '-M', arity: 1 },
  { name: '--pe', arity: 1 }, { name: '-o', arity: 0 }, { name: '-b', arity: 1 },
];
const ADD_SERVER_OPTIONS: readonly OptionSpec[] = [
  ...SERVICE_OPTIONS, { name: '-r', arity: 1 }, { name: '-m', arity: 0 }, { name: '-g', arity: 0 }, { name: '-i', arity: 0 },
  { name: '-w', arity: 1 }, { name: '--tun-type', arity: 1 }, { name: '--tun-port', arity: 1 },
  { name: '--tun-nocsum', arity: 0 }, { name: '--tun-csum', arity: 0 }, { name: '--tun-remcsum', arity: 0 },
];

/** Options that exclude each other share a slot: one virtual service, one forwarding method, one checksum mode. */
const SLOT: Readonly<Record<string, string>> = {
  '-t': 'service', '-u': 'service', '--sctp-service': 'service', '-f': 'service',
  '-m': 'forward', '-g': 'forward', '-i': 'forward',
  '--tun-nocsum': 'csum', '--tun-csum': 'csum', '--tun-remcsum': 'csum',
};

/** An option as written and its value, if it takes one. */
interface Given {
  readonly opt: Token;
  readonly name: string;
  readonly value?: Token;
}

function readOptions(toks: readonly Token[], line: Line, specs: readonly OptionSpec[]): Map<string, Given> {
  const out = new Map<string, Given>();
  for (let i = 1; i < toks.length; i++) {
    const opt = toks[i]!;
    const name = canonical(opt.text);
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      throw ipvsError('E_IPVS_BAD_LINE', `"${opt.text}" is not an option of ${toks[0]!.text} lines`, line, opt,
        toks[0]!.text === '-A' ? 'service lines take -t/-u/--sctp-service/-f, -s, -p, -M, --pe, -o, -b'
          : 'real-server lines take the service, -r, -m/-g/-i, -w and --tun-* options');
    }
    const slot = SLOT[name] ?? name;
    const clash = out.get(slot);
    if (clash) {
      throw ipvsError('E_IPVS_BAD_LINE', `${opt.text} after ${clash.opt.text}: a line has one ${SLOT[name] ?? opt.text}`, line, opt);
    }
    let value: Token | undefined;
    const next = toks[i + 1];
    if (spec.arity === 1) {
      if (!next) throw ipvsError('E_IPVS_BAD_VALUE', `${opt.text} wants a value`, line, endOf(line));
      value = next;
      i++;
    } else if (spec.arity === 'optional' && next && /^\d/.test(next.text)) {
      value = next;
      i++;
    }
    out.set(slot, { opt, name, ...(value ? { value } : {}) });
  }
  return out;
}

function readServiceId(given: Map<string, Given>, line: Line): { id: ServiceId; at: Token } {
  const svc = given.get('service');
  const v6 = given.get('-6');
  if (!svc || !svc.value) {
    throw ipvsError('E_IPVS_BAD_LINE', 'the line names no virtual service (-t, -u, --sctp-service or -f)', line, endOf(line));
  }
  if (svc.name === '-f') {
    return { id: { protocol: 'fwmark', fwmark: parseFwmark(svc.value, line), family: v6 ? 6 : 4 }, at: svc.value };
  }
  if (v6) throw ipvsError('E_IPVS_BAD_LINE', '-6 only goes with a firewall-mark service (-f)', line, v6.opt);
  const protocol = svc.name === '-t' ? 'tcp' : svc.name === '-u' ? 'udp' : 'sctp';
  const ap = parseAddrPort(svc.value, line, `${svc.opt.text} (virtual service)`);
  return { id: { protocol, address: ap.address, port: ap.port, family: ap.family }, at: svc.value };
}

function readAddService(toks: readonly Token[], line: Line, drafts: ServiceDrafts): void {
  const given = readOptions(toks, line, ADD_SERVICE_OPTIONS);
  const { id, at } = readServiceId(given, line);
  // ipvsadm-save always prints -s; restore would default to wlc (DEF_SCHED in ipvsadm.c).
  const scheduler = given.get('-s')?.value?.text ?? 'wlc';
  const p = given.get('-p');
  const m = given.get('-M');
  if (m && !p) throw ipvsError('E_IPVS_BAD_LINE', '-M sets the granularity of persistence and needs -p', line, m.opt);
  const b = given.get('-b');
  const flags = [...(b?.value ? parseSchedFlags(b.value, line, scheduler) : []), ...(given.has('-o') ? ['ops'] : [])];
  const pe = given.get('--pe')?.value?.text;
  const draft: ServiceDraft = {
    ...id, scheduler,
    // `-p` without a value means ipvsadm's default of 300 seconds (IPVS_SVC_PERSISTENT_TIMEOUT).
    ...(p ? { persistent: p.value ? parseCount(p.value, line, '-p (persistence timeout)', 1, MAX_TIMEOUT) : 300 } : {}),
    ...(m?.value ? { netmask: parseNetmask(m.value, line, id.family) } : {}),
    ...(pe !== undefined ? { persistenceEngine: pe } : {}),
    flags, realServers: [], loc: locOf(line, toks[0]!.column),
  };
  addService(drafts, draft, line, at);
}

const FORWARD: Readonly<Record<string, IpvsForward>> = { '-m': 'Masq', '-g': 'Route', '-i': 'Tunnel' };

function readAddServer(toks: readonly Token[], line: Line, drafts: ServiceDrafts): void {
  const given = readOptions(toks, line, ADD_SERVER_OPTIONS);
  const { id, at } = readServiceId(given, line);
  const draft = serviceFor(drafts, id, line, at);
  const r = given.get('-r');
  if (!r?.value) throw ipvsError('E_IPVS_BAD_LINE', 'a real-server line needs -r ADDR:PORT', line, endOf(line));
  const ap = parseAddrPort(r.value, line, '-r (real server)');
  const fwd = given.get('forward');
  const w = given.get('-w');
  const tunType = given.get('--tun-type');
  if (tunType?.value && !['ipip', 'gue', 'gre'].includes(tunType.value.text)) {
    throw ipvsError('E_IPVS_BAD_VALUE', `--tun-type is ipip, gue or gre, got "${tunType.value.text}"`, line, tunType.value);
  }
  const tunPort = given.get('--tun-port');
  if (tunPort?.value) parseCount(tunPort.value, line, '--tun-port', 1, 65535);
  const rs: IpvsRealServer = {
    address: ap.address, port: ap.port,
    // -g is ipvsadm's default method. The kernel's Local method is also saved as -g (fwd_switch), so a
    // save dump reads it back as Route; `ipvsadm -Ln` tells them apart.
    forward: fwd ? FORWARD[fwd.name]! : 'Route',
    weight: w?.value ? parseCount(w.value, line, '-w (weight)', 0, MAX_WEIGHT) : 1,
    loc: locOf(line, toks[0]!.column),
  };
  draft.realServers.push(rs);
}

/** Reads `ipvsadm-save -n` lines into drafts; blank lines and `#` comments are skipped. */
export function readIpvsadmSave(lines: readonly Line[], drafts: ServiceDrafts): void {
  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const toks = tokenize(line);
    const cmd = canonical(toks[0]!.text);
    if (cmd === '-A') readAddService(toks, line, drafts);
    else if (cmd === '-a') readAddServer(toks, line, drafts);
    else {
      throw ipvsError('E_IPVS_BAD_LINE', `"${toks[0]!.text}" does not start a line ipvsadm-save writes`, line, toks[0]!,
        'ipvsadm-save -n writes -A (service) and -a (real server) lines');
    }
  }
}
