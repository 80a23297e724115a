import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatKpathError, KpathError } from '../../../src/errors.js';
import { parseIpvsadm, type IpvsService, type IpvsTable } from '../../../src/netfilter/ipvs/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = 'fixtures/ipvs';

function load(name: string): IpvsTable {
  return parseIpvsadm(readFileSync(`${ROOT}${DIR}/${name}`, 'utf8'), `${DIR}/${name}`);
}

function errorOf(text: string, file = 't.txt'): KpathError {
  try {
    parseIpvsadm(text, file);
  } catch (err) {
    if (err instanceof KpathError) return err;
    throw err;
  }
  throw new Error('parseIpvsadm did not throw');
}

/** A table without what a save dump cannot carry: locations, connection counters, Local (saved as -g). */
function comparable(t: IpvsTable) {
  return t.services.map(({ loc: _loc, realServers, ...svc }) => ({
    ...svc,
    realServers: realServers.map(({ loc: _l, activeConn: _a, inactConn: _i, forward, ...rs }) => ({
      ...rs, forward: forward === 'Local' ? 'Route' : forward,
    })),
  }));
}

const HEAD = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
].join('\n');

describe('save and list forms hold the same table', () => {
  test.each([['kube-proxy-save.txt', 'kube-proxy-list.txt'], ['extras-save.txt', 'extras-list.txt']])('%s = %s', (save, list) => {
    expect(comparable(load(list))).toEqual(comparable(load(save)));
  });
});

describe('kube-proxy table', () => {
  const t = load('kube-proxy-save.txt');
  const svc = (key: string): IpvsService => {
    const s = t.services.find((x) => `${x.protocol} ${x.address ?? ''}:${x.port ?? ''}` === key);
    if (!s) throw new Error(`no service ${key}`);
    return s;
  };
  test('services in dump order, located at their -A line', () => {
    expect(t.file).toBe('fixtures/ipvs/kube-proxy-save.txt');
    expect(t.services.map((s) => `${s.protocol} ${s.address}:${s.port}`)).toEqual([
      'tcp 172.19.100.2:80', 'tcp 10.10.4.142:31778', 'tcp 10.233.0.1:443', 'tcp 10.233.0.3:53', 'tcp 10.233.36.144:80', 'udp 10.233.0.3:53',
    ]);
    expect(svc('tcp 172.19.100.2:80').loc).toEqual({ file: 'fixtures/ipvs/kube-proxy-save.txt', line: 1, column: 1 });
  });
  const cases = [
    { name: 'LB VIP, rr, three Masq endpoints', key: 'tcp 172.19.100.2:80',
      want: { family: 4, scheduler: 'rr', flags: [], realServers: ['10.233.98.39:80', '10.233.110.33:80', '10.233.125.24:80'] } },
    { name: 'ClientIP affinity is persistence', key: 'tcp 10.233.0.1:443', want: { persistent: 10800 } },
    { name: 'weight 0 (quiescent) is kept', key: 'udp 10.233.0.3:53', want: { weights: [1, 0] } },
  ];
  test.each(cases)('$name', ({ key, want }) => {
    const s = svc(key);
    if ('realServers' in want) {
      expect({ family: s.family, scheduler: s.scheduler, flags: s.flags, realServers: s.realServers.map((r) => `${r.address}:${r.port}`) })
        .toEqual(want);
      expect(s.realServers.every((r) => r.forward === 'Masq' && r.weight === 1)).toBe(true);
    }
    if ('persistent' in want) expect(s.persistent).toBe(want.persistent);
    if ('weights' in want) expect(s.realServers.map((r) => r.weight)).toEqual(want.weights);
  });
  test('list form carries connection counters', () => {
    const l = load('kube-proxy-list.txt');
    expect(l.services[0]!.realServers[0]).toMatchObject({ address: '10.233.98.39', activeConn: 0, inactConn: 2, loc: { line: 5, column: 3 } });
  });
});

