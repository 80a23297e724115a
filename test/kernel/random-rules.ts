import type { Probe, ProbeFrom } from './observe.js';
import { PORTS, Rng, allAddrs, rulesetSeed, type NodePools } from './random-pools.js';
import { randomIpsets, setMatch, type GenSet } from './random-sets.js';

// Seeded random rule sets for the kernel differential: kube-proxy-shaped nat chains with random
// rules mixed in, random user chains (jumps, gotos, RETURN, nesting), and random matches and
// targets drawn from what kpath claims to model. Every chain belongs to a set of hooks, so that
// hook-restricted matches and targets (DNAT, MASQUERADE, REJECT, addrtype --limit-iface-*) are only
// placed where the kernel accepts them. Not generated (see the report's limitations): NOTRACK,
// NAT address/port ranges, statistic nth, tcp-reset.

type Table = 'raw' | 'mangle' | 'nat' | 'filter';
type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

const HOOKS: Record<Table, readonly Hook[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

interface GenChain {
  readonly table: Table;
  readonly name: string;
  readonly hooks: ReadonlySet<Hook>;
  /** Chains this one may jump to (declared later, so the graph has no loops). */
  readonly callees: GenChain[];
  readonly rules: string[];
}

/** One generated rule set with the probes to send through it. */
export interface RandomRuleset {
  readonly index: number;
  readonly seed: number;
  readonly node: NodePools['node'];
  readonly iptables: string;
  readonly ipset: string;
  readonly probes: readonly Probe[];
}

const MARK_BITS = [0x1, 0x2, 0x4, 0x10, 0x4000, 0x8000] as const;
const hex = (n: number): string => `0x${n.toString(16)}`;
const inHooks = (c: GenChain, allowed: readonly Hook[]): boolean => [...c.hooks].every((h) => allowed.includes(h));

class Generator {
  readonly chains: GenChain[] = [];
  readonly services: { vip: string; port: number; nodePort: number }[] = [];
  private readonly recentLists = ['KD-R1', 'KD-R2'];
  readonly sets: GenSet[];

  constructor(readonly rng: Rng, readonly pools: NodePools) {
    this.sets = randomIpsets(rng, pools);
  }

  chain(table: Table, name: string, hooks: readonly Hook[]): GenChain {
    const c: GenChain = { table, name, hooks: new Set(hooks), callees: [], rules: [] };
    this.chains.push(c);
    return c;
  }

  private addr(): string {
    const r = this.rng;
    return r.chance(0.5) ? `${r.pick(allAddrs(this.pools))}/32` : r.pick(this.pools.cidrs);
  }

  private port(): string {
    const r = this.rng;
    const p = r.pick(PORTS);
    return r.chance(0.2) ? `${p}:${p + r.int(1, 2000)}` : String(p);
  }

  private mark(): string {
    const r = this.rng;
    const bit = r.pick(MARK_BITS);
    return r.weighted([[3, `${hex(bit)}/${hex(bit)}`], [1, hex(bit | r.pick(MARK_BITS))], [1, `0x0/${hex(bit)}`]]);
  }

  /** One random match (text starting with a space), valid for the chain's hooks. */
  private match(c: GenChain, proto: { name?: 'tcp' | 'udp' }): string {
    const r = this.rng;
    const not = (p: number) => (r.chance(p) ? '! ' : '');
    const inOk = inHooks(c, ['PREROUTING', 'INPUT', 'FORWARD']);
    const outOk = inHooks(c, ['FORWARD', 'OUTPUT', 'POSTROUTING']);
    const kind = r.weighted<string>([
      [6, 'src'], [6, 'dst'], [5, 'port'], [2, 'multiport'], [2, 'iif'], [2, 'oif'], [3, 'mark'], [4, 'set'], [3, 'addrtype'],
      [2, 'statistic'], [2, 'ctstate'], [1, 'recent'], [1, 'syn'], [1, 'connmark'], [1, 'comment'],
    ]);
    switch (kind) {
      case 'src': return ` ${not(0.3)}-s ${this.addr()}`;
      case 'dst': return ` ${not(0.3)}-d ${this.addr()}`;
      case 'port':
        if (!proto.name) return ` ${not(0.3)}-s ${this.addr()}`;
        return ` -m ${proto.name} ${not(0.25)}--${r.chance(0.7) ? 'dport' : 'sport'} ${this.port()}`;
      case 'multiport': {
        if (!proto.name) return ` ${not(0.3)}-d ${this.addr()}`;
        const ports = [this.port(), this.port(), String(r.pick(PORTS))].join(',');
        return ` -m multiport ${not(0.2)}--${r.pick(['dports', 'sports', 'ports'])} ${ports}`;
      }
      case 'iif': {
        const name = r.chance(0.3) ? r.pick(this.pools.ifacePrefixes) : r.pick(this.pools.ifaces);
        return inOk || !isBuiltin(c) ? ` ${not(0.3)}-i ${name}` : ` ${not(0.3)}-d ${this.addr()}`;
      }
      case 'oif': {
        const name = r.chance(0.3) ? r.pick(this.pools.ifacePrefixes) : r.pick(this.pools.ifaces);
        return outOk || !isBuiltin(c) ? ` ${not(0.3)}-o ${name}` : ` ${not(0.3)}-s ${this.addr()}`;
      }
      case 'mark': return ` -m mark ${not(0.3)}--mark ${this.mark()}`;
      case 'connmark': return ` -m connmark ${not(0.3)}--mark ${this.mark()}`;
      case 'set': return setMatch(r, this.sets);
      case 'addrtype': {
        const types = ['LOCAL', 'LOCAL', 'UNICAST', 'BLACKHOLE', 'BROADCAST'];
        const side = r.chance(0.6) ? 'dst' : 'src';
        let limit = '';
        if (r.chance(0.3)) {
          if (inOk && (!outOk || r.chance(0.5))) limit = ' --limit-iface-in';
          else if (outOk) limit = ' --limit-iface-out';
        }
        return ` -m addrtype ${not(0.3)}--${side}-type ${r.pick(types)}${limit}`;
      }
      case 'statistic': return ` -m statistic --mode random ${not(0.15)}--probability ${r.pick(['0.25', '0.5', '0.5', '0.75', '0.33333333349'])}`;
      case 'ctstate': return ` -m conntrack ${not(0.3)}--ctstate ${r.pick(['NEW', 'DNAT', 'SNAT', 'NEW,ESTABLISHED', 'INVALID', 'RELATED,ESTABLISHED,DNAT'])}`;
      case 'recent': {
        const list = r.pick(this.recentLists);
        const side = r.chance(0.7) ? '--rsource' : '--rdest';
        return r.chance(0.5) ? ` -m recent --set --name ${list} ${side}` : ` -m recent ${not(0.2)}--rcheck${r.chance(0.3) ? ' --seconds 60' : ''} --name ${list} ${side}`;
      }
      case 'syn': return proto.name === 'tcp' ? ` -m tcp ${not(0.3)}--syn` : ` ${not(0.3)}-s ${this.addr()}`;
      default: return ` -m comment --comment "kd ${r.int(1, 999)}"`;
    }
  }

  /** One random target valid for the chain (table and hooks). */
  private target(c: GenChain, proto: 'tcp' | 'udp' | undefined): string {
    const r = this.rng;
    const t = c.table;
    const options: [number, string][] = [[2, 'ACCEPT'], [2, 'RETURN'], [3, 'MARK']];
    if (c.callees.length > 0) options.push([5, 'jump'], [2, 'goto']);
    if (t !== 'nat') options.push([2, 'DROP']);
    if (t === 'filter') options.push([3, 'DROP'], [2, 'REJECT']);
    if (t === 'mangle') options.push([2, 'CONNMARK']);
    if (t === 'nat' && inHooks(c, ['PREROUTING', 'OUTPUT'])) options.push([5, 'DNAT'], [1, 'REDIRECT']);
    if (t === 'nat' && inHooks(c, ['POSTROUTING', 'INPUT'])) options.push([3, 'SNAT']);
    if (t === 'nat' && inHooks(c, ['POSTROUTING'])) options.push([3, 'MASQUERADE']);
    switch (r.weighted(options)) {
      case 'jump': return ` -j ${r.pick(c.callees).name}`;
      case 'goto': return ` -g ${r.pick(c.callees).name}`;
      case 'MARK': {
        const bit = r.pick(MARK_BITS);
        return ` -j MARK ${r.pick([`--set-xmark ${hex(bit)}/${hex(bit)}`, `--or-mark ${hex(bit)}`, `--and-mark ${hex(~bit >>> 0)}`, `--xor-mark ${hex(bit)}`, `--set-mark ${hex(bit)}/${hex(bit | 0x4000)}`])}`;
      }
      case 'CONNMARK': {
        const bit = r.pick(MARK_BITS);
        return ` -j CONNMARK ${r.pick([`--set-xmark ${hex(bit)}/${hex(bit)}`, '--save-mark', '--restore-mark', `--save-mark --mask ${hex(bit)}`])}`;
      }
      case 'REJECT': return ` -j REJECT --reject-with ${r.pick(['icmp-port-unreachable', 'icmp-host-unreachable', 'icmp-admin-prohibited', 'icmp-net-unreachable'])}`;
      case 'DNAT': {
        const to = r.pick([...this.pools.pods, ...this.pools.remote, ...this.pools.local, this.pools.onlink[0]!]);
        // A port in --to-destination needs -p tcp/udp on the rule (iptables refuses it otherwise).
        return ` -j DNAT --to-destination ${to}${proto && r.chance(0.7) ? `:${r.pick([80, 8080, 53, 9000])}` : ''}`;
      }
      case 'REDIRECT': return ` -j REDIRECT${proto && r.chance(0.6) ? ` --to-ports ${r.pick([8080, 15001])}` : ''}`;
      case 'SNAT': return ` -j SNAT --to-source ${r.pick([...this.pools.local, ...this.pools.external])}`;
      case 'MASQUERADE': return r.chance(0.5) ? ' -j MASQUERADE --random-fully' : ' -j MASQUERADE';
      default: return ` -j ${r.pick(options.filter(([, o]) => ['ACCEPT', 'RETURN', 'DROP'].includes(o)).map(([, o]) => o))}`;
    }
  }

  /** A random rule: maybe a protocol, 0–3 matches, a target. */
  rule(c: GenChain): string {
    const r = this.rng;
    const proto = r.weighted<'tcp' | 'udp' | undefined | 'not-tcp'>([[5, 'tcp'], [2, 'udp'], [4, undefined], [1, 'not-tcp']]);
    let text = proto === 'not-tcp' ? ' ! -p tcp' : proto ? ` -p ${proto}` : '';
    const name = proto === 'tcp' || proto === 'udp' ? proto : undefined;
    const n = r.weighted([[1, 0], [4, 1], [3, 2], [1, 3]]);
    // Core options (-s -d -i -o) may appear once per rule.
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      for (let attempt = 0; attempt < 6; attempt++) {
        const m = this.match(c, { name });
        const core = /^ (?:! )?(-[sdio]) /.exec(m)?.[1];
        if (core && used.has(core)) continue;
        if (core) used.add(core);
        text += m;
        break;
      }
    }
    return `-A ${c.name}${text}${this.target(c, name)}`;
  }
}

