import { describe, expect, test } from 'vitest';
import { factText, outcomeFact } from './compare.js';
import { kpathFrom } from './diff-run.js';
import { FOCUSED_CASES } from './focused-cases.js';
import { fixtureNode } from './fixture-nodes.js';

// The focused kernel cases without a kernel: kpath on the fixture dumps must give, for every branch,
// what the kernel did in the lab (recorded in focused-cases.ts). Runs anywhere, no root needed; the
// kernel-backed twin is the "focused cases" part of kernel-diff.test.ts, which also notes when a
// kernel stops doing what a case records.

describe('kernel-recorded answers of the focused cases', () => {
  test.each(FOCUSED_CASES.map((c) => ({ ...c, label: c.name })))('$label', (c) => {
    const fx = fixtureNode(c.node);
    const kp = kpathFrom({
      name: c.node, iptablesText: c.iptables, ipsetText: c.ipset ?? '', addrJson: fx.dumps.addrJson, routeJson: fx.dumps.routeJson,
      uplink: fx.uplink, pods: fx.pods,
    });
    const trace = kp.trace(c.probe);
    // Branches that differ only in the rules they pass show the same fact; their shares add up.
    const shares = new Map<string, number>();
    for (const o of trace.outcomes) {
      const fact = o.disposition === 'unknown' ? `unknown: ${o.unknown?.reason ?? ''}` : outcomeFact(o);
      shares.set(fact, (shares.get(fact) ?? 0) + o.probability);
    }
    const facts = [...shares].map(([fact, p]) => `${(p * 100).toFixed(1)}% ${fact}`);
    expect(facts, `kernel: ${c.kernel.why}`).toEqual([`100.0% ${factText(c.kernel)}`]);
  });
});
