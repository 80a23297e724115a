import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import type { ProxierInput } from '../../src/kube/index.js';
import { renderProxierRules } from '../../src/kube/index.js';
import { LAYOUTS, demoWeb, mixedServices, nodeA } from '../kube/scenarios.js';

// Loads rendered dumps into iptables-legacy inside throwaway network namespaces and reads them back:
// if iptables-legacy-save prints exactly what the renderer wrote, the renderer writes iptables-save's
// own rendering (kube-proxy.md §1.3). IPVS itself is absent on these kernels (kernel-lab.md), so only
// the ipsets and iptables rules of IPVS mode are checked.

function run(cmd: string, args: readonly string[], stdin?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { input: stdin, encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'iptables-legacy-restore', 'iptables-legacy-save', 'ipset']) {
    if (!run('sh', ['-c', `command -v ${tool}`]).ok) return `${tool} not installed`;
  }
  if (!run('ip', ['netns', 'list']).ok) return '`ip netns` unavailable';
  return undefined;
}

const reason = whyNot();
if (reason !== undefined) console.log(`skipping proxier-rules kernel round trip: ${reason}`);

// nfacct objects must exist before a rule can name them, and no nfacct(8) is installed here: create
// them over NETLINK_NETFILTER (NFNL_SUBSYS_ACCT=7, NFNL_MSG_ACCT_NEW=0, attribute NFACCT_NAME=1).
const NFACCT_NEW_PY = `
import socket, struct, sys
for name in sys.argv[1:]:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
    nm = name.encode() + b'\\0'
    attr = struct.pack('HH', 4 + len(nm), 1) + nm
    attr += b'\\0' * ((4 - len(attr) % 4) % 4)
    body = struct.pack('BBH', 0, 0, 0) + attr
    s.send(struct.pack('IHHII', 16 + len(body), 7 << 8, 0x1 | 0x4 | 0x200 | 0x400, 1, 0) + body)
    reply = s.recv(4096)
    if struct.unpack('H', reply[4:6])[0] == 2 and struct.unpack('i', reply[16:20])[0] != 0:
        sys.exit('nfacct create failed for ' + name)
`;

const created: string[] = [];
let counter = 0;

function freshNamespace(): string {
  const name = `kpath-t-${process.pid}-${counter++}`;
  const r = run('ip', ['netns', 'add', name]);
  if (!r.ok) throw new Error(`ip netns add ${name}: ${r.err}`);
  created.push(name);
  return name;
}

function deleteNamespace(name: string): void {
  run('ip', ['netns', 'del', name]);
  const i = created.indexOf(name);
  if (i >= 0) created.splice(i, 1);
}

afterAll(() => {
  for (const name of [...created]) deleteNamespace(name);
});

/** Strips header comments and counters, keeping one table's lines. */
function normaliseSave(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'));
}

function tableBlocks(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of normaliseSave(text)) {
    if (line.startsWith('*')) {
      current = [line];
      blocks.set(line.slice(1), current);
    } else current?.push(line);
  }
  return blocks;
}

/** `ipset save` minus the ipset-version-dependent options; entries compared as sorted sets. */
function normaliseIpset(text: string): string[] {
  const creates: string[] = [];
  const adds: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('create ')) creates.push(line.replace(/ bucketsize \d+/, '').replace(/ initval 0x[0-9a-f]+/, ''));
    else if (line.startsWith('add ')) adds.push(line);
  }
  return [...creates, ...adds.sort()];
}

/** Whether this kernel has a feature, probed by loading one rule in a scratch namespace. */
function kernelAccepts(rules: string, prepare?: readonly string[]): boolean {
  if (reason !== undefined) return false;
  const ns = freshNamespace();
  try {
    if (prepare !== undefined && !run('ip', ['netns', 'exec', ns, ...prepare]).ok) return false;
    return run('ip', ['netns', 'exec', ns, 'iptables-legacy-restore'], rules).ok;
  } finally {
    deleteNamespace(ns);
  }
}

const NFACCT_COUNTERS = ['localhost_nps_accepted_pkts', 'ct_state_invalid_dropped_pkts'];
const hasNfacct = kernelAccepts(
  '*filter\n:X - [0:0]\n-A X -m nfacct --nfacct-name localhost_nps_accepted_pkts\nCOMMIT\n',
  ['python3', '-c', NFACCT_NEW_PY, ...NFACCT_COUNTERS]);
