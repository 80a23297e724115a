import { diffProbe, kpathNode, type DiffOptions } from './diff-run.js';
import type { Lab } from './lab.js';
import { labNodes } from './lab-nodes.js';
import { loadRules } from './node-lab.js';
import { AWS_POOLS, CALICO_POOLS } from './random-pools.js';
import { generateRuleset } from './random-rules.js';
import { Tally } from './tally.js';

/** Probes per random rule set: one namespace load serves this many. */
export const PROBES_PER_RULESET = 25;


/** The rule sets of a run of `probes` probes: ⌈probes / 25⌉, alternating Calico-like and AWS-like nodes. */
export function rulesetCount(probes: number): number {
  return Math.ceil(probes / PROBES_PER_RULESET);
}

/**
 * Runs shard `shard` of `shards` of the random rule sets on its own pair of nodes (built once each;
 * shards run concurrently). Rule set i is generated from (seed, i) alone, so KPATH_KDIFF_RULESET=i
 * replays exactly one of them.
 */
export async function runRandomSuite(lab: Lab, seed: number, probes: number, opts: DiffOptions, shard = 0, shards = 1): Promise<Tally> {
  const tally = new Tally();
  const nodes = labNodes(lab, `rnd${shard}`);
  const count = rulesetCount(probes);
  const only = process.env['KPATH_KDIFF_RULESET'];
  for (let i = 0; i < count; i++) {
    if (Math.floor(i / 2) % shards !== shard) continue;
    if (only !== undefined && Number(only) !== i) continue;
    const pools = i % 2 === 0 ? CALICO_POOLS : AWS_POOLS;
    const rs = generateRuleset(seed, i, pools, Math.min(PROBES_PER_RULESET, probes - i * PROBES_PER_RULESET));
    const { node, prober } = nodes[rs.node];
    try {
      loadRules(node.ns, rs.iptables, rs.ipset);
    } catch (e) {
      throw new Error(`seed ${seed} rule set #${i}: the kernel refused the generated rules (generator bug): ${(e as Error).message}\n${rs.iptables}\n${rs.ipset}`);
    }
    prober.reset();
    const kp = kpathNode(node);
    for (const p of rs.probes) {
      const ctx = `random seed ${seed} rule set #${i} (KPATH_KDIFF_SEED=${seed} KPATH_KDIFF_RULESET=${i}) on ${node.name}, ${p.label ?? ''}`;
      tally.add(await diffProbe(node, kp, prober, p, opts, ctx), ctx);
    }
  }
  return tally;
}