describe('services of every shape', () => {
  const cases = [
    { name: 'save: SCTP service', text: '-A --sctp-service 10.0.0.9:3868 -s rr', want: { protocol: 'sctp', address: '10.0.0.9', port: 3868 } },
    { name: 'list: SCTP service', text: `${HEAD}\nSCTP 10.0.0.9:3868 rr`, want: { protocol: 'sctp', port: 3868 } },
    { name: 'save: UDP one-packet', text: '-A -u 10.0.0.9:53 -s rr -o', want: { protocol: 'udp', flags: ['ops'] } },
    { name: 'save: IPv6 VIP, canonical address', text: '-A -t [FD00:0:0::0001]:80 -s rr', want: { family: 6, address: 'fd00::1', port: 80 } },
    { name: 'list: IPv6 VIP', text: `${HEAD}\nTCP  [fd00:10:233::a]:443 rr`, want: { family: 6, address: 'fd00:10:233::a' } },
    { name: 'save: fwmark', text: '-A -f 1 -s rr', want: { protocol: 'fwmark', fwmark: 1, family: 4 } },
    { name: 'save: IPv6 fwmark', text: '-A -f 7 -6 -s rr', want: { protocol: 'fwmark', fwmark: 7, family: 6 } },
    { name: 'list: IPv6 fwmark', text: `${HEAD}\nFWM  7 IPv6 rr`, want: { fwmark: 7, family: 6 } },
    { name: 'save: mark ≥ 2^31 printed with %d', text: '-A -f -2147483648 -s rr', want: { fwmark: 2147483648 } },
    { name: 'list: mark ≥ 2^31 printed with %d', text: `${HEAD}\nFWM  -1 rr`, want: { fwmark: 4294967295 } },
    { name: 'save: persistence with mask and pe', text: '-A -u 10.0.0.9:5060 -s rr -p 60 -M 255.255.255.0 --pe sip',
      want: { persistent: 60, netmask: '255.255.255.0', persistenceEngine: 'sip' } },
    { name: 'list: persistence with mask and pe', text: `${HEAD}\nUDP  10.0.0.9:5060 rr persistent 60 mask 255.255.255.0 pe sip`,
      want: { persistent: 60, netmask: '255.255.255.0', persistenceEngine: 'sip' } },
    { name: 'save: -p without a value is 300 s', text: '-A -t 10.0.0.9:80 -s rr -p', want: { persistent: 300 } },
    { name: 'save: sh flags', text: '-A -t 10.0.0.9:80 -s sh -b sh-fallback,sh-port', want: { scheduler: 'sh', flags: ['sh-fallback', 'sh-port'] } },
    { name: 'list: sh flags then ops', text: `${HEAD}\nUDP  10.0.0.9:80 sh (sh-port) ops`, want: { flags: ['sh-port', 'ops'] } },
    { name: 'save: no -s means wlc', text: '-A -t 10.0.0.9:80', want: { scheduler: 'wlc' } },
    { name: 'save: long option spellings', text: '--add-service --tcp-service 10.0.0.9:80 --scheduler lc --persistent 5', want: { scheduler: 'lc', persistent: 5 } },
    { name: 'list: no version line (ipvsadm -Ln -t VIP)', text: 'Prot LocalAddress:Port Scheduler Flags\nTCP  10.0.0.9:80 rr', want: { port: 80 } },
    { name: 'save: CRLF and comments', text: '# ipvsadm-save -n\r\n-A -t 10.0.0.9:80 -s rr\r\n', want: { scheduler: 'rr' } },
  ];
  test.each(cases)('$name', ({ text, want }) => {
    const t = parseIpvsadm(text, 't.txt');
    expect(t.services).toHaveLength(1);
    expect(t.services[0]).toMatchObject(want);
  });
  test('fwmark services carry no address or port', () => {
    const s = parseIpvsadm('-A -f 1 -s rr', 't.txt').services[0]!;
    expect('address' in s || 'port' in s).toBe(false);
  });
  test('empty dumps are empty tables', () => {
    expect(parseIpvsadm('', 'e.txt')).toEqual({ file: 'e.txt', services: [] });
    expect(parseIpvsadm(`${HEAD}\n`, 'e.txt').services).toEqual([]);
  });
});

