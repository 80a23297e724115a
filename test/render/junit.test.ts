import { describe, expect, test } from 'vitest';
import type { CheckReport } from '../../src/check/model.js';
import { escapeXml, renderJunit } from '../../src/render/junit.js';

const loc = { file: 'e.yaml', line: 1, column: 3 };

function report(names: string[], failed: Set<string>): CheckReport {
  return {
    file: 'e.yaml', snapshot: 'snap', passed: failed.size === 0,
    results: names.map((name) => ({
      expectation: { name, isNamed: true, loc, at: {}, query: { svc: 'a/b', from: 'internet' }, reachable: true },
      passed: !failed.has(name), traced: 'a/b port 80 from internet',
      assertions: [{ key: 'reachable', passed: !failed.has(name), want: 'true', got: failed.has(name) ? 'no path delivers the traffic' : '100% delivered', details: ['100% dropped: -A X -m comment --comment "<b> & \'c\'" -j DROP'] }],
    })),
  };
}

describe('renderJunit', () => {
  test('escapes the five XML specials and drops control characters XML 1.0 cannot hold', () => {
    expect(escapeXml(`a<b>&"c"'d'\u0001\u001b[31m\t\n`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;[31m\t\n');
  });

  test('one testsuite, a testcase each, failure with message and body; no timestamps', () => {
    const xml = renderJunit(report(['ok "one"', 'bad <two>'], new Set(['bad <two>'])));
    expect(xml).toBe([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="kpath" tests="2" failures="1" errors="0">',
      '<testsuite name="kpath check e.yaml" tests="2" failures="1" errors="0" skipped="0">',
      '  <properties>',
      '    <property name="snapshot" value="snap"/>',
      '  </properties>',
      '  <testcase classname="e.yaml" name="ok &quot;one&quot;"/>',
      '  <testcase classname="e.yaml" name="bad &lt;two&gt;">',
      '    <failure message="reachable: want true; got no path delivers the traffic" type="reachable">e.yaml:1:3: bad &lt;two&gt;',
      'traced a/b port 80 from internet',
      'FAILED reachable: want true; got no path delivers the traffic',
      '  100% dropped: -A X -m comment --comment &quot;&lt;b&gt; &amp; &apos;c&apos;&quot; -j DROP</failure>',
      '  </testcase>',
      '</testsuite>',
      '</testsuites>',
      '',
    ].join('\n'));
  });
});
