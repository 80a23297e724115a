import { KpathError } from '../../errors.js';
import { formatIp, parseIp } from '../cidr.js';
import type { Hook, MatchEnv, PacketView, SetAnswer } from '../family.js';
import type { Ruleset, Table } from '../model.js';
import type { Entry, NodeDisposition, NodeOutcome, NodeTrace, Packet } from '../trace.js';
import { assume, forkBranch, type Branch } from './branch.js';
import type { IpvsTable } from '../ipvs/model.js';
import { findVirtualService, scheduleIpvs } from './ipvs-step.js';
import type { NodeRouting } from './routing-view.js';
import { walkChain, type ChainEnd, type WalkContext } from './walk.js';

/** Everything a node-level trace needs: rules, sets, the node's routing view and the packet. */
export interface NodeInput {
  readonly node: string;
  readonly ruleset: Ruleset;
  readonly routing: NodeRouting;
  /** ipset membership test (from the node's ipset dump); absent → every set match is unknown. */
  readonly testSet?: (name: string, dirs: readonly ('src' | 'dst')[], pkt: PacketView, opts: { returnNomatch: boolean }) => SetAnswer;
  readonly packet: Packet;
  readonly entry: Entry;
  /** The node's IPVS table (kube-proxy IPVS mode); IPVS is consulted only when given. */
  readonly ipvs?: IpvsTable;
}

interface NodeContext extends WalkContext {
  readonly ipvs?: IpvsTable;
}

/**
 * Predicts what netfilter does with the first packet of a new connection on one node, following
 * the kernel's hook order: PREROUTING (raw, mangle, nat) → routing → INPUT (mangle, filter,
 * security, nat) or FORWARD (mangle, filter, security) → POSTROUTING (mangle, nat); locally
 * generated packets: routing → OUTPUT (raw, mangle, nat, filter, security) → POSTROUTING, and
 * back in through lo when the destination is local. Pure: data in, data out.
 */
export function traceNode(input: NodeInput): NodeTrace {
  const src = parseIp(input.packet.src);
  const dst = parseIp(input.packet.dst);
  if (!src || !dst || src.family !== dst.family) {
    throw new KpathError('E_QUERY', `packet addresses must be two IPv4 or two IPv6 addresses, got ${input.packet.src} → ${input.packet.dst}`);
  }
  const missingSets = (name: string): SetAnswer => ({ result: 'unknown', reason: `no ipset dump for ${input.node}: cannot test set ${name}` });
  const matchEnv: MatchEnv = {
    addrTypeIs: (ip, types, dev) => input.routing.addrTypeIs(ip, types, dev),
    testSet: (name, dirs, pkt, opts) => (input.testSet ?? missingSets)(name, dirs, pkt, opts),
    bridgePortOf: (iface) => input.routing.bridgePortOf(iface),
  };
  const ctx: NodeContext = { ruleset: input.ruleset, matchEnv, routing: input.routing, ipvs: input.ipvs };
  const b: Branch = {
    probability: 1, family: src.family, proto: input.packet.proto, src, dst,
    sport: input.packet.sport, dport: input.packet.dport, icmpType: input.packet.icmpType, icmpCode: input.packet.icmpCode,
    srcMac: input.packet.srcMac, iif: undefined, oif: undefined, gateway: undefined, routeText: undefined,
    hook: 'PREROUTING', mark: input.packet.mark ?? 0, ctmark: 0,
    ct: { seen: false, untracked: false, dnat: false, snat: false }, natInit: { dst: false, src: false }, routeLocal: false, nextOif: undefined,
    recent: new Map(), steps: [], translations: [], assumptions: [],
  };
  const outcomes = input.entry.kind === 'iface' ? fromWire(ctx, b, input.entry.iface) : fromLocal(ctx, b);
  const total = outcomes.reduce((s, o) => s + o.probability, 0);
  if (Math.abs(total - 1) > 1e-9) {
    throw new KpathError('E_INTERNAL_SHARES', `branch probabilities of the trace on ${input.node} sum to ${total}, not 1`);
  }
  const sorted = [...outcomes].sort((a, z) => z.probability - a.probability || key(a).localeCompare(key(z)));
  return { node: input.node, packet: input.packet, entry: input.entry, outcomes: sorted, assumptions: input.routing.assumptions };
}

function key(o: NodeOutcome): string {
  return `${o.disposition} ${o.packet.dst}:${o.packet.dport ?? ''} ${o.packet.src} ${o.steps.map((s) => `${s.chain}#${s.rule}`).join(',')}`;
}