describe('real servers', () => {
  const cases = [
    { name: 'save: -m is Masq', text: '-A -t 1.1.1.1:80 -s rr\n-a -t 1.1.1.1:80 -r 10.0.0.1:8080 -m -w 1', want: { forward: 'Masq', port: 8080, weight: 1 } },
    { name: 'save: -g is Route (Local saves as -g)', text: '-A -t 1.1.1.1:80 -s rr\n-a -t 1.1.1.1:80 -r 10.0.0.1:80 -g -w 3', want: { forward: 'Route', weight: 3 } },
    { name: 'save: -i with tunnel options is Tunnel', text: '-A -t 1.1.1.1:80 -s rr\n-a -t 1.1.1.1:80 -r 10.0.0.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum', want: { forward: 'Tunnel' } },
    { name: 'save: defaults are -g and weight 1', text: '-A -t 1.1.1.1:80 -s rr\n-a -t 1.1.1.1:80 -r 10.0.0.1:80', want: { forward: 'Route', weight: 1 } },
    { name: 'save: weight 0', text: '-A -t 1.1.1.1:80 -s rr\n-a -t 1.1.1.1:80 -r 10.0.0.1:80 -m -w 0', want: { weight: 0 } },
    { name: 'save: fwmark real server port 0', text: '-A -f 3 -s rr\n-a -f 3 -r 10.0.0.1:0 -m -w 1', want: { address: '10.0.0.1', port: 0 } },
    { name: 'save: IPv6 real server', text: '-A -t [fd00::1]:80 -s rr\n-a -t [fd00::1]:80 -r [fd00:10:244::5]:8080 -m -w 1', want: { address: 'fd00:10:244::5', port: 8080 } },
    { name: 'list: Local', text: `${HEAD}\nTCP  1.1.1.1:80 rr\n  -> 10.0.0.1:80                  Local   1      0          0`, want: { forward: 'Local', activeConn: 0 } },
    { name: 'list: Route with counters', text: `${HEAD}\nTCP  1.1.1.1:80 rr\n  -> 10.0.0.1:80                  Route   2      17         4`, want: { forward: 'Route', weight: 2, activeConn: 17, inactConn: 4 } },
    { name: 'list: --tun-info column', text: 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\nTCP  1.1.1.1:80 rr\n  -> 10.0.0.1:80                  Tunnel  ipip          1      0          0',
      want: { forward: 'Tunnel', weight: 1 } },
  ];
  test.each(cases)('$name', ({ text, want }) => {
    const rs = parseIpvsadm(text, 't.txt').services[0]!.realServers;
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ ...want, loc: { file: 't.txt', line: text.split('\n').length } });
  });
});

