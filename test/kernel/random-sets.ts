import { PORTS, allAddrs, type NodePools, type Rng } from './random-pools.js';

// Random ipsets for random rule sets: several types, entries from the node's pools, nomatch
// elements, and --match-set flag lists that are sometimes shorter or longer than the type's
// dimension (shorter never matches, ip_set_test).

/** A set as `ipset restore` text, with what a match needs to know about it. */
export interface GenSet {
  readonly name: string;
  readonly dims: number;
  readonly hasNomatch: boolean;
  readonly text: string;
}

type SetKind = 'hash:ip' | 'hash:net' | 'hash:ip,port' | 'hash:net,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port' | 'hash:net,iface';

const DIMS: Record<SetKind, number> = {
  'hash:ip': 1, 'hash:net': 1, 'hash:ip,port': 2, 'hash:net,port': 2, 'hash:ip,port,ip': 3, 'hash:ip,port,net': 3, 'bitmap:port': 1, 'hash:net,iface': 2,
};

function element(rng: Rng, pools: NodePools, kind: SetKind): string {
  const ip = () => rng.pick(allAddrs(pools));
  const net = () => (rng.chance(0.4) ? `${ip()}/32` : rng.pick(pools.cidrs));
  const port = () => `${rng.pick(['tcp', 'tcp', 'udp'])}:${rng.pick(PORTS)}`;
  switch (kind) {
    case 'hash:ip': return ip();
    case 'hash:net': return net();
    case 'hash:ip,port': return `${ip()},${port()}`;
    case 'hash:net,port': return `${net()},${port()}`;
    case 'hash:ip,port,ip': return `${ip()},${port()},${ip()}`;
    case 'hash:ip,port,net': return `${ip()},${port()},${net()}`;
    case 'bitmap:port': return String(rng.pick(PORTS));
    case 'hash:net,iface': return `${net()},${rng.pick([...pools.ifaces, ...pools.ifacePrefixes.map((p) => p.replace('+', ''))])}`;
  }
}

/** 2–4 sets, sometimes a list:set of two of them. */
export function randomIpsets(rng: Rng, pools: NodePools): GenSet[] {
  const kinds = Object.keys(DIMS) as SetKind[];
  const n = rng.int(2, 4);
  const out: GenSet[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rng.pick(kinds);
    const name = `KD-SET-${i}`;
    const hasNomatch = kind.startsWith('hash:net');
    const create = kind === 'bitmap:port' ? `create ${name} bitmap:port range 0-65535` : `create ${name} ${kind} family inet hashsize 1024 maxelem 65536`;
    const lines = [create];
    const seen = new Set<string>();
    for (let k = rng.int(1, 6); k > 0; k--) {
      let e = element(rng, pools, kind);
      if (kind === 'hash:net,iface' && rng.chance(0.2)) e = `${e.split(',')[0]},${rng.pick(pools.ifacePrefixes.map((p) => p.replace('+', '')))} wildcard`;
      const key = e.split(' ')[0]!;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`add ${name} ${e}${hasNomatch && rng.chance(0.2) ? ' nomatch' : ''}`);
    }
    out.push({ name, dims: DIMS[kind], hasNomatch, text: `${lines.join('\n')}\n` });
  }
  if (rng.chance(0.3) && out.length >= 2) {
    const members = out.slice(0, 2);
    const dims = Math.min(...members.map((m) => m.dims));
    out.push({ name: 'KD-LIST', dims, hasNomatch: false, text: `create KD-LIST list:set size 8\n${members.map((m) => `add KD-LIST ${m.name}\n`).join('')}` });
  }
  return out;
}

/** ` -m set [!] --match-set NAME flags [--return-nomatch]`. */
export function setMatch(rng: Rng, sets: readonly GenSet[]): string {
  const s = rng.pick(sets);
  const n = Math.max(1, Math.min(6, s.dims + rng.weighted([[1, -1], [8, 0], [1, 1]])));
  const flags = Array.from({ length: n }, () => (rng.chance(0.5) ? 'src' : 'dst')).join(',');
  const not = rng.chance(0.25) ? '! ' : '';
  const rn = s.hasNomatch && rng.chance(0.3) ? ' --return-nomatch' : '';
  return ` -m set ${not}--match-set ${s.name} ${flags}${rn}`;
}
