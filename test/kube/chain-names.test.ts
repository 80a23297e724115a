import { describe, expect, test } from 'vitest';
import type { Cluster, EndpointSlice, Service } from '../../src/k8s/model.js';
import { buildChainIndex, chainLabeler, commentSpns } from '../../src/kube/chain-names.js';
import { sepChainName, svcChainName } from '../../src/kube/index.js';
import { parseIptablesSave } from '../../src/netfilter/iptables/parse.js';

const SRC = 'test:k8s.json';

function service(ns: string, name: string, portName: string | undefined, port = 80): Service {
  return {
    namespace: ns, name, type: 'ClusterIP', clusterIPs: ['10.96.0.20'], externalIPs: [], ingress: [],
    ports: [{ ...(portName ? { name: portName } : {}), port, protocol: 'TCP', targetPort: port }],
    externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', loadBalancerSourceRanges: [],
    annotations: {}, labels: {}, source: SRC,
  };
}

function slice(ns: string, svc: string, portName: string | undefined, ips: string[], port = 80): EndpointSlice {
  return {
    namespace: ns, name: `${svc}-abc`, serviceName: svc, addressType: 'IPv4', ports: [{ ...(portName ? { name: portName } : {}), port, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], ready: true, serving: true, terminating: false, nodeName: 'node-a' })), source: SRC,
  };
}

function cluster(services: Service[], slices: EndpointSlice[]): Cluster {
  return { services, endpointSlices: slices, nodes: [], pods: [], targetGroupBindings: [], problems: [] };
}

