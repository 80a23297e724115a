// 100 simulated nodes whose execs each take 200 ms: with --concurrency 10 the node phase takes
// about 10 waves × 200 ms (a node's six tools run side by side), not 100 × 6 × 200 ms.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsEnv, setEnv, startLab, type Lab } from './fixture.js';

type Obj = Record<string, unknown>;
const NODES = 100;
const LATENCY_MS = 200;
const CONCURRENCY = 10;

function cluster(): { objects: Obj[]; dumps: Map<string, Map<string, string>> } {
  const objects: Obj[] = [{
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }], selector: { app: 'web' } },
  }];
  const dumps = new Map<string, Map<string, string>>();
  for (let i = 0; i < NODES; i++) {
    const name = `node-${String(i).padStart(3, '0')}`;
    const ip = `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    objects.push({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: `10.244.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
    objects.push({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `kube-proxy-${i}`, namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
      spec: { nodeName: name, hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'kube-proxy:v1.30' }] }, status: { phase: 'Running', podIP: ip },
    });
    dumps.set(name, new Map([
      ['iptables-save.txt', `*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -j KUBE-SERVICES\nCOMMIT\n`],
      ['ipset-save.txt', ''],
      ['ip-addr.json', JSON.stringify([{ ifname: 'eth0', addr_info: [{ family: 'inet', local: ip, prefixlen: 16 }] }])],
      ['ip-route.json', JSON.stringify([{ dst: 'default', gateway: '10.1.0.1', dev: 'eth0' }])],
    ]));
  }
  return { objects, dumps };
}

let lab: Lab;
let undo: () => void;
beforeAll(async () => {
  const c = cluster();
  lab = await startLab('/nonexistent-scale-snapshot', { objects: c.objects, dumps: c.dumps, execLatencyMs: LATENCY_MS, maxPage: 500 });
  undo = setEnv(awsEnv(lab.aws.url));
});
afterAll(async () => { undo(); await lab.close(); });

test(`${NODES} nodes, ${LATENCY_MS} ms per exec, concurrency ${CONCURRENCY}: within the concurrency budget`, async () => {
  const t0 = performance.now();
  const r = await lab.gather({ scope: { services: [], all: true }, concurrency: CONCURRENCY, timeoutMs: 10_000 });
  const seconds = (performance.now() - t0) / 1000;
  const budget = (NODES / CONCURRENCY) * (LATENCY_MS / 1000);
  console.log(`scale: ${NODES} nodes, ${lab.kube.execs.length} execs, concurrency ${CONCURRENCY}: ${seconds.toFixed(2)} s (budget ${budget.toFixed(1)} s + overhead; max ${lab.kube.maxExecsInFlight()} execs in flight)`);
  expect(r.nodes).toHaveLength(NODES);
  expect(lab.kube.execs).toHaveLength(NODES * 6);
  // ipvsadm-save and nft are "not in the image": two gaps per node, nothing else.
  expect(r.gaps).toHaveLength(NODES * 2);
  // The limit holds (at most 10 nodes × 6 tools open), and is used (not one node at a time).
  expect(lab.kube.maxExecsInFlight()).toBeLessThanOrEqual(CONCURRENCY * 6);
  expect(lab.kube.maxExecsInFlight()).toBeGreaterThanOrEqual(CONCURRENCY * 3);
  expect(seconds).toBeGreaterThanOrEqual(budget * 0.9);
  // ~budget + the fake's and the client's CPU (both in this process: ~1 s on an idle 2-core machine,
  // more on a busy one). One node at a time would take NODES × LATENCY = 20 s; one exec at a time, 120 s.
  expect(seconds).toBeLessThan((NODES * LATENCY_MS) / 1000);
}, 60_000);
