import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { KpathError } from '../../src/errors.js';
import { buildCluster, focusItemSelector } from '../../src/k8s/parse.js';
import { parseJsonListSelected, scanJsonList } from '../../src/snapshot/json-list.js';
import { loadSnapshot } from '../../src/snapshot/load.js';

const KEEP_ALL = { kinds: new Set<string>(), needle: '' };

function errorOf(f: () => unknown): KpathError {
  try {
    f();
  } catch (e) {
    if (e instanceof KpathError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('scanJsonList', () => {
  const list = {
    apiVersion: 'v1', kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', ownerReferences: [{ kind: 'Deployment' }] } },
      { kind: 'EndpointSlice', metadata: { labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ addresses: ['10.0.0.1'] }] },
      'not an object', 7, null,
      { metadata: { name: 'no-kind' } },
      { kind: 'List', items: [{ kind: 'Pod' }] },
    ],
    metadata: { resourceVersion: '' },
  };
  test.each([0, 2, 4])('finds object items, their own kind and nested Lists (indent %i)', (indent) => {
    const text = JSON.stringify(list, null, indent);
    const scan = scanJsonList(text, 'k.json')!;
    expect(scan.kind).toBe('List');
    expect(scan.items.map((i) => [i.kind, i.hasItems])).toEqual([['Service', false], ['EndpointSlice', false], [undefined, false], ['List', true]]);
    expect(scan.items.map((i) => JSON.parse(text.slice(i.start, i.end)))).toEqual([list.items[0], list.items[1], list.items[5], list.items[6]]);
  });

  test('keys and kinds spelled with escapes are read as JSON.parse reads them', () => {
    const text = '{"kin\\u0064":"List","\\u0069tems":[{"\\u006bind":"Serv\\u0069ce","metadata":{"name":"a"}},{"kind":"Pod","\\u0069\\u0074\\u0065\\u006d\\u0073":[]}]}';
    const scan = scanJsonList(text, 'k.json')!;
    expect(scan.kind).toBe('List');
    expect(scan.items.map((i) => [i.kind, i.hasItems])).toEqual([['Service', false], ['Pod', true]]);
  });

  test('a document that is not one object with one items array is left to a whole parse', () => {
    expect(scanJsonList('{"kind":"Service","metadata":{}}', 'k.json')).toBeUndefined();
    expect(scanJsonList('[{"kind":"Service"}]', 'k.json')).toBeUndefined();
    expect(scanJsonList('{"items":[],"items":[{"kind":"Pod"}]}', 'k.json')).toBeUndefined();
    expect(parseJsonListSelected('{"items":[],"items":[{"kind":"Pod"}]}', 'k.json', { kinds: new Set(['Pod']), needle: 'x' })).toEqual({ items: [{ kind: 'Pod' }] });
  });

  const bad: { name: string; text: string; line: number; column: number; message: RegExp }[] = [
    { name: 'cut short', text: '{"kind":"List","items":[\n  {"kind":"Service"', line: 2, column: 20, message: /ends inside an object/ },
    { name: 'missing comma between items', text: '{"kind":"List","items":[\n{"kind":"Pod"}\n{"kind":"Pod"}]}', line: 3, column: 1, message: /expected ','/ },
    { name: 'bad literal', text: '{"kind":"List","items":[{"kind":"Pod","spec":{"x":tru}}]}', line: 1, column: 51, message: /"tru" is not a JSON value/ },
    { name: 'unclosed string', text: '{"kind":"List","items":[{"kind":"Pod","spec":{"x":"abc}}]}', line: 1, column: 51, message: /not closed/ },
    { name: 'bracket mismatch', text: '{"kind":"List","items":[{"kind":"Pod"]]}', line: 1, column: 38, message: /closes an object/ },
    { name: 'text after the end', text: '{"kind":"List","items":[]} x', line: 1, column: 28, message: /after the end/ },
    { name: 'missing colon', text: '{"kind" "List","items":[]}', line: 1, column: 9, message: /expected ':'/ },
    { name: 'trailing comma', text: '{"kind":"List","items":[{"kind":"Pod"},]}', line: 1, column: 40, message: /expected a value/ },
  ];
  test.each(bad)('$name: E_JSON_BAD at line $line, column $column', ({ text, line, column, message }) => {
    expect(() => JSON.parse(text)).toThrow();
    const e = errorOf(() => parseJsonListSelected(text, 'k8s/all.json', KEEP_ALL));
    expect(e.code).toBe('E_JSON_BAD');
    expect(e.loc).toEqual({ file: 'k8s/all.json', line, column });
    expect(e.message).toMatch(message);
  });

  test('a fault inside a string of a parsed item is reported where it is in the file', () => {
    const text = '{"kind":"List","items":[\n{"kind":"Pod"},\n{"kind":"Pod","metadata":{"name":"a\tb"}}]}';
    const e = errorOf(() => parseJsonListSelected(text, 'k.json', KEEP_ALL));
    expect(e.code).toBe('E_JSON_BAD');
    expect(e.loc?.line).toBe(3);
  });
});

describe('parseJsonListSelected', () => {
  const names = ['web', 'web-2', 'api', 'we'];
  const item = fc.record({
    kind: fc.constantFrom('Service', 'EndpointSlice', 'Endpoints', 'Pod', 'Node', undefined),
    name: fc.constantFrom(...names),
    label: fc.option(fc.constantFrom(...names), { nil: undefined }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  }).map(({ kind, name, label, extra }) => ({
    ...(kind === undefined ? {} : { kind }),
    metadata: { name, ...(label === undefined ? {} : { labels: { 'kubernetes.io/service-name': label } }) },
    extra,
  }));

  test('keeps exactly the items of other kinds and those whose text holds the needle (any indentation)', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.constantFrom(...names), fc.constantFrom(0, 1, 4), fc.constantFrom('List', 'ServiceList'), (items, focus, indent, listKind) => {
        const text = JSON.stringify({ apiVersion: 'v1', kind: listKind, items }, null, indent);
        const sel = focusItemSelector(`ns/${focus}`);
        const fromList = listKind.replace(/List$/, '') || undefined;
        const want = items.filter((it) => {
          const kind = (it as { kind?: string }).kind ?? fromList;
          if (kind === undefined || !sel.kinds.has(kind)) return true;
          const t = JSON.stringify(it, null, indent);
          return t.includes(sel.needle) || t.includes('\\u');
        });
        expect(parseJsonListSelected(text, 'k.json', sel)).toEqual({ kind: listKind, items: want });
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', ' ', '1', '-', 'e', 'true', 'x') }),
  );
  test('keeping every item, it parses what JSON.parse parses and rejects what it rejects', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (items, ms) => {
        let text = JSON.stringify({ kind: 'List', items });
        for (const m of ms) {
          const at = m.at % (text.length + 1);
          text = m.kind === 'delete' ? text.slice(0, at) + text.slice(at + m.len) : text.slice(0, at) + m.text + text.slice(at);
        }
        let want: unknown;
        try {
          want = JSON.parse(text);
        } catch {
          const e = errorOf(() => parseJsonListSelected(text, 'k.json', KEEP_ALL));
          expect(e.code).toBe('E_JSON_BAD');
          expect(e.loc!.line).toBeGreaterThan(0);
          return;
        }
        const got = parseJsonListSelected(text, 'k.json', KEEP_ALL) as { items?: unknown[] };
        const w = want as { kind?: unknown; items?: unknown[] };
        if (scanJsonList(text, 'k.json')) {
          // A List: the object items, with the List's kind (what flattenObjects reads).
          expect(got).toEqual({ kind: typeof w.kind === 'string' ? w.kind : undefined, items: w.items!.filter((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) });
        } else {
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 3000, seed: 20261121 },
    );
  });
});

describe('odd documents: a focused read builds what a whole read builds', () => {
  const docs = [
    '{"kind":"Service","metadata":{"name":"web"},"items":[],"items":null}',
    '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"n1"}}],"items":5}',
    '{"kind":"ServiceList","kind":{},"items":[{"metadata":{"name":"web"}}]}',
    '{"kind":"ServiceList","kind":["x"],"items":[{"metadata":{"name":"web"}}]}',
    '{"kind":"List","items":[{"kind":"Service","kind":{"x":1},"metadata":{"name":"api"}},{"kind":"Service","metadata":{"name":"web"}}]}',
    '{"kind":"List","items":[{"kind":"List","items":[{"kind":"Service","metadata":{"name":"web"}}]}]}',
    '{"kind":"List","items":[{"kind":"Service","metadata":{"namespace":"a","name":"web"}},{"kind":"Service","metadata":{"namespace":"b","name":"web"}}]}',
    '{"kind":"List","items":[{"kind":"Service","metadata":{}}]}',
  ];
  test.each(docs.flatMap((text) => ['web', 'b/web', 'ns/'].map((focus) => ({ text, focus }))))('$focus in $text', ({ text, focus }) => {
    const selected = parseJsonListSelected(text, 'k.json', focusItemSelector(focus));
    expect(buildCluster([{ file: 'k.json', doc: selected }], { focus })).toEqual(buildCluster([{ file: 'k.json', doc: JSON.parse(text) }], { focus }));
  });

  test.each([
    '{"items":[["\\q"]]}',
    '{"items":[[{"a":"\u0001"}]]}',
    '{"items":["\\x"]}',
    '{"kind":"Li\\st","items":[]}',
  ])('a bad string outside the object items is reported: %s', (text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(errorOf(() => parseJsonListSelected(text, 'k.json', focusItemSelector('web'))).code).toBe('E_JSON_BAD');
  });
});

describe('a focused read builds the same Service as a whole read', () => {
  const root = 'fixtures/snapshots';
  const cases = readdirSync(root).flatMap((s) => {
    const snap = loadSnapshot(join(root, s));
    return buildCluster(snap.k8sDocs).services.map((svc) => ({ dir: join(root, s), svc: `${svc.namespace}/${svc.name}` }));
  });
  test('fixtures have Services to compare', () => expect(cases.length).toBeGreaterThan(8));
  test.each(cases)('$dir $svc', ({ dir, svc }) => {
    const focused = loadSnapshot(dir, { k8sItems: focusItemSelector(svc) });
    expect(buildCluster(focused.k8sDocs, { focus: svc })).toEqual(buildCluster(loadSnapshot(dir).k8sDocs, { focus: svc }));
  });
});
