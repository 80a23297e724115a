import { renderProxierRules } from '../../src/kube/index.js';
import { Prober, diffProbe, kpathNode, type DiffOptions } from './diff-run.js';
import { withKubeIpvs0, type KubeScenario } from './kube-scenarios.js';
import type { Lab } from './lab.js';
import { buildNode, loadRules } from './node-lab.js';
import { Tally } from './tally.js';

/**
 * Rules this kernel cannot load: `-m ipvs` (xt_ipvs is not built here). They are removed before
 * loading, and kpath reads the kernel's own dump, so both sides see the same rules; the removal is
 * noted in the summary.
 */
function loadable(text: string, notes: string[], label: string): string {
  const kept = text.split('\n').filter((l) => {
    if (!/ -m ipvs /.test(l)) return true;
    notes.push(`${label}: dropped a rule the kernel cannot load (no xt_ipvs): ${l}`);
    return false;
  });
  return kept.join('\n');
}

/** Builds the scenario's node once, then loads each layout's rules and diffs its probes. */
export async function runKubeScenario(lab: Lab, sc: KubeScenario, opts: DiffOptions): Promise<Tally> {
  const tally = new Tally();
  const rendered = sc.layouts.map((l) => ({ layout: l, rules: renderProxierRules(l.input) }));
  const vips = [...new Set(rendered.flatMap((r) => r.rules.kubeIpvs0Addrs ?? []))];
  const addrJson = sc.kubeIpvs0 ? withKubeIpvs0(sc.dumps.addrJson, vips) : sc.dumps.addrJson;
  const first = rendered[0]!;
  const node = buildNode(lab, {
    name: sc.name, dumps: { addrJson, routeJson: sc.dumps.routeJson }, sysctls: sc.sysctls,
    iptablesSave: loadable(first.rules.iptablesSave, tally.notes, first.layout.label), ipsetSave: first.rules.ipsetSave,
  });
  if (node.missingRoutes.length > 0) throw new Error(`${sc.name}: the built namespace lacks routes of the dump: ${node.missingRoutes.join('; ')}`);
  const prober = new Prober(node);
  for (const [i, { layout, rules }] of rendered.entries()) {
    if (i > 0) {
      loadRules(node.ns, loadable(rules.iptablesSave, tally.notes, layout.label), rules.ipsetSave);
      prober.reset();
    }
    const kp = kpathNode(node);
    const o = { ...opts, repeats: Math.min(opts.repeats, layout.repeats ?? opts.repeats) };
    for (const p of layout.probes) {
      const ctx = `${sc.name} / ${layout.label} / ${p.label ?? ''}`;
      tally.add(await diffProbe(node, kp, prober, p, o, ctx), ctx);
    }
  }
  return tally;
}
