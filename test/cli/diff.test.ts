import { describe, expect, test } from 'vitest';
import { kpath } from './run-kpath.js';

const S = 'fixtures/snapshots';

interface DiffJson {
  schema: string;
  changed: boolean;
  changes: string[];
  verdict: { clientIp: { before: string; after: string }; preservedShare: { before: number; after: number }; reasons: { removed: string[]; added: string[] } };
  outcomes: { endpoint: string; source: string; change: string; before: number | null; after: number | null }[];
  endpoints: { key: string; before: number | null; after: number | null }[];
  sources: { key: string; before: number | null; after: number | null }[];
  dispositions: { key: string; before: number | null; after: number | null }[];
}

function diffJson(...args: string[]): { code: number | null; err: string; j: DiffJson } {
  const r = kpath('diff', ...args, '-o', 'json');
  return { code: r.code, err: r.err, j: JSON.parse(r.out) as DiffJson };
}

describe('kpath diff (CLI)', () => {
  const ipTraefik = ['--before', `${S}/eks-nlb-ip-traefik`, '--after', `${S}/eks-nlb-ip-traefik-preserve`, '--svc', 'ingress/traefik', '--port', 'web', '--from', 'internet', '--client', '198.51.100.20'];
  const metallb = ['--before', `${S}/metallb-calico-cluster`, '--after', `${S}/metallb-calico-local`, '--svc', 'web/nginx', '--port', 'http', '--from', 'internet', '--client', '198.51.100.20'];

  test('NLB ip targets, preserve_client_ip off → on: lost → preserved, same endpoints, exit 1', async () => {
    const r = kpath('diff', ...ipTraefik);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain('Client IP: LOST → PRESERVED (preserved for 0% → 100% of delivered traffic)');
    expect(r.out).toMatch(/^ {2}- target group k8s-ingress-traefik-\w+ preserve_client_ip\.enabled=false/m);
    expect(r.out).toMatch(/^ {2}\+ target group k8s-ingress-traefik-\w+ preserve_client_ip\.enabled=true/m);
    expect(r.out).toMatch(/^ {2}- ingress\/traefik-7b9f5d8c46-kx2wq sees 10\.0\.101\.87 +50% → -$/m);
    expect(r.out).toMatch(/^ {2}\+ ingress\/traefik-7b9f5d8c46-kx2wq sees 198\.51\.100\.20 +- → 50%$/m);
    expect(r.out).toMatch(/^Changed: sources, client-ip, preserved-share\.$/m);
    await expect(r.out).toMatchFileSnapshot('../golden/cli/diff-eks-nlb-ip-traefik-preserve.txt');

    const { code, j } = diffJson(...ipTraefik);
    expect(code).toBe(1);
    expect(j.schema).toBe('kpath/diff/v1');
    expect(j.verdict.clientIp).toEqual({ before: 'lost', after: 'preserved' });
    expect(j.endpoints.map((e) => [e.key, e.before, e.after])).toEqual([
      ['ingress/traefik-7b9f5d8c46-kx2wq', 0.5, 0.5], ['ingress/traefik-7b9f5d8c46-p4n8z', 0.5, 0.5],
    ]);
    expect(j.sources.map((e) => [e.key, e.before, e.after])).toEqual([
      ['198.51.100.20', null, 1], ['10.0.101.87', 0.5, null], ['10.0.102.142', 0.5, null],
    ]);
  });

  test('MetalLB + Calico, externalTrafficPolicy Cluster → Local: masquerade gone, client kept, exit 1', async () => {
    const r = kpath('diff', ...metallb);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toContain('Client IP: LOST → PRESERVED');
    expect(r.out).toMatch(/^ {2}- KUBE-EXT-\w+ rule 1 marks for masquerade \(KUBE-MARK-MASQ\); KUBE-POSTROUTING rule \d+ MASQUERADE on k8s-node-1 → 192\.168\.10\.11$/m);
    expect(r.out).toMatch(/fix before: set spec\.externalTrafficPolicy: Local on web\/nginx/);
    await expect(r.out).toMatchFileSnapshot('../golden/cli/diff-metallb-calico-cluster-local.txt');

    const { j } = diffJson(...metallb);
    expect(j.changes).toEqual(['sources', 'client-ip', 'preserved-share']);
    // Both pods keep half of the traffic; what they see changes from node addresses to the client.
    expect(j.endpoints.every((e) => e.before === 0.5 && e.after === 0.5)).toBe(true);
    expect(j.sources.filter((s) => s.after !== null).map((s) => s.key)).toEqual(['198.51.100.20']);
    expect(j.sources.filter((s) => s.before !== null).map((s) => s.key).sort()).toEqual(['10.244.161.128', '10.244.40.64', '10.244.77.0', '192.168.10.11', '192.168.10.12']);
    const removed = j.outcomes.filter((o) => o.change === 'removed');
    expect(removed).toHaveLength(6);
    expect(removed.every((o) => Math.abs((o.before ?? 0) - 1 / 6) < 1e-9)).toBe(true);
  });

  test('NLB instance targets, Cluster → Local: one node stops receiving, client kept', () => {
    const { code, j } = diffJson('--before', `${S}/eks-nlb-instance-cluster`, '--after', `${S}/eks-nlb-instance-local`, '--svc', 'web/echo', '--from', 'internet');
    expect(code).toBe(1);
    expect(j.verdict.clientIp).toEqual({ before: 'lost', after: 'preserved' });
    expect(j.dispositions).toEqual([{ key: 'delivered', before: 1, after: 1 }]);
  });

  test('a snapshot against itself: no change, exit 0', () => {
    const r = kpath('diff', '--before', `${S}/metallb-calico-cluster`, '--after', `${S}/metallb-calico-cluster`, '--svc', 'web/nginx', '--from', 'internet');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Client IP: LOST (unchanged; preserved for 0% of delivered traffic)');
    expect(r.out).toMatch(/^No change: the same 6 outcomes with the same shares and client-IP verdict\.$/m);
    const { code, j } = diffJson('--before', `${S}/ipvs-seed-003`, '--after', `${S}/ipvs-seed-003`, '--svc', 'default/ng-svc', '--from', 'ip:10.10.6.91');
    expect(code).toBe(0);
    expect(j.changed).toBe(false);
    expect(j.outcomes.every((o) => o.change === 'same')).toBe(true);
  });

  test('bad input exits 2: a missing snapshot, a Service only one side has, a missing flag', () => {
    const missing = kpath('diff', '--before', `${S}/nope`, '--after', `${S}/metallb-calico-local`, '--svc', 'web/nginx', '--from', 'internet');
    expect(missing.code).toBe(2);
    expect(missing.out).toBe('');
    expect(missing.err).toMatch(/E_SNAPSHOT_MISSING/);
    const svc = kpath('diff', '--before', `${S}/metallb-calico-local`, '--after', `${S}/eks-nlb-ip-traefik`, '--svc', 'web/nginx', '--from', 'internet');
    expect(svc.code).toBe(2);
    expect(svc.err).toMatch(/^kpath: E_SVC_UNKNOWN: in --after fixtures\/snapshots\/eks-nlb-ip-traefik: Service web\/nginx is not in the snapshot/);
    const flag = kpath('diff', '--before', `${S}/metallb-calico-local`, '--after', `${S}/metallb-calico-local`, '--from', 'internet');
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/--svc/);
  });
});
