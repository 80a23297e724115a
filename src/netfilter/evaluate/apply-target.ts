import { parseIp, type Ip } from '../cidr.js';
import type { NatRange, Rule } from '../model.js';
import { hex } from '../values.js';
import { assume, endpointText, forkBranch, type Branch } from './branch.js';
import type { NodeRouting } from './routing-view.js';
import type { ChainEnd } from './walk.js';

export interface TargetContext {
  readonly routing: NodeRouting;
}

export type TargetOutcome = { readonly kind: 'continue'; readonly b: Branch } | { readonly kind: 'end'; readonly end: ChainEnd };

/** A DNAT/SNAT range of more than this many addresses is reported unknown rather than listed. */
const MAX_RANGE_ADDRS = 256;

function step(b: Branch, rule: Rule, verdict: string): void {
  b.steps.push({ table: rule.table, chain: rule.chain, rule: rule.position, text: rule.raw, verdict, loc: rule.loc });
}

/**
 * Applies a non-jump target to a branch. MARK, CONNMARK, LOG-like and CT targets continue with the
 * next rule; NAT targets rewrite the tuple and end the nat table's walk for this hook (NF_ACCEPT).
 */
export function applyTarget(ctx: TargetContext, rule: Rule, b: Branch): TargetOutcome[] {
  const t = rule.target;
  switch (t.kind) {
    case 'none':
      step(b, rule, 'continue (no target)');
      return [{ kind: 'continue', b }];
    case 'log':
      step(b, rule, `${t.name} (continue)`);
      return [{ kind: 'continue', b }];
    case 'mark': {
      const before = b.mark;
      // xt_mark.c: skb->mark = (skb->mark & ~mask) ^ value
      b.mark = ((b.mark & ~t.op.mask) ^ t.op.value) >>> 0;
      step(b, rule, `MARK ${hex(before)} → ${hex(b.mark)}`);
      return [{ kind: 'continue', b }];
    }
    case 'connmark': {
      const op = t.op;
      if (!b.ct.seen || b.ct.untracked) {
        // connmark_tg: no conntrack entry → XT_CONTINUE without a change.
        step(b, rule, 'CONNMARK (no conntrack entry here: no change)');
        return [{ kind: 'continue', b }];
      }
      if (op.op === 'set') {
        b.ctmark = ((b.ctmark & ~op.mask) ^ op.value) >>> 0;
        step(b, rule, `CONNMARK ctmark → ${hex(b.ctmark)}`);
      } else if (op.op === 'save') {
        b.ctmark = ((b.ctmark & ~op.ctmask) ^ (b.mark & op.nfmask)) >>> 0;
        step(b, rule, `CONNMARK save: ctmark → ${hex(b.ctmark)}`);
      } else {
        b.mark = ((b.mark & ~op.nfmask) | (b.ctmark & op.ctmask & op.nfmask)) >>> 0;
        step(b, rule, `CONNMARK restore: mark → ${hex(b.mark)}`);
      }
      return [{ kind: 'continue', b }];
    }
    case 'notrack':
    case 'ct':
      if (t.kind === 'notrack' || t.notrack) {
        b.ct.untracked = true;
        step(b, rule, 'NOTRACK (connection not tracked: no NAT)');
      } else {
        step(b, rule, `CT ${t.args.join(' ')} (continue)`);
      }
      return [{ kind: 'continue', b }];
    case 'dnat':
      return natRanges(rule, b, t.ranges, 'dst');
    case 'snat':
      return natRanges(rule, b, t.ranges, 'src', t.random || t.randomFully);
    case 'masquerade':
      return [masquerade(ctx, rule, b, t.ports, t.random || t.randomFully)];
    case 'redirect':
      return [redirect(ctx, rule, b, t.ports)];
    default:
      return [{ kind: 'end', end: { b, end: 'unknown', reason: `target ${t.kind} reached outside its chain walk`, where: `${rule.loc.file}:${rule.loc.line}` } }];
  }
}

function addrsOf(r: NatRange, family: 4 | 6): Ip[] | 'too-many' | undefined {
  if (r.addrFrom === undefined) return undefined;
  const a = parseIp(r.addrFrom)!;
  const z = parseIp(r.addrTo ?? r.addrFrom)!;
  if (a.family !== family) return undefined;
  const n = z.value - a.value + 1n;
  if (n > BigInt(MAX_RANGE_ADDRS)) return 'too-many';
  const out: Ip[] = [];
  for (let v = a.value; v <= z.value; v++) out.push({ family, value: v });
  return out;
}

/**
 * DNAT/SNAT to a range. One address is exact; an address range is chosen by a hash of the tuple
 * (nf_nat_core.c find_best_ips_proto), modelled as equal shares with that assumption. The port is
 * kept when it lies in the range (the kernel keeps a unique tuple unchanged), else the range start.
 */
