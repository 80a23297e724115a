// Kernel check: restores fixtures/ipset/membership-save.txt into a fresh network namespace, sends each
// probe packet through raw OUTPUT with an iptables-legacy `-m set --match-set SET DIRS` rule, and
// compares the rule's counter with testSet. Needs root, ip netns, ipset, iptables-legacy,
// ip6tables-legacy and python3 (for raw packets); skips with the reason otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatIp } from '../../src/netfilter/cidr.js';
import { indexIpsets, testSet, type IpsetPacket } from '../../src/netfilter/ipset/index.js';
import { fixturePath, loadFixture } from '../netfilter/ipset/fixture.js';
import { dirsOf, packet, PROBES, type Probe } from '../netfilter/ipset/probes.js';

const NS = `kpath-t-ipset-${process.pid}`;
const SENDER = fileURLToPath(new URL('./send-packets.py', import.meta.url));
/** Interfaces named after the ones in the IFACES set; ifb devices are up, NOARP, and drop what they get. */
const DEVICES = ['kp0', 'eth0', 'eth1', 'eth2', 'veth7', 've'];

function missingTool(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  for (const [cmd, arg] of [['ip', '-V'], ['ipset', '--version'], ['iptables-legacy', '--version'], ['ip6tables-legacy', '--version'], ['python3', '--version']] as const) {
    if (spawnSync(cmd, [arg]).status !== 0) return `${cmd} is not available`;
  }
  return undefined;
}

const skipReason = missingTool();
if (skipReason) console.log(`skipping ipset kernel check: ${skipReason}`);

function inNs(cmd: string, args: readonly string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', NS, cmd, ...args], { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
}

function ruleKey(p: Probe): string {
  return `${p.set} ${p.dirs}${p.returnNomatch ? ' --return-nomatch' : ''}`;
}

function wire(pkt: IpsetPacket) {
  return {
    family: pkt.family, proto: pkt.proto, src: formatIp(pkt.src), dst: formatIp(pkt.dst),
    sport: pkt.sport, dport: pkt.dport, icmpType: pkt.icmpType, icmpCode: pkt.icmpCode,
  };
}

describe.skipIf(skipReason !== undefined)('ipset membership agrees with the kernel', () => {
  const probes = PROBES.filter((p) => p.kernel !== false);
  const rules = { 4: [] as string[], 6: [] as string[] };

  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs('ip', ['link', 'set', 'lo', 'up']);
    for (const dev of DEVICES) {
      inNs('ip', ['link', 'add', dev, 'type', 'ifb']);
      inNs('ip', ['link', 'set', dev, 'up']);
    }
    inNs('ip', ['route', 'add', 'default', 'dev', 'kp0']);
    inNs('ip', ['-6', 'route', 'add', 'default', 'dev', 'kp0']);
    inNs('ipset', ['restore', '-file', fixturePath('membership-save.txt')]);
    for (const p of probes) {
      const pkt = packet(p.pkt);
      // The output device is the route's: give each oif probe a host route through the named device.
      if (pkt.oif) inNs('ip', ['route', 'replace', `${formatIp(pkt.dst)}/${pkt.family === 4 ? 32 : 128}`, 'dev', pkt.oif]);
      const list = rules[pkt.family];
      if (list.includes(ruleKey(p))) continue;
      list.push(ruleKey(p));
      const args = ['-t', 'raw', '-A', 'OUTPUT', '-m', 'set', '--match-set', p.set, p.dirs, ...(p.returnNomatch ? ['--return-nomatch'] : [])];
      inNs(pkt.family === 4 ? 'iptables-legacy' : 'ip6tables-legacy', args);
    }
  });

  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
  });

  const index = indexIpsets(loadFixture('membership-save.txt'));

  test.each(probes)('$name', (p) => {
    const pkt = packet(p.pkt);
    const tool = pkt.family === 4 ? 'iptables-legacy' : 'ip6tables-legacy';
    const script = `${tool} -t raw -Z OUTPUT && python3 '${SENDER}' '${JSON.stringify([wire(pkt)])}' && ${tool} -t raw -L OUTPUT -v -x -n --line-numbers`;
    const out = inNs('sh', ['-c', script]);
    const num = rules[pkt.family].indexOf(ruleKey(p)) + 1;
    const row = out.split('\n').find((l) => l.trim().startsWith(`${num} `));
    expect(row, `rule ${num} (${ruleKey(p)}) in:\n${out}`).toBeDefined();
    const kernelMatched = Number(row!.trim().split(/\s+/)[1]) > 0;
    const ours = testSet(index, p.set, dirsOf(p.dirs), { ...pkt, iif: pkt.iif ?? '' }, { returnNomatch: p.returnNomatch ?? false });
    const kernel = kernelMatched ? 'match' : 'no match';
    const kpath = ours.result === 'match' ? 'match' : 'no match';
    expect(kpath, `kpath says ${ours.result} (${ours.reason ?? 'no reason'}); iptables counted ${row!}`).toBe(kernel);
  });
});