describe('malformed lines', () => {
  const S = '-A -t 10.0.0.9:80 -s rr';
  const cases = [
    { name: 'neither format', text: 'hello world', code: 'E_IPVS_BAD_LINE', line: 1, column: 1 },
    { name: 'save: unknown command', text: `${S}\n-D -t 10.0.0.9:80`, code: 'E_IPVS_BAD_LINE', line: 2, column: 1 },
    { name: 'save: no virtual service', text: '-A -s rr', code: 'E_IPVS_BAD_LINE', line: 1, column: 9 },
    { name: 'save: two virtual services', text: '-A -t 10.0.0.9:80 -u 10.0.0.9:80 -s rr', code: 'E_IPVS_BAD_LINE', line: 1, column: 19 },
    { name: 'save: two forwarding methods', text: `${S}\n-a -t 10.0.0.9:80 -r 10.1.1.1:80 -m -g -w 1`, code: 'E_IPVS_BAD_LINE', line: 2, column: 37 },
    { name: 'save: -6 on an address service', text: '-A -t 10.0.0.9:80 -6 -s rr', code: 'E_IPVS_BAD_LINE', line: 1, column: 19 },
    { name: 'save: -M without -p', text: '-A -t 10.0.0.9:80 -s rr -M 255.255.255.0', code: 'E_IPVS_BAD_LINE', line: 1, column: 25 },
    { name: 'save: real server without -r', text: `${S}\n-a -t 10.0.0.9:80 -m -w 1`, code: 'E_IPVS_BAD_LINE', line: 2, column: 26 },
    { name: 'save: address without a port', text: '-A -t 10.0.0.9 -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 7 },
    { name: 'save: not an address', text: '-A -t 10.0.0.999:80 -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 7 },
    { name: 'save: host name (no -n)', text: '-A -t kubernetes.default:https -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 7 },
    { name: 'save: port out of range', text: '-A -t 10.0.0.9:65536 -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 16 },
    { name: 'save: IPv6 bracket not closed', text: '-A -t [fd00::1:80 -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 7 },
    { name: 'save: IPv4 in brackets', text: '-A -t [10.0.0.9]:80 -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 8 },
    { name: 'save: persistence 0', text: `${S} -p 0`, code: 'E_IPVS_BAD_VALUE', line: 1, column: 28 },
    { name: 'save: persistence over 31 days', text: '-A -t 10.0.0.9:80 -s rr -p 2678401', code: 'E_IPVS_BAD_VALUE', line: 1, column: 28 },
    { name: 'save: IPv6 mask over 128', text: '-A -t [fd00::1]:80 -s rr -p 5 -M 129', code: 'E_IPVS_BAD_VALUE', line: 1, column: 34 },
    { name: 'save: dotted mask that is not one', text: '-A -t 10.0.0.9:80 -s rr -p 5 -M 24', code: 'E_IPVS_BAD_VALUE', line: 1, column: 33 },
    { name: 'save: unknown scheduler flag', text: '-A -t 10.0.0.9:80 -s sh -b sh-fallback,sticky', code: 'E_IPVS_BAD_VALUE', line: 1, column: 40 },
    { name: 'save: weight over INT_MAX', text: `${S}\n-a -t 10.0.0.9:80 -r 10.1.1.1:80 -m -w 2147483648`, code: 'E_IPVS_BAD_VALUE', line: 2, column: 40 },
    { name: 'save: bad tunnel type', text: `${S}\n-a -t 10.0.0.9:80 -r 10.1.1.1:80 -i -w 1 --tun-type vxlan`, code: 'E_IPVS_BAD_VALUE', line: 2, column: 53 },
    { name: 'save: fwmark not a number', text: '-A -f one -s rr', code: 'E_IPVS_BAD_VALUE', line: 1, column: 7 },
    { name: 'save: real server of another family of fwmark', text: '-A -f 1 -s rr\n-a -f 1 -6 -r [fd00::1]:0 -m -w 1', code: 'E_IPVS_BAD_LINE', line: 2, column: 7 },
    { name: 'list: unknown row', text: `${HEAD}\nICMP 10.0.0.9:0 rr`, code: 'E_IPVS_BAD_LINE', line: 4, column: 1 },
    { name: 'list: service without scheduler', text: `${HEAD}\nTCP  10.0.0.9:80`, code: 'E_IPVS_BAD_LINE', line: 4, column: 17 },
    { name: 'list: unknown service flag', text: `${HEAD}\nTCP  10.0.0.9:80 rr sticky`, code: 'E_IPVS_BAD_LINE', line: 4, column: 21 },
    { name: 'list: mask before persistent', text: `${HEAD}\nTCP  10.0.0.9:80 rr mask 255.255.255.0`, code: 'E_IPVS_BAD_LINE', line: 4, column: 21 },
    { name: 'list: persistent without timeout', text: `${HEAD}\nTCP  10.0.0.9:80 rr persistent`, code: 'E_IPVS_BAD_VALUE', line: 4, column: 31 },
    { name: 'list: flags not in parentheses', text: `${HEAD}\nTCP  10.0.0.9:80 sh (sh-port`, code: 'E_IPVS_BAD_VALUE', line: 4, column: 21 },
    { name: 'list: sh flag on rr', text: `${HEAD}\nTCP  10.0.0.9:80 rr (sh-port)`, code: 'E_IPVS_BAD_VALUE', line: 4, column: 22 },
    { name: 'list: duplicate service', text: `${HEAD}\nTCP  10.0.0.9:80 rr\nTCP  10.0.0.9:80 wlc`, code: 'E_IPVS_BAD_LINE', line: 5, column: 6 },
    { name: 'list: row missing InActConn', text: `${HEAD}\nTCP  10.0.0.9:80 rr\n  -> 10.1.1.1:80 Masq 1 0`, code: 'E_IPVS_BAD_LINE', line: 5, column: 26 },
    { name: 'list: extra column', text: `${HEAD}\nTCP  10.0.0.9:80 rr\n  -> 10.1.1.1:80 Masq 1 0 0 9`, code: 'E_IPVS_BAD_LINE', line: 5, column: 29 },
    { name: 'list: weight not a number', text: `${HEAD}\nTCP  10.0.0.9:80 rr\n  -> 10.1.1.1:80 Masq x 0 0`, code: 'E_IPVS_BAD_VALUE', line: 5, column: 23 },
    { name: 'list: truncated host name (no -n)', text: `${HEAD}\nTCP  ip-10-45-0-1.ap-southeast-1. rr`, code: 'E_IPVS_BAD_VALUE', line: 4, column: 6 },
  ];
  test.each(cases)('$name', ({ text, code, line, column }) => {
    const err = errorOf(text);
    expect({ code: err.code, line: err.loc?.line, column: err.loc?.column }).toEqual({ code, line, column });
    expect(err.loc?.file).toBe('t.txt');
    expect(err.token).toBeDefined();
    expect(err.sourceLine).toBe(text.split('\n')[line - 1]!.replace(/\r$/, ''));
  });
});

describe('seed situation 003 node dumps (fixtures/snapshots/ipvs-seed-003*)', () => {
  // kube-proxy 1.19: Cluster policy sends the VIP to every endpoint; Local only to the node's own,
  // and on a node without one (cy01-ceph144) to none — the fallback to all came after 1.19.
  const ALL = ['10.233.98.39', '10.233.110.33', '10.233.125.24'];
  const cases = [
    { dir: 'ipvs-seed-003', node: 'cy01-ceph141', form: 'save', vip: ALL },
    { dir: 'ipvs-seed-003', node: 'cy01-ceph142', form: 'save', vip: ALL },
    { dir: 'ipvs-seed-003', node: 'cy01-ceph143', form: 'list', vip: ALL },
    { dir: 'ipvs-seed-003', node: 'cy01-ceph144', form: 'list', vip: ALL },
    { dir: 'ipvs-seed-003-local', node: 'cy01-ceph141', form: 'save', vip: ['10.233.110.33'] },
    { dir: 'ipvs-seed-003-local', node: 'cy01-ceph142', form: 'save', vip: ['10.233.98.39'] },
    { dir: 'ipvs-seed-003-local', node: 'cy01-ceph143', form: 'list', vip: ['10.233.125.24'] },
    { dir: 'ipvs-seed-003-local', node: 'cy01-ceph144', form: 'list', vip: [] },
  ];
  test.each(cases)('$dir $node ($form form)', ({ dir, node, form, vip }) => {
    const file = `fixtures/snapshots/${dir}/nodes/${node}/ipvsadm.txt`;
    const text = readFileSync(`${ROOT}${file}`, 'utf8');
    expect(text.startsWith('IP Virtual Server') ? 'list' : 'save').toBe(form);
    const rs = (addr: string, port: number) => parseIpvsadm(text, file).services
      .find((s) => s.address === addr && s.port === port)?.realServers.map((r) => `${r.address}:${r.port} ${r.forward} ${r.weight}`);
    const want = (ips: readonly string[]) => ips.map((ip) => `${ip}:80 Masq 1`);
    expect(rs('172.19.100.2', 80)).toEqual(want(vip));
    expect(rs(`10.10.4.${node.slice(-3)}`, 31778)).toEqual(want(vip));
    expect(rs('127.0.0.1', 31778)).toEqual(want(vip));
    expect(rs('10.233.36.144', 80)).toEqual(want(ALL));
  });
});

const BAD_FILES = [
  { file: 'bad-not-ipvsadm.txt', code: 'E_IPVS_BAD_LINE', line: 1, column: 1 },
  { file: 'bad-service-name-port.txt', code: 'E_IPVS_BAD_VALUE', line: 4, column: 17 },
  { file: 'bad-forward.txt', code: 'E_IPVS_BAD_VALUE', line: 5, column: 35 },
  { file: 'bad-real-server-first.txt', code: 'E_IPVS_BAD_LINE', line: 4, column: 3 },
  { file: 'bad-stats-list.txt', code: 'E_IPVS_BAD_LINE', line: 2, column: 1 },
  { file: 'bad-fwmark-zero.txt', code: 'E_IPVS_BAD_VALUE', line: 4, column: 6 },
  { file: 'bad-undeclared-service.txt', code: 'E_IPVS_BAD_LINE', line: 3, column: 7 },
  { file: 'bad-duplicate-service.txt', code: 'E_IPVS_BAD_LINE', line: 3, column: 7 },
  { file: 'bad-weight.txt', code: 'E_IPVS_BAD_VALUE', line: 2, column: 45 },
  { file: 'bad-ipv6-unbracketed.txt', code: 'E_IPVS_BAD_VALUE', line: 1, column: 7 },
  { file: 'bad-sched-flag.txt', code: 'E_IPVS_BAD_VALUE', line: 1, column: 32 },
  { file: 'bad-unknown-option.txt', code: 'E_IPVS_BAD_LINE', line: 2, column: 50 },
  { file: 'bad-missing-value.txt', code: 'E_IPVS_BAD_VALUE', line: 2, column: 26 },
];

describe('fixtures/ipvs/bad-*.txt fail with a positioned error', () => {
  test('every bad fixture is listed', () => {
    const onDisk = readdirSync(`${ROOT}${DIR}`).filter((f) => f.startsWith('bad-')).sort();
    expect(BAD_FILES.map((b) => b.file).sort()).toEqual(onDisk);
  });
  test.each(BAD_FILES)('$file', async ({ file, code, line, column }) => {
    let err: unknown;
    try {
      load(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KpathError);
    const k = err as KpathError;
    expect({ code: k.code, file: k.loc?.file, line: k.loc?.line, column: k.loc?.column }).toEqual({ code, file: `${DIR}/${file}`, line, column });
    await expect(`${formatKpathError(k)}\n`).toMatchFileSnapshot(`golden/${file}`);
  });
});
