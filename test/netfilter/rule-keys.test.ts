import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderProxierRules, type KubeProxyVersion, type ProxierInput, type ServiceSpec } from '../../src/kube/index.js';
import { KpathError } from '../../src/errors.js';
import { parseIptablesSave } from '../../src/netfilter/iptables/parse.js';
import type { RuleKeys } from '../../src/netfilter/model.js';
import { ruleKeysFromMatches, ruleKeysFromText } from '../../src/netfilter/rule-keys.js';

// A chain index files a rule under keys read from its text (lazy parsing) or from its parsed
// matches. A key read from text must be the parsed rule's key, or the index would skip a rule the
// packet matches; giving none is always safe (the rule is then checked for every packet).

const key = (k: RuleKeys): string => (k.dst !== undefined ? `dst ${k.dst}` : k.dport !== undefined ? `dport ${k.dport}` : 'none');

describe('keys read from a rule line', () => {
  const cases: { line: string; want: string }[] = [
    { line: '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-SVC-X', want: `dst 4:${(10n << 24n) + (96n << 16n) + 10n}` },
    { line: '-A KUBE-NODEPORTS -p tcp -m comment --comment "ns/web:http" -m tcp --dport 30080 -j KUBE-EXT-X', want: 'dport 30080' },
    { line: '-A KUBE-SERVICES ! -d 10.96.0.10/32 -p tcp -m tcp --dport 53 -j RETURN', want: 'dport 53' },
    { line: '-A KUBE-SERVICES -d 10.96.0.0/12 -p tcp -m tcp --dport 53 -j RETURN', want: 'dport 53' },
    { line: '-A KUBE-NODEPORTS -p tcp -m tcp ! --dport 30080 -j RETURN', want: 'none' },
    { line: '-A KUBE-NODEPORTS -p tcp -m tcp --dport 30000:30100 -j RETURN', want: 'none' },
    { line: '-A KUBE-NODEPORTS -p tcp -m multiport --dports 80,443 -j RETURN', want: 'none' },
    // Options spelled inside a quoted comment are not options.
    { line: '-A X -m comment --comment "-d 10.0.0.1/32 -m tcp --dport 80" -j RETURN', want: 'none' },
    { line: '-A X -m comment --comment "a \\" -m tcp --dport 80" -j RETURN', want: 'none' },
    { line: '-A X -p udp -m comment --comment "x -j y" -m udp --sport 53 --dport 5353 -j RETURN', want: 'dport 5353' },
    { line: '-A X -d 10.0.0.1/32 -j RETURN', want: `dst 4:${(10n << 24n) + 1n}` },
    { line: '-A X -d 10.0.0.1 -j RETURN', want: `dst 4:${(10n << 24n) + 1n}` },
    { line: '-A X -d 010.0.0.1/32 -j RETURN', want: `dst 4:${(10n << 24n) + 1n}` },
    { line: '-A X -d 10.0.0.1/32', want: `dst 4:${(10n << 24n) + 1n}` },
    { line: '-A X -d 10.0.0.1/24 -p tcp -m tcp --dport 80 -j RETURN', want: 'dport 80' },
    { line: '-A X -d 10.0.0.1000/32 -p tcp -m tcp --dport 80 -j RETURN', want: 'error' },
    { line: '-A X -d 255.255.255.255/32 -j RETURN', want: `dst 4:${(1n << 32n) - 1n}` },
    { line: '-A X -d 256.0.0.1/32 -p tcp -m tcp --dport 80 -j RETURN', want: 'error' },
  ];
  test.each(cases)('$line → $want', ({ line, want }) => {
    const chain = /^-A (\S+)/.exec(line)![1]!;
    const dump = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', `:${chain} - [0:0]`, ':KUBE-SVC-X - [0:0]', ':KUBE-EXT-X - [0:0]', line, 'COMMIT', ''].join('\n');
    if (want === 'error') {
      // Not an address: the parser rejects the rule, and the text must not give an address key.
      expect(() => parseIptablesSave(dump, { file: 't' })).toThrow(KpathError);
      expect(key(ruleKeysFromText(line))).not.toMatch(/^dst/);
      return;
    }
    expect(key(ruleKeysFromText(line))).toBe(want);
    // and what the parsed rule says, for the same line
    const rule = parseIptablesSave(dump, { file: 't' }).tables.get('nat')!.chains.get(chain)!.rules[0]!;
    expect(key(ruleKeysFromMatches(rule.matches))).toBe(want);
  });
});