const isBuiltin = (c: GenChain): boolean => /^[A-Z]+ROUTING$|^INPUT$|^FORWARD$|^OUTPUT$/.test(c.name) && !c.name.includes('-');

/** kube-proxy's nat skeleton: KUBE-SERVICES → SVC (statistic) → SEP (hairpin mark, DNAT), KUBE-POSTROUTING. */
function kubeSkeleton(g: Generator, pre: GenChain, out: GenChain, post: GenChain): GenChain[] {
  const r = g.rng;
  const p = g.pools;
  const hooks: Hook[] = ['PREROUTING', 'OUTPUT'];
  const services = g.chain('nat', 'KUBE-SERVICES', hooks);
  const nodeports = g.chain('nat', 'KUBE-NODEPORTS', hooks);
  const markMasq = g.chain('nat', 'KUBE-MARK-MASQ', [...hooks]);
  const postChain = g.chain('nat', 'KUBE-POSTROUTING', ['POSTROUTING']);
  markMasq.rules.push('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
  pre.rules.push('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  out.rules.push('-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  post.rules.push('-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  postChain.rules.push('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN', '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${r.chance(0.5) ? ' --random-fully' : ''}`);
  const made: GenChain[] = [services, nodeports, markMasq, postChain];
  const nsvc = r.int(1, 3);
  for (let i = 0; i < nsvc; i++) {
    const vip = p.vips[i % p.vips.length]!;
    const port = r.pick([80, 443, 53]);
    const nodePort = 30000 + r.int(0, 2767);
    g.services.push({ vip, port, nodePort });
    const svc = g.chain('nat', `KUBE-SVC-KD${i}${r.int(100, 999)}`, hooks);
    services.rules.push(`-A KUBE-SERVICES -d ${vip}/32 -p tcp -m comment --comment "kd/svc${i} cluster IP" -m tcp --dport ${port} -j ${svc.name}`);
    nodeports.rules.push(`-A KUBE-NODEPORTS -p tcp -m tcp --dport ${nodePort} -j ${svc.name}`);
    svc.rules.push(`-A ${svc.name} ! -s ${p.podCidr} -d ${vip}/32 -p tcp -m tcp --dport ${port} -j KUBE-MARK-MASQ`);
    const eps = [...new Set([r.pick(p.pods), r.pick(p.remote), r.pick([...p.remote, ...p.onlink])])].slice(0, r.int(1, 3));
    eps.forEach((ep, k) => {
      const sep = g.chain('nat', `KUBE-SEP-KD${i}${k}${r.int(100, 999)}`, hooks);
      const prob = k < eps.length - 1 ? ` -m statistic --mode random --probability ${(1 / (eps.length - k)).toFixed(11)}` : '';
      svc.rules.push(`-A ${svc.name}${prob} -j ${sep.name}`);
      sep.rules.push(`-A ${sep.name} -s ${ep}/32 -j KUBE-MARK-MASQ`, `-A ${sep.name} -p tcp -m tcp -j DNAT --to-destination ${ep}:8080`);
      made.push(sep);
    });
    made.push(svc);
  }
  services.rules.push('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  return made;
}

function insertAt<T>(rng: Rng, list: T[], item: T): void {
  list.splice(rng.int(0, list.length), 0, item);
}

/** Random user chains for one built-in chain, wired as a DAG below it. */
function randomChains(g: Generator, table: Table, hook: Hook, parent: GenChain): void {
  const r = g.rng;
  const n = r.weighted([[3, 0], [4, 1], [3, 2], [1, 3]]);
  const made: GenChain[] = [];
  for (let i = 0; i < n; i++) made.push(g.chain(table, `KD-${table.slice(0, 3).toUpperCase()}-${hook.slice(0, 4)}-${i}`, [hook]));
  parent.callees.push(...made);
  made.forEach((c, i) => c.callees.push(...made.slice(i + 1)));
  for (const c of made) {
    const k = r.int(1, 4);
    for (let j = 0; j < k; j++) c.rules.push(g.rule(c));
  }
}

function renderTable(g: Generator, table: Table, policies: ReadonlyMap<string, string>): string {
  const builtins = HOOKS[table];
  const users = g.chains.filter((c) => c.table === table && !builtins.includes(c.name as Hook));
  const lines = [`*${table}`, ...builtins.map((h) => `:${h} ${policies.get(`${table}/${h}`) ?? 'ACCEPT'} [0:0]`), ...users.map((c) => `:${c.name} - [0:0]`)];
  for (const c of g.chains.filter((x) => x.table === table)) lines.push(...c.rules);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** Probe packets aimed at what the rules talk about (services, node, pods, remote endpoints). */
function randomProbes(g: Generator, count: number): Probe[] {
  const r = g.rng;
  const p = g.pools;
  const out: Probe[] = [];
  while (out.length < count) {
    const kind = r.weighted<'outside' | 'pod' | 'node'>([[5, 'outside'], [2, 'pod'], [3, 'node']]);
    const proto = r.chance(0.7) ? 'tcp' : 'udp';
    const svc = g.services.length > 0 && r.chance(0.35) ? r.pick(g.services) : undefined;
    let dst = svc ? svc.vip : r.weighted([[3, p.vips], [3, p.local], [2, p.pods], [2, p.remote], [1, p.external], [1, p.onlink], [1, p.blackhole.length > 0 ? p.blackhole : p.remote]].map(([w, l]) => [w as number, r.pick(l as readonly string[])] as const));
    let dport = svc ? (r.chance(0.8) ? svc.port : r.pick(PORTS)) : r.pick(PORTS);
    if (svc && r.chance(0.25)) { dst = r.pick(p.local); dport = svc.nodePort; }
    let from: ProbeFrom;
    let src: string;
    if (kind === 'pod') {
      src = r.pick(p.pods);
      from = { kind: 'pod', ip: src };
      if (dst === src) continue;
    } else if (kind === 'node') {
      src = r.pick(p.local);
      from = { kind: 'node' };
    } else {
      // Never a node address (martian source) nor the gateway the outside namespace owns.
      src = r.pick([...p.external, ...p.external, ...p.remote, ...p.onlink]);
      from = { kind: 'outside' };
      if (dst === p.gateway || dst === src) continue;
    }
    const sport = r.chance(0.2) ? r.pick(PORTS) + 1 : r.int(1024, 65000);
    out.push({ from, proto, src, sport, dst, dport, label: `random ${out.length + 1}` });
  }
  return out;
}

/** Generates rule set `index` of run `seed` on a node with the given pools. */
export function generateRuleset(seed: number, index: number, pools: NodePools, probeCount: number): RandomRuleset {
  const rs = rulesetSeed(seed, index);
  const g = new Generator(new Rng(rs), pools);
  const r = g.rng;
  const builtin = new Map<string, GenChain>();
  for (const table of ['raw', 'mangle', 'nat', 'filter'] as const) {
    for (const hook of HOOKS[table]) builtin.set(`${table}/${hook}`, g.chain(table, hook, [hook]));
  }
  const withKube = r.chance(0.6);
  const kube = withKube ? kubeSkeleton(g, builtin.get('nat/PREROUTING')!, builtin.get('nat/OUTPUT')!, builtin.get('nat/POSTROUTING')!) : [];
  for (const [key, c] of builtin) {
    const [table, hook] = key.split('/') as [Table, Hook];
    if (table === 'raw' && r.chance(0.5)) continue;
    randomChains(g, table, hook, c);
    const k = r.int(table === 'nat' || table === 'filter' ? 1 : 0, 4);
    for (let j = 0; j < k; j++) insertAt(r, c.rules, g.rule(c));
  }
  for (const c of kube) {
    if (c.name === 'KUBE-MARK-MASQ') continue;
    const k = r.weighted([[4, 0], [2, 1], [1, 2]]);
    for (let j = 0; j < k; j++) insertAt(r, c.rules, g.rule(c));
  }
  const policies = new Map<string, string>();
  if (r.chance(0.25)) policies.set('filter/FORWARD', 'DROP');
  if (r.chance(0.15)) policies.set('filter/INPUT', 'DROP');
  if (r.chance(0.1)) policies.set('filter/OUTPUT', 'DROP');
  const iptables = (['raw', 'mangle', 'nat', 'filter'] as const).map((t) => renderTable(g, t, policies)).join('');
  const ipset = g.sets.map((s) => s.text).join('');
  return { index, seed: rs, node: pools.node, iptables, ipset, probes: randomProbes(g, probeCount) };
}