function fromWire(ctx: NodeContext, b: Branch, iface: string): NodeOutcome[] {
  b.iif = iface;
  const done: NodeOutcome[] = [];
  const live = runHook(ctx, [b], 'PREROUTING', ['raw', 'mangle', 'nat'], done);
  for (const x of live) {
    for (const r of routeBranch(ctx, x, done)) {
      if (r.local) {
        // IPVS sits at LOCAL_IN priority 99: after mangle, filter and security INPUT, before nat INPUT.
        const after = runHook(ctx, [r.b], 'INPUT', ['mangle', 'filter', 'security'], done);
        for (const y of after) {
          const vs = ctx.ipvs ? findVirtualService(ctx.ipvs, y) : undefined;
          if (!vs) {
            for (const z of runHook(ctx, [y], 'INPUT', ['nat'], done)) done.push(finish(z, 'local'));
            continue;
          }
          ipvsOut(ctx, y, vs, done);
        }
      } else {
        const fwd = runHook(ctx, [r.b], 'FORWARD', ['mangle', 'filter', 'security'], done);
        const post = runHook(ctx, fwd, 'POSTROUTING', ['mangle', 'nat'], done);
        for (const y of post) done.push(finish(y, 'forwarded'));
      }
    }
  }
  return done;
}

/**
 * After IPVS picked a real server the packet leaves through LOCAL_OUT (ip_vs_nat_send_or_cont):
 * raw, mangle, filter and security OUTPUT run (nat OUTPUT does not: the connection's destination
 * NAT is already set up), then POSTROUTING, where kube-proxy's KUBE-POSTROUTING masquerades.
 */
function ipvsOut(ctx: NodeContext, y: Branch, vs: NonNullable<ReturnType<typeof findVirtualService>>, done: NodeOutcome[]): void {
  const isLocal = (ip: string) => ctx.routing.route(parseIp(ip)!).kind === 'local';
  const r = scheduleIpvs(vs, y, isLocal);
  if (r.kind === 'no-destination') {
    done.push(finish(r.b, 'rejected', { rejectWith: r.reason }));
    return;
  }
  for (const s of r.branches) {
    s.b.iif = undefined;
    s.b.hook = 'OUTPUT';
    for (const rt of routeBranch(ctx, s.b, done)) {
      const out = runHook(ctx, [rt.b], 'OUTPUT', ['raw', 'mangle', 'nat', 'filter', 'security'], done);
      const post = runHook(ctx, out, 'POSTROUTING', ['mangle', 'nat'], done);
      for (const z of post) done.push(finish(z, rt.local ? 'local' : 'forwarded'));
    }
  }
}

/**
 * After a re-route inside OUTPUT (nat DNAT, IPVS), the remaining OUTPUT tables still match `-o`
 * against the device the hook started with; the new device takes effect from POSTROUTING on
 * (found by the kernel-differential suite: a filter `-o lo` rule still drops a node packet that
 * nat OUTPUT DNATed away from a local address).
 */
function deferOif(b: Branch, hookOif: string | undefined): Branch {
  b.nextOif = b.oif;
  b.oif = hookOif;
  return b;
}

function fromLocal(ctx: NodeContext, b: Branch): NodeOutcome[] {
  const done: NodeOutcome[] = [];
  b.hook = 'OUTPUT';
  for (const r of routeBranch(ctx, b, done)) {
    let live = [r.b];
    live = runHook(ctx, live, 'OUTPUT', ['raw', 'mangle', 'nat'], done);
    // ip_route_me_harder: a nat OUTPUT DNAT (or mark change) re-routes the packet.
    const rerouted: Branch[] = [];
    for (const x of live) {
      const moved = x.translations.some((t) => t.type === 'DNAT' || t.type === 'REDIRECT');
      if (!moved) { rerouted.push(x); continue; }
      const hookOif = x.oif;
      for (const y of routeBranch(ctx, x, done)) rerouted.push(deferOif(y.b, hookOif));
    }
    // IPVS LOCAL_OUT (priority -98) schedules locally generated connections to a virtual service.
    const scheduled: Branch[] = [];
    for (const x of rerouted) {
      const vs = ctx.ipvs ? findVirtualService(ctx.ipvs, x) : undefined;
      if (!vs) { scheduled.push(x); continue; }
      const res = scheduleIpvs(vs, x, (ip) => ctx.routing.route(parseIp(ip)!).kind === 'local');
      if (res.kind === 'no-destination') { done.push(finish(res.b, 'rejected', { rejectWith: res.reason })); continue; }
      const hookOif = x.oif;
      for (const s of res.branches) for (const y of routeBranch(ctx, s.b, done)) scheduled.push(deferOif(y.b, hookOif));
    }
    live = runHook(ctx, scheduled, 'OUTPUT', ['filter', 'security'], done);
    for (const x of live) {
      if (x.nextOif !== undefined) { x.oif = x.nextOif; x.nextOif = undefined; }
    }
    const post = runHook(ctx, live, 'POSTROUTING', ['mangle', 'nat'], done);
    for (const y of post) {
      if (!y.routeLocal) { done.push(finish(y, 'forwarded')); continue; }
      // Loopback: the packet comes back in on lo; nat is already set up for this connection.
      y.iif = 'lo';
      const pre = runHook(ctx, [y], 'PREROUTING', ['raw', 'mangle'], done);
      const input = runHook(ctx, pre, 'INPUT', ['mangle', 'filter', 'security'], done);
      for (const z of input) done.push(finish(z, 'local'));
    }
  }
  return done;
}