function natRanges(rule: Rule, b: Branch, ranges: readonly NatRange[], field: 'src' | 'dst', randomPort = false): TargetOutcome[] {
  if (ranges.length !== 1) {
    return [{ kind: 'end', end: { b, end: 'unknown', reason: `${field === 'dst' ? 'DNAT' : 'SNAT'} with ${ranges.length} ranges (old kernels rotate through them) is not modelled`, where: `${rule.loc.file}:${rule.loc.line}` } }];
  }
  const r = ranges[0]!;
  const addrs = addrsOf(r, b.family);
  if (addrs === 'too-many') {
    return [{ kind: 'end', end: { b, end: 'unknown', reason: `${r.text}: address range too large to list`, where: `${rule.loc.file}:${rule.loc.line}` } }];
  }
  const list = addrs ?? [field === 'dst' ? b.dst : b.src];
  const out: TargetOutcome[] = [];
  for (const ip of list) {
    const nb = list.length === 1 ? b : forkBranch(b, b.probability / list.length);
    if (list.length > 1) assume(nb, `${r.text}: the kernel picks the address by a hash of the connection; modelled as equal shares`);
    rewrite(nb, rule, field === 'dst' ? 'DNAT' : 'SNAT', field, ip, r.ports, randomPort);
    out.push({ kind: 'end', end: { b: nb, end: 'accept' } });
  }
  return out;
}

function rewrite(b: Branch, rule: Rule, type: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT', field: 'src' | 'dst', ip: Ip, ports: { from: number; to: number } | undefined, randomPort: boolean, how?: string): void {
  const oldIp = field === 'dst' ? b.dst : b.src;
  const oldPort = field === 'dst' ? b.dport : b.sport;
  let port = oldPort;
  if (ports && (oldPort === undefined || oldPort < ports.from || oldPort > ports.to)) {
    port = ports.from;
    if (ports.from !== ports.to) assume(b, `${type} port range ${ports.from}-${ports.to}: the kernel picks a free port; shown as ${ports.from}`);
  }
  if (randomPort && field === 'src') {
    port = undefined;
  }
  const from = endpointText(oldIp, oldPort);
  if (field === 'dst') { b.dst = ip; b.dport = port; } else { b.src = ip; b.sport = port; }
  const changed = oldIp.value !== ip.value || oldPort !== port;
  if (changed) {
    if (field === 'dst') b.ct.dnat = true;
    else b.ct.snat = true;
  }
  const to = endpointText(ip, port) + (randomPort && field === 'src' ? ' (random port)' : '');
  step(b, rule, `${type} ${from} → ${to}`);
  b.translations.push({ type, from, to, table: rule.table, chain: rule.chain, rule: rule.position, text: rule.raw, loc: rule.loc, how });
}

function masquerade(ctx: TargetContext, rule: Rule, b: Branch, ports: { from: number; to: number } | undefined, randomPort: boolean): TargetOutcome {
  // IPv4 picks the source by next hop (inet_select_addr); IPv6 by destination (nf_nat_masquerade_ipv6).
  const nexthop = b.family === 4 && b.gateway !== undefined ? parseIp(b.gateway) ?? b.dst : b.dst;
  const sel = ctx.routing.masqueradeSource(b.oif, nexthop);
  assume(b, sel.assumption);
  if (sel.ip === undefined) {
    if (sel.known) {
      // nf_nat_masquerade_ipv4: no address to use → NF_DROP.
      step(b, rule, `MASQUERADE finds no source address (${sel.how}): dropped`);
      return { kind: 'end', end: { b, end: 'drop' } };
    }
    return { kind: 'end', end: { b, end: 'unknown', reason: `MASQUERADE: no source address can be chosen on ${b.oif ?? 'an unknown device'} (${sel.how})`, where: `${rule.loc.file}:${rule.loc.line}` } };
  }
  rewrite(b, rule, 'MASQUERADE', 'src', parseIp(sel.ip)!, ports, randomPort, sel.how);
  return { kind: 'end', end: { b, end: 'accept' } };
}

function redirect(ctx: TargetContext, rule: Rule, b: Branch, ports: { from: number; to: number } | undefined): TargetOutcome {
  const local = b.hook === 'OUTPUT';
  const sel = ctx.routing.redirectAddress(local ? undefined : b.iif, b.family);
  if (sel.ip === undefined) {
    if (sel.known) {
      // nf_nat_redirect_ipv4: the incoming device has no address → NF_DROP.
      step(b, rule, `REDIRECT finds no address on ${b.iif ?? 'the incoming device'}: dropped`);
      return { kind: 'end', end: { b, end: 'drop' } };
    }
    return { kind: 'end', end: { b, end: 'unknown', reason: `REDIRECT: ${sel.how}`, where: `${rule.loc.file}:${rule.loc.line}` } };
  }
  rewrite(b, rule, 'REDIRECT', 'dst', parseIp(sel.ip)!, ports, false, sel.how);
  return { kind: 'end', end: { b, end: 'accept' } };
}

