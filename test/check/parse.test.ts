import { describe, expect, test } from 'vitest';
import { KpathError } from '../../src/errors.js';
import { parseExpectations } from '../../src/check/parse.js';

function errorOf(text: string): KpathError {
  try {
    parseExpectations(text, 'e.yaml');
  } catch (e) {
    if (e instanceof KpathError) return e;
    throw e;
  }
  throw new Error('parsed without an error');
}

describe('parseExpectations', () => {
  test('a bare list and the expectations: mapping read the same', () => {
    const item = 'svc: ingress/traefik\n  port: web\n  from: internet\n  clientIp: lost\n  reachable: true';
    const list = parseExpectations(`- ${item}\n`, 'e.yaml');
    const map = parseExpectations(`expectations:\n- ${item}\n`, 'e.yaml');
    expect(list[0]).toMatchObject({ query: { svc: 'ingress/traefik', port: 'web', from: 'internet' }, clientIp: 'lost', reachable: true, isNamed: false });
    expect(map[0]).toMatchObject({ query: list[0]!.query, clientIp: 'lost', reachable: true });
    expect(list[0]!.name).toBe('ingress/traefik port web from internet');
    expect(list[0]!.loc).toEqual({ file: 'e.yaml', line: 1, column: 3 });
  });

  test('every key, typed', () => {
    const [e] = parseExpectations([
      '- name: all keys',
      '  svc: web/echo',
      '  port: 80',
      '  from: ip:198.51.100.7',
      '  client: 198.51.100.7',
      '  reachable: true',
      '  clientIp: partial',
      '  preservedShare: {min: 0.25, max: 0.75}',
      '  endpoints: {selector: "app=echo, tier in (web)"}',
      '  minShare: 0.5',
    ].join('\n'), 'e.yaml');
    expect(e).toMatchObject({
      name: 'all keys', isNamed: true, query: { svc: 'web/echo', port: '80', from: 'ip:198.51.100.7', client: '198.51.100.7' },
      reachable: true, clientIp: 'partial', preservedShare: { min: 0.25, max: 0.75 }, minShare: 0.5,
      endpoints: { kind: 'selector', text: 'app=echo, tier in (web)' },
    });
    expect(e!.at.svc).toEqual({ file: 'e.yaml', line: 2, column: 8 });
  });

  test('sources: addresses and CIDRs', () => {
    const [e] = parseExpectations('- {svc: a/b, from: internet, sources: [10.0.0.0/16, 198.51.100.20, "2001:db8::/32"]}', 'e.yaml');
    expect(e!.sources).toEqual(['10.0.0.0/16', '198.51.100.20', '2001:db8::/32']);
  });

  test('endpoints.pods', () => {
    const [e] = parseExpectations('- {svc: a/b, from: internet, endpoints: {pods: [a/p1, a/p2]}}', 'e.yaml');
    expect(e!.endpoints).toEqual({ kind: 'pods', pods: ['a/p1', 'a/p2'] });
  });

  const errors = [
    { name: 'unknown key', text: '- svc: a/b\n  from: internet\n  clientIP: lost\n', code: 'E_EXPECT_KEY', line: 3, column: 3 },
    { name: 'unknown top-level key', text: 'expectation:\n  - svc: a/b\n', code: 'E_EXPECT_KEY', line: 1, column: 1 },
    { name: 'unknown key under endpoints', text: '- svc: a/b\n  from: internet\n  endpoints: {labels: app=x}\n', code: 'E_EXPECT_KEY', line: 3, column: 15 },
    { name: 'reachable as a string', text: '- svc: a/b\n  from: internet\n  reachable: "true"\n', code: 'E_EXPECT_TYPE', line: 3, column: 14 },
    { name: 'reachable as yes (YAML 1.2: a string)', text: '- svc: a/b\n  from: internet\n  reachable: yes\n', code: 'E_EXPECT_TYPE', line: 3, column: 14 },
    { name: 'minShare as a percentage', text: '- svc: a/b\n  from: internet\n  endpoints: {selector: app=a}\n  minShare: 100%\n', code: 'E_EXPECT_TYPE', line: 4, column: 13 },
    { name: 'minShare above 1', text: '- svc: a/b\n  from: internet\n  endpoints: {selector: app=a}\n  minShare: 2\n', code: 'E_EXPECT_VALUE', line: 4, column: 13 },
    { name: 'minShare without endpoints', text: '- svc: a/b\n  from: internet\n  reachable: true\n  minShare: 1\n', code: 'E_EXPECT_MISSING', line: 4, column: 3 },
    { name: 'clientIp not in the vocabulary', text: '- svc: a/b\n  from: internet\n  clientIp: kept\n', code: 'E_EXPECT_VALUE', line: 3, column: 13 },
    { name: 'svc missing', text: '- from: internet\n  reachable: true\n', code: 'E_EXPECT_MISSING', line: 1, column: 3 },
    { name: 'from missing', text: '- svc: a/b\n  reachable: true\n', code: 'E_EXPECT_MISSING', line: 1, column: 3 },
    { name: 'asserts nothing', text: '- svc: a/b\n  from: internet\n', code: 'E_EXPECT_MISSING', line: 1, column: 3 },
    { name: 'an item that is not a mapping', text: '- svc a/b\n', code: 'E_EXPECT_TYPE', line: 1, column: 3 },
    { name: 'a mapping at the top', text: 'svc: a/b\n', code: 'E_EXPECT_KEY', line: 1, column: 1 },
    { name: 'empty list', text: '[]\n', code: 'E_EXPECT_MISSING', line: 1, column: 1 },
    { name: 'empty file', text: '', code: 'E_EXPECT_MISSING', line: 1, column: 1 },
    { name: 'bad YAML', text: '- svc: a/b\n  from: [internet\n', code: 'E_YAML_BAD', line: 3, column: 1 },
    { name: 'duplicate key', text: '- svc: a/b\n  svc: c/d\n  from: internet\n  reachable: true\n', code: 'E_YAML_BAD', line: 2, column: 3 },
    { name: 'both selector and pods', text: '- svc: a/b\n  from: internet\n  endpoints: {selector: app=a, pods: [a/b]}\n', code: 'E_EXPECT_VALUE', line: 3, column: 14 },
    { name: 'pod without namespace', text: '- svc: a/b\n  from: internet\n  endpoints: {pods: [traefik-1]}\n', code: 'E_EXPECT_VALUE', line: 3, column: 22 },
    { name: 'selector that does not parse, position inside it', text: '- svc: a/b\n  from: internet\n  endpoints: {selector: app=a tier=b}\n', code: 'E_EXPECT_VALUE', line: 3, column: 31 },
    { name: 'preservedShare as a number', text: '- svc: a/b\n  from: internet\n  preservedShare: 1\n', code: 'E_EXPECT_TYPE', line: 3, column: 19 },
    { name: 'preservedShare min above max', text: '- svc: a/b\n  from: internet\n  preservedShare: {min: 0.9, max: 0.1}\n', code: 'E_EXPECT_VALUE', line: 3, column: 25 },
    { name: 'port zero', text: '- svc: a/b\n  port: 0\n  from: internet\n  reachable: true\n', code: 'E_EXPECT_TYPE', line: 2, column: 9 },
    { name: 'client not an address', text: '- svc: a/b\n  from: internet\n  client: somewhere\n  reachable: true\n', code: 'E_EXPECT_VALUE', line: 3, column: 11 },
    { name: 'sources not a list', text: '- svc: a/b\n  from: internet\n  sources: 10.0.0.0/8\n', code: 'E_EXPECT_TYPE', line: 3, column: 12 },
    { name: 'a source that is not an address', text: '- svc: a/b\n  from: internet\n  sources: [10.0.0.0/8, nlb]\n', code: 'E_EXPECT_VALUE', line: 3, column: 25 },
    { name: 'null value', text: '- svc: a/b\n  from: internet\n  clientIp:\n', code: 'E_EXPECT_TYPE', line: 3, column: 12 },
  ];
  test.each(errors)('$name → $code at $line:$column', ({ text, code, line, column }) => {
    const e = errorOf(text);
    expect({ code: e.code, line: e.loc?.line, column: e.loc?.column }).toEqual({ code, line, column });
    expect(e.loc?.file).toBe('e.yaml');
  });

  test('a misspelt key gets a suggestion', () => {
    expect(errorOf('- svc: a/b\n  from: internet\n  clientIP: lost\n').hint).toMatch(/did you mean clientIp\?/);
  });
});