describe('odd lines: the text never claims a key the parsed rule lacks', () => {
  const lines = [
    '-A X -i " -d 1.1.1.1/32 "',
    '-A X -i x\v-d\v1.2.3.4/32 -j RETURN',
    '-A X -i x\f-d 1.2.3.4/32 -j RETURN',
    '-A X\t-d 1.2.3.4/32 -j RETURN',
    '-A X -p tcp -m comment --comment "\\\r" -m comment --comment " -m tcp --dport 80 -j x" -j RETURN',
    '-A X -p tcp -m comment --comment "\\\u2028" -m comment --comment " -m tcp --dport 80 -j x" -j RETURN',
    '-A X -p tcp -m comment --comment "open -m tcp --dport 80 -j RETURN',
    '-A X -d 1.2.3.4/32\t-j RETURN',
    '-A X\t-d\t1.2.3.4/32\t-j\tRETURN',
    '-A X -p tcp -m tcp\t--dport\t80\t-j RETURN',
    '-A X -p tcp -m tcp ! --sport 1 --dport 80 -j RETURN',
  ];
  test.each(lines.map((line) => ({ line })))('$line', ({ line }) => {
    const dump = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':X - [0:0]', line, 'COMMIT', ''].join('\n');
    const fromText = key(ruleKeysFromText(line));
    let parsed: string;
    try {
      parsed = key(ruleKeysFromMatches(parseIptablesSave(dump, { file: 't' }).tables.get('nat')!.chains.get('X')!.rules[0]!.matches));
    } catch (e) {
      expect(e).toBeInstanceOf(KpathError);
      // An unreadable rule must stay a candidate for every packet, so that its error is reported.
      expect(fromText).toBe('none');
      return;
    }
    if (fromText !== 'none') expect(fromText).toBe(parsed);
  });
});

function svc(i: number, extra: Partial<ServiceSpec>): ServiceSpec {
  return {
    namespace: 'ns', name: `s${i}`, type: 'LoadBalancer', clusterIP: `172.30.0.${i}`, loadBalancerIPs: [`1.2.3.${i}`], externalIPs: [`5.6.7.${i}`],
    ports: [{ name: 'p', port: 80, protocol: i % 2 ? 'TCP' : 'UDP', nodePort: 30000 + i, targetPort: 8080 }],
    endpoints: [{ ip: `10.180.0.${i}`, nodeName: 'node-a' }, { ip: `10.180.1.${i}`, nodeName: 'node-b' }],
    ...extra,
  };
}

function dumps(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const services = [
    svc(1, {}), svc(2, { externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 }), svc(3, { internalTrafficPolicy: 'Local' }),
    svc(4, { loadBalancerSourceRanges: ['192.0.2.0/24'] }), svc(5, { sessionAffinity: { timeoutSeconds: 600 } }), svc(6, { endpoints: [] }),
  ];
  for (const version of ['1.19', '1.23', '1.28', '1.31'] as KubeProxyVersion[]) {
    for (const mode of ['iptables', 'ipvs'] as const) {
      const input: ProxierInput = { nodeName: 'node-a', nodeIPs: ['192.168.0.2'], family: 4, mode, version, clusterCIDR: '10.180.0.0/16', randomFully: true, services };
      out.push({ name: `kube-proxy ${version} ${mode}`, text: renderProxierRules(input).iptablesSave });
    }
  }
  const root = 'fixtures/snapshots';
  for (const s of readdirSync(root)) {
    const nodes = join(root, s, 'nodes');
    if (!existsSync(nodes)) continue;
    for (const n of readdirSync(nodes)) {
      const f = join(nodes, n, 'iptables-save.txt');
      if (existsSync(f)) out.push({ name: f, text: readFileSync(f, 'utf8') });
    }
  }
  return out;
}

describe('keys from text agree with keys from parsed rules', () => {
  test.each(dumps())('$name', ({ text }) => {
    const rs = parseIptablesSave(text, { file: 'd' });
    let compared = 0;
    let keyed = 0;
    for (const table of rs.tables.values()) {
      for (const chain of table.chains.values()) {
        for (const rule of chain.rules) {
          const fromText = key(ruleKeysFromText(rule.raw));
          // Rules in these dumps are all in iptables-save's own shape, so the text gives the full key.
          expect(fromText, rule.raw).toBe(key(ruleKeysFromMatches(rule.matches)));
          compared++;
          if (fromText !== 'none') keyed++;
        }
      }
    }
    expect(compared).toBeGreaterThan(0);
    // iptables-mode dumps file their Service rules under keys (IPVS mode has no per-Service rules).
    if (/^-A KUBE-SERVICES -d /m.test(text)) expect(keyed).toBeGreaterThan(0);
  });
});
