// Address and port pools for random rule sets: drawn from what the lab nodes (fixtures/host) route,
// so that generated matches hit generated packets often enough to matter.

/** Seeded PRNG (mulberry32): 32-bit state, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small convenience layer over a seeded generator. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of items) {
      if ((x -= w) < 0) return v;
    }
    return items[items.length - 1]![1];
  }
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Seed of ruleset `index` of a run: independent of how many rule sets the run has, and mixed so
 * that different run seeds do not share rule sets (seed and index are hashed, not xored).
 */
export function rulesetSeed(seed: number, index: number): number {
  return fmix32((fmix32(seed) + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

/** What a lab node offers random rules and probes. */
export interface NodePools {
  readonly node: 'calico' | 'aws';
  readonly uplink: string;
  /** Links other than lo, and pod links (with a `+` wildcard prefix). */
  readonly ifaces: readonly string[];
  readonly ifacePrefixes: readonly string[];
  /** Addresses of the node (no loopback). */
  readonly local: readonly string[];
  readonly pods: readonly string[];
  /** Endpoints elsewhere, reached through tunl0 or the uplink. */
  readonly remote: readonly string[];
  readonly onlink: readonly string[];
  /** The uplink's gateway: owned by the outside namespace, so never a destination from outside. */
  readonly gateway: string;
  readonly external: readonly string[];
  readonly vips: readonly string[];
  /** Addresses under a blackhole route. */
  readonly blackhole: readonly string[];
  readonly cidrs: readonly string[];
  /** The pod range for kube-proxy-shaped "! -s" masquerade rules. */
  readonly podCidr: string;
}

export const CALICO_POOLS: NodePools = {
  node: 'calico',
  uplink: 'eth0',
  ifaces: ['eth0', 'tunl0', 'calie1a2b3c4d5e', 'cali7f00aa11b22'],
  ifacePrefixes: ['cali+', 'eth+', 'tun+'],
  local: ['10.10.4.142', '10.233.98.0'],
  pods: ['10.233.98.39', '10.233.98.40'],
  remote: ['10.233.110.7', '10.233.110.9', '10.233.75.3'],
  onlink: ['10.10.4.150', '10.10.4.77'],
  gateway: '10.10.4.1',
  external: ['198.51.100.7', '198.51.100.200', '203.0.113.9', '100.64.7.7'],
  vips: ['10.96.0.10', '10.96.45.10', '10.96.45.11', '203.0.113.10'],
  blackhole: ['10.233.98.7'],
  cidrs: ['10.0.0.0/8', '10.233.0.0/16', '10.233.98.0/24', '10.233.98.32/27', '10.233.110.0/24', '10.96.0.0/12', '10.96.45.0/24',
    '198.51.100.0/24', '198.51.100.0/25', '203.0.113.0/24', '10.10.4.0/24', '10.10.4.128/25', '100.64.0.0/10'],
  podCidr: '10.233.0.0/16',
};

export const AWS_POOLS: NodePools = {
  node: 'aws',
  uplink: 'eth0',
  ifaces: ['eth0', 'eth1', 'eni3c1f0a9b2d4'],
  ifacePrefixes: ['eni+', 'eth+'],
  local: ['10.0.1.10', '10.0.1.20', '10.0.1.21', '10.0.1.50'],
  pods: ['10.0.1.77'],
  remote: ['10.0.1.88', '10.0.1.89'],
  onlink: ['10.0.1.99', '10.0.1.130'],
  gateway: '10.0.1.1',
  external: ['198.51.100.8', '192.0.2.33', '100.64.1.1'],
  vips: ['172.20.0.10', '172.20.0.11', '203.0.113.20'],
  blackhole: [],
  cidrs: ['10.0.0.0/16', '10.0.1.0/24', '10.0.1.0/28', '10.0.1.64/26', '172.20.0.0/16', '198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24', '100.64.0.0/10'],
  podCidr: '10.0.1.64/26',
};

export const PORTS: readonly number[] = [22, 53, 80, 443, 8080, 8443, 9000, 9042, 30080, 31080, 32001];

/** Every address of a pool that may appear in a rule. */
export function allAddrs(p: NodePools): string[] {
  return [...p.local, ...p.pods, ...p.remote, ...p.onlink, ...p.external, ...p.vips, ...p.blackhole];
}
