import type { TraceResult } from '../path/model.js';
import { buildDiagram, edgeLabelLines, type DiagramNodeKind } from './diagram.js';

/** Escapes text for a double-quoted DOT string: backslashes first (Graphviz reads \n, \l, \N as escapes), then quotes. */
export function escapeDot(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]+/g, ' ');
}

function label(lines: readonly string[]): string {
  return `"${lines.map(escapeDot).join('\\n')}"`;
}

const ATTRS: Readonly<Record<DiagramNodeKind, string>> = {
  start: 'shape=ellipse',
  client: 'shape=ellipse',
  'load-balancer': 'shape=box3d',
  proxy: 'shape=box3d',
  node: 'shape=box',
  pod: 'shape=box, style="rounded,filled", fillcolor="#e3f4e8", color="#1e8449"',
  endpoint: 'shape=box, style="rounded,filled", fillcolor="#e3f4e8", color="#1e8449"',
  dropped: 'shape=octagon, style=filled, fillcolor="#fde2e1", color="#c0392b"',
  rejected: 'shape=octagon, style=filled, fillcolor="#fde2e1", color="#c0392b"',
  'no-route': 'shape=octagon, style=filled, fillcolor="#fde2e1", color="#c0392b"',
  unknown: 'shape=parallelogram, style="dashed,filled", fillcolor="#fef5d4", color="#b7950b"',
};

/**
 * A Graphviz digraph of a trace with the same content as `renderMermaid`: one box per hop, edges
 * with shares and rewrites, endings in their own shapes; the title and verdict are the graph label.
 * Pure; `dot -Tsvg` renders it.
 */
export function renderDot(result: TraceResult): string {
  const d = buildDiagram(result);
  const lines = [
    'digraph kpath {',
    '  rankdir=LR;',
    `  label=${label([`kpath trace ${d.title}`, d.verdict])};`,
    '  labelloc=t;',
    '  fontname="Helvetica"; fontsize=12;',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of d.nodes) lines.push(`  ${n.id} [label=${label(n.lines)}, ${ATTRS[n.kind]}];`);
  for (const e of d.edges) lines.push(`  ${e.from} -> ${e.to} [label=${label(edgeLabelLines(e))}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
