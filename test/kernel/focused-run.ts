import { factText } from './compare.js';
import { diffProbe, kpathFrom, kpathNode, type DiffOptions } from './diff-run.js';
import { FOCUSED_CASES } from './focused-cases.js';
import type { Lab } from './lab.js';
import { labNodes } from './lab-nodes.js';
import { loadRules } from './node-lab.js';
import { Tally } from './tally.js';

/** Runs every focused case (one rule set and one probe each) on the shared lab nodes. */
export async function runFocusedCases(lab: Lab, opts: DiffOptions): Promise<Tally> {
  const tally = new Tally();
  const nodes = labNodes(lab, 'case');
  for (const c of FOCUSED_CASES) {
    const { node, prober } = nodes[c.node];
    loadRules(node.ns, c.iptables, c.ipset);
    prober.reset();
    const ctx = `focused case: ${c.name} (kernel: ${factText(c.kernel)}: ${c.kernel.why})`;
    const r = await diffProbe(node, kpathNode(node), prober, c.probe, opts, ctx);
    tally.add(r, ctx);
    // The case documents what the kernel does; say so when this kernel does something else.
    const seen = [...r.verdict.seen.keys()].map((sig) => sig.split(' | ')[0]);
    if (seen.some((f) => f !== factText(c.kernel))) tally.notes.push(`focused case "${c.name}": this kernel did ${seen.join(', ')}, the case documents ${factText(c.kernel)}`);
  }
  return tally;
}

/**
 * The harness must catch wrong predictions: kpath is handed a subtly wrong view (the dump with eth0
 * and tunl0 swapped in creation order; a statistic split of 0.9 where the kernel has 0.5) and each
 * comparison must disagree. Returns what was not caught.
 */
export async function selfCheck(lab: Lab, opts: DiffOptions): Promise<string[]> {
  const { node, prober } = labNodes(lab, 'case').calico;
  const missed: string[] = [];
  const swapped = (JSON.parse(node.addrJson) as { ifindex: number; ifname: string }[]).map((l) => {
    if (l.ifname === 'eth0') return { ...l, ifindex: 3 };
    if (l.ifname === 'tunl0') return { ...l, ifindex: 2 };
    return l;
  }).sort((a, b) => a.ifindex - b.ifindex);
  const base = { name: node.name, ipsetText: '', routeJson: node.routeJson, uplink: node.uplink, pods: new Map(node.pods.map((p) => [p.ip, p.iface])) };
  const masq = '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o cali+ -j MASQUERADE\nCOMMIT\n';
  const split = (p: string) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m statistic --mode random --probability ${p} -j DROP\nCOMMIT\n`;
  const probe = { from: { kind: 'outside' as const }, proto: 'tcp' as const, src: '198.51.100.7', sport: 40100, dst: '10.233.98.39', dport: 80 };
  const checks = [
    { what: 'MASQUERADE source from a dump in the wrong creation order', kernel: masq, kpath: kpathFrom({ ...base, iptablesText: masq, addrJson: JSON.stringify(swapped) }) },
    { what: 'a 0.9 split where the kernel has 0.5', kernel: split('0.5'), kpath: kpathFrom({ ...base, iptablesText: split('0.9'), addrJson: node.addrJson }) },
  ];
  for (const c of checks) {
    loadRules(node.ns, c.kernel, undefined);
    prober.reset();
    const r = await diffProbe(node, c.kpath, prober, probe, opts, `self-check: ${c.what}`);
    if (r.agreed) missed.push(c.what);
  }
  return missed;
}
