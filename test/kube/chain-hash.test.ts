import { describe, expect, test } from 'vitest';
import {
  endpointChainSuffix, extChainName, fwChainName, joinHostPort, sepChainName, servicePortChainSuffix,
  servicePortName, svcChainName, svlChainName, xlbChainName,
} from '../../src/kube/index.js';

// Verified vectors of kube-proxy.md §2 (recomputed there and matching upstream tests), plus the chain
// names of the §1.16 example.
describe('servicePortChainSuffix', () => {
  const cases = [
    { spn: 'ns1/svc1:p80', proto: 'tcp', want: 'XPGD46QRK7WJZT7O' },
    { spn: 'default/kubernetes:https', proto: 'tcp', want: 'NPX46M4PTMTKRN6Y' },
    { spn: 'kube-system/kube-dns:dns', proto: 'udp', want: 'TCOU7JCQXEZGVUNU' },
    { spn: 'kube-system/kube-dns:dns-tcp', proto: 'tcp', want: 'ERIFXISQEP7F7OF4' },
    { spn: 'ns2/svc2:p80', proto: 'tcp', want: 'GNZBNJ2PO5MGZ6GT' },
    { spn: 'ns3/svc3:p80', proto: 'tcp', want: 'X27LE4BHSL4DOUIK' },
    { spn: 'ns4/svc4:p80', proto: 'tcp', want: '4SW47YFZTEDKD3PK' },
    { spn: 'ns5/svc5:p80', proto: 'tcp', want: 'NUKIZ6OKUXPJNT4C' },
    { spn: 'demo/web:http', proto: 'tcp', want: 'XRY76EGRC3BSCIIJ' },
  ] as const;
  test.each(cases)('$spn + $proto → $want', ({ spn, proto, want }) => {
    expect(servicePortChainSuffix(spn, proto)).toBe(want);
    expect(svcChainName(spn, proto)).toBe(`KUBE-SVC-${want}`);
  });

  test('SVC, SVL, EXT, FW and XLB share one suffix', () => {
    const names = [svcChainName, svlChainName, extChainName, fwChainName, xlbChainName].map((f) => f('demo/web:http', 'tcp'));
    expect(names).toEqual(['KUBE-SVC-XRY76EGRC3BSCIIJ', 'KUBE-SVL-XRY76EGRC3BSCIIJ', 'KUBE-EXT-XRY76EGRC3BSCIIJ',
      'KUBE-FW-XRY76EGRC3BSCIIJ', 'KUBE-XLB-XRY76EGRC3BSCIIJ']);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(28);
  });
});

describe('endpoint chains', () => {
  const cases = [
    { spn: 'ns1/svc1:p80', endpoint: '10.180.0.1:80', want: 'KUBE-SEP-SXIVWICOYRO3J4NJ' },
    { spn: 'demo/web:http', endpoint: '10.244.1.5:8080', want: 'KUBE-SEP-NW5VICAF3Z2QABHQ' },
    { spn: 'demo/web:http', endpoint: '10.244.2.7:8080', want: 'KUBE-SEP-JPICTQTYOLMYNIJ7' },
  ];
  test.each(cases)('$spn → $endpoint is $want', ({ spn, endpoint, want }) => {
    expect(sepChainName(spn, 'tcp', endpoint)).toBe(want);
    expect(`KUBE-SEP-${endpointChainSuffix(spn, 'tcp', endpoint)}`).toBe(want);
  });

  test('the endpoint text is JoinHostPort: IPv6 in brackets', () => {
    expect(joinHostPort('10.180.0.1', 80)).toBe('10.180.0.1:80');
    expect(joinHostPort('fd00::1', 80)).toBe('[fd00::1]:80');
    expect(sepChainName('ns1/svc1:p80', 'tcp', joinHostPort('fd00::1', 80)))
      .toBe(`KUBE-SEP-${endpointChainSuffix('ns1/svc1:p80', 'tcp', '[fd00::1]:80')}`);
  });
});

test('servicePortName omits the colon for unnamed ports', () => {
  expect(servicePortName('ns1', 'svc1', 'p80')).toBe('ns1/svc1:p80');
  expect(servicePortName('default', 'nginx')).toBe('default/nginx');
  expect(servicePortName('default', 'nginx', '')).toBe('default/nginx');
});