describe('forward from Services and EndpointSlices (kube-proxy.md §2 vectors)', () => {
  const index = buildChainIndex(cluster([service('ns1', 'svc1', 'p80')], [slice('ns1', 'svc1', 'p80', ['10.180.0.1'])]));

  test.each([
    { chain: 'KUBE-SVC-XPGD46QRK7WJZT7O', kind: 'SVC', hashInput: 'ns1/svc1:p80tcp', label: 'ns1/svc1:p80' },
    { chain: 'KUBE-SVL-XPGD46QRK7WJZT7O', kind: 'SVL', hashInput: 'ns1/svc1:p80tcp', label: 'ns1/svc1:p80' },
    { chain: 'KUBE-EXT-XPGD46QRK7WJZT7O', kind: 'EXT', hashInput: 'ns1/svc1:p80tcp', label: 'ns1/svc1:p80' },
    { chain: 'KUBE-FW-XPGD46QRK7WJZT7O', kind: 'FW', hashInput: 'ns1/svc1:p80tcp', label: 'ns1/svc1:p80' },
    { chain: 'KUBE-XLB-XPGD46QRK7WJZT7O', kind: 'XLB', hashInput: 'ns1/svc1:p80tcp', label: 'ns1/svc1:p80' },
    { chain: 'KUBE-SEP-SXIVWICOYRO3J4NJ', kind: 'SEP', hashInput: 'ns1/svc1:p80tcp10.180.0.1:80', label: 'ns1/svc1:p80 → 10.180.0.1:80' },
  ])('$chain', ({ chain, kind, hashInput, label }) => {
    expect(index.get(chain)).toMatchObject({ kind, hashInput, how: 'hash', from: 'snapshot', inSnapshot: true, servicePort: { port: 80, protocol: 'tcp' } });
    expect(index.label(chain)).toBe(label);
  });

  test('an unnamed port also answers to the ≤1.17 "ns/svc:" hash input', () => {
    const i = buildChainIndex(cluster([service('default', 'nginx-ext', undefined)], [slice('default', 'nginx-ext', undefined, ['10.244.1.4'])]));
    const legacy = svcChainName('default/nginx-ext:', 'tcp');
    expect(i.get(legacy)).toMatchObject({ hashInput: 'default/nginx-ext:tcp', servicePort: { spn: 'default/nginx-ext:' } });
    expect(i.label(legacy)).toBe('default/nginx-ext');
    expect(i.get(svcChainName('default/nginx-ext', 'tcp'))?.hashInput).toBe('default/nginx-ext' + 'tcp');
    expect(i.get(sepChainName('default/nginx-ext:', 'tcp', '10.244.1.4:80'))?.endpoint).toBe('10.244.1.4:80');
  });

  test('chains of other names are unknown', () => {
    expect(index.get('KUBE-SVC-AAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(index.label('KUBE-SERVICES')).toBeUndefined();
  });
});

describe('from the dump, for chains the snapshot\'s objects do not explain', () => {
  const gone = svcChainName('old/api:grpc', 'tcp');
  const goneSep = sepChainName('old/api:grpc', 'tcp', '10.244.3.3:9000');
  const strayEp = sepChainName('ns1/svc1:p80', 'tcp', '10.180.0.9:80');
  const save = [
    '*nat', ':KUBE-SERVICES - [0:0]', `:${gone} - [0:0]`, `:${goneSep} - [0:0]`, ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]', `:${strayEp} - [0:0]`,
    ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]', ':KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]',
    `-A KUBE-SERVICES -d 10.96.9.9/32 -p tcp -m comment --comment "old/api:grpc cluster IP" -m tcp --dport 9000 -j ${gone}`,
    `-A ${gone} -m comment --comment "old/api:grpc -> 10.244.3.3:9000" -j ${goneSep}`,
    `-A ${goneSep} -p tcp -m comment --comment "old/api:grpc" -m tcp -j DNAT --to-destination 10.244.3.3:9000`,
    `-A KUBE-SVC-XPGD46QRK7WJZT7O -j ${strayEp}`,
    `-A ${strayEp} -p tcp -m tcp -j DNAT --to-destination 10.180.0.9:80`,
    '-A KUBE-SERVICES -d 10.96.9.10/32 -p tcp -m comment --comment "ns7/mystery:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
    '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-BBBBBBBBBBBBBBBB',
    '-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m tcp -j DNAT --to-destination 10.244.7.7:80',
    'COMMIT', '',
  ].join('\n');
  const rs = parseIptablesSave(save, { file: 'node-a/iptables-save.txt', family: 4 });
  const index = buildChainIndex(cluster([service('ns1', 'svc1', 'p80')], [slice('ns1', 'svc1', 'p80', ['10.180.0.1'])]), [rs]);

  test('a Service gone from the snapshot: hashed from the comment, marked not in the snapshot', () => {
    expect(index.get(gone)).toMatchObject({ how: 'hash', from: 'rules', inSnapshot: false, hashInput: 'old/api:grpctcp' });
    expect(index.get(goneSep)).toMatchObject({ how: 'hash', endpoint: '10.244.3.3:9000', inSnapshot: false });
  });

  test('an endpoint gone from the EndpointSlice: named by its parent chain\'s Service port and its DNAT target', () => {
    expect(index.get(strayEp)).toMatchObject({ how: 'hash', hashInput: 'ns1/svc1:p80tcp10.180.0.9:80', inSnapshot: false, note: 'the endpoint is not in the Service\'s EndpointSlices' });
  });

  test('no candidate hashes to it but a comment names one: labelled from the comment, and says so', () => {
    expect(index.get('KUBE-SVC-AAAAAAAAAAAAAAAA')).toMatchObject({ how: 'comment', note: 'from comment (hash did not match)', servicePort: { spn: 'ns7/mystery:http' } });
    expect(index.label('KUBE-SVC-AAAAAAAAAAAAAAAA')).toBe('ns7/mystery:http (from comment)');
    expect(index.get('KUBE-SEP-BBBBBBBBBBBBBBBB')).toMatchObject({ how: 'comment', endpoint: '10.244.7.7:80' });
  });
});

test.each([
  { text: 'demo/web:http cluster IP', want: ['demo/web:http'] },
  { text: 'masquerade traffic for demo/web:http external destinations', want: ['demo/web:http'] },
  { text: 'demo/web:http -> 10.244.1.5:8080', want: ['demo/web:http'] },
  { text: 'default/nginx-ext:', want: ['default/nginx-ext:'] },
  { text: 'kubernetes service portals', want: [] },
  { text: 'Balancing rule 0 for ns/a.b:x', want: ['ns/a.b:x'] },
])('comment "$text" names $want', ({ text, want }) => {
  expect(commentSpns(text)).toEqual(want);
});

test('chainLabeler labels hashed chains only, building the index on first use', () => {
  const label = chainLabeler(cluster([service('ns1', 'svc1', 'p80')], [slice('ns1', 'svc1', 'p80', ['10.180.0.1'])]));
  expect(label('KUBE-SERVICES')).toBeUndefined();
  expect(label('KUBE-SEP-SXIVWICOYRO3J4NJ')).toBe('ns1/svc1:p80 → 10.180.0.1:80');
  expect(label('KUBE-SVC-AAAAAAAAAAAAAAAA')).toBeUndefined();
});
