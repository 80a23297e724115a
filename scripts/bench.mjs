#!/usr/bin/env node
// Benchmark: kpath trace on a kube-proxy-shaped node with 10,000 Services × 3 endpoints, process
// start to exit, against `iptables-legacy-restore --test` on the same file (inside a network
// namespace this script creates and deletes). Prints medians and the ratio. Rerun: npm run bench.
// Options: --services N (default 10000) --runs N (default 7) --keep (keep the snapshot in bench-out/).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { renderProxierRules } from '../dist/kube/index.js';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const SERVICES = opt('--services', 10000);
const RUNS = opt('--runs', 7);
const dir = join('bench-out', `snapshot-${SERVICES}`);
const NODE = 'bench-node-a';
const NODE_IP = '10.0.0.10';

function ip(base, i) {
  // 10.96.0.0/12 style: base is [a, b] and i spreads over the last two octets.
  return `${base[0]}.${base[1] + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

function generate() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'k8s'), { recursive: true });
  mkdirSync(join(dir, 'nodes', NODE), { recursive: true });
  const services = [];
  const k8s = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${i}`;
    const clusterIP = ip([10, 96], i + 10);
    const endpoints = [0, 1, 2].map((k) => ({ ip: ip([10, 128], i * 3 + k + 1), nodeName: ['bench-node-a', 'bench-node-b', 'bench-node-c'][k] }));
    services.push({ namespace: 'bench', name, type: 'ClusterIP', clusterIP, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], endpoints });
    k8s.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'bench', name }, spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] } });
    k8s.push({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: 'bench', name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: e.nodeName })),
    });
  }
  for (const [n, addr] of [['bench-node-a', NODE_IP], ['bench-node-b', '10.0.0.11'], ['bench-node-c', '10.0.0.12']]) {
    k8s.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, status: { addresses: [{ type: 'InternalIP', address: addr }] } });
  }
  writeFileSync(join(dir, 'k8s', 'all.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: k8s }));
  const rules = renderProxierRules({ nodeName: NODE, nodeIPs: [NODE_IP], family: 4, mode: 'iptables', version: '1.28', clusterCIDR: '10.128.0.0/10', randomFully: true, services });
  writeFileSync(join(dir, 'nodes', NODE, 'iptables-save.txt'), rules.iptablesSave);
  writeFileSync(join(dir, 'nodes', NODE, 'ip-addr.json'), JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' }] },
    { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 9001, operstate: 'UP', link_type: 'ether', addr_info: [{ family: 'inet', local: NODE_IP, prefixlen: 24, scope: 'global', label: 'eth0' }] },
  ]));
  writeFileSync(join(dir, 'nodes', NODE, 'ip-route.json'), JSON.stringify([
    { dst: 'default', gateway: '10.0.0.1', dev: 'eth0', protocol: 'dhcp', flags: [] },
    { dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: NODE_IP, flags: [] },
    { type: 'local', dst: NODE_IP, table: 'local', dev: 'eth0', protocol: 'kernel', scope: 'host', prefsrc: NODE_IP, flags: [] },
    { type: 'local', dst: '127.0.0.0/8', table: 'local', dev: 'lo', protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1', flags: [] },
  ]));
  return rules.iptablesSave.split('\n').length;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout.toString() };
}

const lines = generate();
const svcName = `bench/svc-${Math.floor(SERVICES / 2)}`;
const traceArgs = ['bin/kpath.js', 'trace', '--snapshot', dir, '--svc', svcName, '--from', `node:${NODE}`, '-o', 'json'];
const kpath = [];
for (let i = 0; i < RUNS; i++) kpath.push(time(process.execPath, traceArgs).ms);
const sample = JSON.parse(time(process.execPath, traceArgs).out);

let restore = [];
let restoreNote = '';
const ns = `kpath-bench-${process.pid}`;
const canNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'add', ns]).status === 0;
if (!canNetns) {
  restoreNote = 'iptables-legacy-restore not measured: needs root and `ip netns` (the reference must run in its own namespace)';
} else {
  try {
    const file = join(dir, 'nodes', NODE, 'iptables-save.txt');
    for (let i = 0; i < RUNS; i++) restore.push(time('ip', ['netns', 'exec', ns, 'iptables-legacy-restore', '--test', file]).ms);
  } catch (e) {
    restoreNote = `iptables-legacy-restore failed: ${e.message}`;
    restore = [];
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

const k = median(kpath);
console.log(`bench: ${SERVICES} Services × 3 endpoints, ${lines} iptables-save lines, ${RUNS} runs each (node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)})`);
console.log(`  kpath trace --svc ${svcName} --from node:${NODE} (process start to exit): median ${k.toFixed(0)} ms  [${kpath.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  paths: ${sample.paths.length}, endpoints ${sample.paths.map((p) => p.endpoint?.ip).join(', ')}`);
if (restore.length > 0) {
  const r = median(restore);
  console.log(`  iptables-legacy-restore --test (same file, own netns): median ${r.toFixed(0)} ms  [${restore.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  ratio kpath / iptables-legacy-restore: ${(k / r).toFixed(2)} (goal ≤ 0.5)`);
} else {
  console.log(`  ${restoreNote}`);
}
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