const hasIpvsMatch = kernelAccepts('*filter\n:X - [0:0]\n-A X -m ipvs --vaddr 10.0.0.1/32 -j DROP\nCOMMIT\n');
if (reason === undefined && !hasNfacct) console.log('nfacct rules not round-tripped: python3 or xt_nfacct missing');
if (reason === undefined && !hasIpvsMatch) {
  console.log('IPVS 1.31 KUBE-IPVS-OUT-FILTER rules not round-tripped: this kernel has no xt_ipvs (no IPVS)');
}

function roundTrip(input: ProxierInput): void {
  const rendered = renderProxierRules(input);
  const ns = freshNamespace();
  try {
    if (input.nfacct === true) {
      const r = run('ip', ['netns', 'exec', ns, 'python3', '-c', NFACCT_NEW_PY, ...NFACCT_COUNTERS]);
      expect(r.err, 'nfacct create').toBe('');
    }
    if (rendered.ipsetSave !== undefined) {
      const r = run('ip', ['netns', 'exec', ns, 'ipset', 'restore'], rendered.ipsetSave);
      expect(r.err, 'ipset restore').toBe('');
      expect(normaliseIpset(run('ip', ['netns', 'exec', ns, 'ipset', 'save']).out)).toEqual(normaliseIpset(rendered.ipsetSave));
    }
    const restore = run('ip', ['netns', 'exec', ns, 'iptables-legacy-restore'], rendered.iptablesSave);
    expect(restore.err, 'iptables-legacy-restore').toBe('');
    for (const [table, lines] of tableBlocks(rendered.iptablesSave)) {
      const saved = run('ip', ['netns', 'exec', ns, 'iptables-legacy-save', '-t', table]);
      expect(saved.ok, saved.err).toBe(true);
      expect(tableBlocks(saved.out).get(table)).toEqual(lines);
    }
  } finally {
    deleteNamespace(ns);
  }
}

describe.skipIf(reason !== undefined)('renderProxierRules survives iptables-legacy-restore/-save unchanged', () => {
  test('§1.16 LoadBalancer example (1.28, canaries)', () => {
    roundTrip(nodeA([demoWeb()], { generatedAt: 'Sat Nov 21 05:54:15 2026' }));
  });

  test.each(LAYOUTS)('mixed services, $mode $version', ({ mode, version }) => {
    let services = mixedServices();
    if (mode === 'ipvs' && version === '1.31' && !hasIpvsMatch) {
      // Allowing the node's own range means no KUBE-IPVS-OUT-FILTER (`-m ipvs`) rule is written.
      services = services.map((s) => (s.loadBalancerSourceRanges ? { ...s, loadBalancerSourceRanges: [...s.loadBalancerSourceRanges, '192.168.0.0/16'] } : s));
    }
    roundTrip(nodeA(services, { mode, version }));
  });

  test.each(LAYOUTS)('no detector, masqueradeAll, no random-fully, no canaries, $mode $version', ({ mode, version }) => {
    const services = mixedServices().map((s) => ({ ...s, loadBalancerSourceRanges: undefined }));
    roundTrip(nodeA(services, {
      mode, version, clusterCIDR: undefined, masqueradeAll: true, randomFully: false, includeCanaries: false,
    }));
  });

  test.skipIf(!hasNfacct)('1.31 with nfacct counters', () => {
    roundTrip(nodeA(mixedServices(), { version: '1.31', nfacct: true }));
  });

  test.skipIf(!hasIpvsMatch)('IPVS 1.31 KUBE-IPVS-OUT-FILTER', () => {
    roundTrip(nodeA(mixedServices(), { mode: 'ipvs', version: '1.31' }));
  });

  test('1.28: localhost NodePorts off, --nodeport-addresses, large-cluster mode', () => {
    roundTrip(nodeA(mixedServices(), { localhostNodePorts: false, largeClusterMode: true }));
    roundTrip(nodeA(mixedServices(), { nodePortAddresses: ['192.168.0.2', '127.0.0.1'] }));
  });
});
