import { describe, expect, test } from 'vitest';
import { escapeDot, renderDot } from '../../src/render/dot.js';
import { mixedEndings, nlbIpLost } from '../support/trace-results.js';
import { dotToSvg, hasDot } from './graphviz.js';

describe('renderDot', () => {
  test('escapes backslashes before quotes', () => {
    expect(escapeDot('a "b" c\\d')).toBe('a \\"b\\" c\\\\d');
  });

  test('hostile reason text stays inside its label', async () => {
    const text = renderDot(mixedEndings());
    expect(text).toContain('dropped_1 [label="dropped\\nfilter KUBE-FIREWALL rule 1: -A KUBE-FIREWALL -m comment\\n--comment \\"block \\\\\\"bad\\\\\\" <traffic> #1 | a\\\\b\\" -j DROP"');
    await expect(text).toMatchFileSnapshot('../golden/diagram/synthetic-mixed-endings.dot');
  });

  test.skipIf(!hasDot)('Graphviz renders it to SVG, labels intact', () => {
    for (const r of [nlbIpLost(), mixedEndings()]) {
      const out = dotToSvg(renderDot(r));
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      expect(out.svg).toContain('<svg');
    }
    const svg = dotToSvg(renderDot(mixedEndings())).svg;
    expect(svg).toContain('&lt;traffic&gt;');
    expect(svg).toContain('sees 10.244.1.0');
  });
});
