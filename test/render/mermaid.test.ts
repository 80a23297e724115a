import { describe, expect, test } from 'vitest';
import { escapeMermaid, renderMermaid } from '../../src/render/mermaid.js';
import { mixedEndings, nlbIpLost } from '../support/trace-results.js';
import { lintMermaid } from './mermaid-lint.js';

describe('renderMermaid', () => {
  test('escapes what would end or change a quoted label', () => {
    expect(escapeMermaid('a "b" #1 <c> | `d`')).toBe('a #quot;b#quot; #35;1 #lt;c#gt; #124; #96;d#96;');
  });

  test('structurally valid on traces with every kind of ending and hostile reason text', () => {
    for (const r of [nlbIpLost(), mixedEndings()]) expect(lintMermaid(renderMermaid(r))).toEqual([]);
  });

  test('the lint catches what it is there for', () => {
    expect(lintMermaid('flowchart LR\n  a["x"]\n  a -->|"y"| b\n')).toEqual(['line 3: edge to undeclared b']);
    expect(lintMermaid('flowchart LR\n  a["say "hi""]\n')).toContain('line 2: raw quote in label');
    expect(lintMermaid('flowchart LR\n  a["x")\n')).toContain('line 2: shape "[…)" is not a pair');
  });

  test('shapes: stadium client, subroutine LB, rounded pod, hexagon drop, parallelogram unknown', async () => {
    const text = renderMermaid(mixedEndings());
    expect(text).toMatch(/^ {2}client_\w+\(\["/m);
    expect(text).toMatch(/^ {2}pod_web_echo_a\("/m);
    expect(text).toMatch(/^ {2}dropped_1\{\{"dropped<br\/>filter KUBE-FIREWALL rule 1: -A KUBE-FIREWALL -m comment<br\/>--comment #quot;block \\#quot;bad/m);
    expect(text).toMatch(/^ {2}unknown_1\[\/"unknown<br\/>/m);
    expect(text).toMatch(/class dropped_1 stop/);
    await expect(text).toMatchFileSnapshot('../golden/diagram/synthetic-mixed-endings.mmd');
  });
});