/** Routes a branch on its current destination; splits it for ECMP next hops. */
function routeBranch(ctx: WalkContext, b: Branch, done: NodeOutcome[]): { b: Branch; local: boolean }[] {
  const ans = ctx.routing.route(b.dst);
  const routingStep = (x: Branch, verdict: string, text: string) =>
    x.steps.push({ table: 'routing', chain: 'route', rule: 0, text, verdict });
  if (ans.kind === 'local') {
    routingStep(b, `local delivery to ${formatIp(b.dst)}`, ans.text);
    if (b.hook === 'OUTPUT') b.oif = 'lo';
    b.routeText = ans.text;
    b.routeLocal = true;
    return [{ b, local: true }];
  }
  if (ans.kind !== 'unicast') {
    routingStep(b, ans.kind === 'none' ? 'no route' : `${ans.kind} route`, ans.text);
    b.routeText = ans.text;
    done.push(finish(b, 'no-route'));
    return [];
  }
  const totalWeight = ans.hops.reduce((s, h) => s + h.weight, 0);
  return ans.hops.map((h) => {
    const x = ans.hops.length === 1 ? b : forkBranch(b, (b.probability * h.weight) / totalWeight);
    if (ans.hops.length > 1) assume(x, `ECMP route ${ans.text}: next hop chosen by the kernel's flow hash; modelled by weight`);
    assume(x, ans.assumption);
    x.oif = h.dev;
    x.gateway = h.gateway;
    x.routeText = ans.text;
    x.routeLocal = false;
    routingStep(x, `forward${h.gateway ? ` via ${h.gateway}` : ''}${h.dev ? ` dev ${h.dev}` : ''}`, ans.text);
    return { b: x, local: false };
  });
}

/** Runs the hook's tables in order; returns the branches that pass, moves the rest to `done`. */
function runHook(ctx: WalkContext, branches: Branch[], hook: Hook, tables: readonly Table[], done: NodeOutcome[]): Branch[] {
  let live = branches;
  if (!tables.includes('raw')) for (const b of live) b.ct.seen = true;
  for (const table of tables) {
    const next: Branch[] = [];
    for (const b of live) {
      b.hook = hook;
      if (table === 'nat') {
        const manip = hook === 'PREROUTING' || hook === 'OUTPUT' ? 'dst' : 'src';
        // The nat table sees only tracked connections, once per manipulation (nf_nat_inet_fn).
        if (b.ct.untracked || b.natInit[manip]) { next.push(b); continue; }
        b.natInit[manip] = true;
      }
      const chain = ctx.ruleset.tables.get(table)?.chains.get(hook);
      if (!chain) { next.push(b); continue; }
      for (const e of walkChain(ctx, b, table, hook)) settle(e, chain.policy, table, hook, next, done);
    }
    // Conntrack (priority -200) runs right after the raw table (-300) in PREROUTING and OUTPUT.
    if (table === 'raw') for (const b of next) b.ct.seen = true;
    live = next;
  }
  return live;
}

function settle(e: ChainEnd, policy: 'ACCEPT' | 'DROP' | undefined, table: Table, hook: Hook, next: Branch[], done: NodeOutcome[]): void {
  switch (e.end) {
    case 'accept': next.push(e.b); return;
    case 'return':
      if (policy === 'DROP') {
        e.b.steps.push({ table, chain: hook, rule: 0, text: `:${hook} DROP`, verdict: 'DROP (chain policy)' });
        done.push(finish(e.b, 'dropped'));
        return;
      }
      next.push(e.b);
      return;
    case 'drop': done.push(finish(e.b, 'dropped')); return;
    case 'reject': done.push(finish(e.b, 'rejected', { rejectWith: e.rejectWith })); return;
    case 'unknown': done.push(finish(e.b, 'unknown', { unknown: { reason: e.reason, where: e.where } })); return;
  }
}

function finish(b: Branch, disposition: NodeDisposition, extra: Partial<Pick<NodeOutcome, 'rejectWith' | 'unknown'>> = {}): NodeOutcome {
  const packet: Packet = {
    family: b.family, proto: b.proto, src: formatIp(b.src), dst: formatIp(b.dst),
    ...(b.sport !== undefined ? { sport: b.sport } : {}), ...(b.dport !== undefined ? { dport: b.dport } : {}),
    ...(b.mark ? { mark: b.mark } : {}),
  };
  return {
    probability: b.probability,
    disposition,
    packet,
    egress: disposition === 'forwarded' || disposition === 'no-route' ? { iface: b.oif, gateway: b.gateway, route: b.routeText } : undefined,
    steps: b.steps,
    translations: b.translations,
    assumptions: b.assumptions,
    mark: b.mark,
    ctmark: b.ctmark,
    ...extra,
  };
}
