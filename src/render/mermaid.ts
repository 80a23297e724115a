import type { TraceResult } from '../path/model.js';
import { buildDiagram, edgeLabelLines, type DiagramNode, type DiagramNodeKind } from './diagram.js';

/**
 * Escapes one label line for a quoted Mermaid string. Mermaid decodes `#name;` and `#123;` entity
 * codes in labels (mermaid docs, "Entity codes to escape characters"), so `#` itself is encoded
 * first; quotes, angle brackets (labels are HTML), pipes and backticks are encoded after it.
 */
export function escapeMermaid(s: string): string {
  return s
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
    .replace(/[\r\n]+/g, ' ');
}

function label(lines: readonly string[]): string {
  return `"${lines.map(escapeMermaid).join('<br/>')}"`;
}

/** Shape per kind: stadium client, subroutine load balancer, box node, rounded pod, hexagon stop, parallelogram unknown. */
const SHAPE: Readonly<Record<DiagramNodeKind, readonly [string, string]>> = {
  start: ['([', '])'], client: ['([', '])'], 'load-balancer': ['[[', ']]'], proxy: ['[[', ']]'], node: ['[', ']'],
  pod: ['(', ')'], endpoint: ['(', ')'], dropped: ['{{', '}}'], rejected: ['{{', '}}'], 'no-route': ['{{', '}}'], unknown: ['[/', '/]'],
};

const CLASSES = [
  'classDef stop fill:#fde2e1,stroke:#c0392b,color:#7b241c',
  'classDef unknown fill:#fef5d4,stroke:#b7950b,color:#7d6608,stroke-dasharray:4 3',
  'classDef pod fill:#e3f4e8,stroke:#1e8449',
];

function classOf(n: DiagramNode): string | undefined {
  if (n.kind === 'dropped' || n.kind === 'rejected' || n.kind === 'no-route') return 'stop';
  if (n.kind === 'unknown') return 'unknown';
  if (n.kind === 'pod' || n.kind === 'endpoint') return 'pod';
  return undefined;
}

/**
 * A Mermaid `flowchart LR` of a trace that renders on GitHub: client → load balancer → node(s)
 * → pod(s), edges labelled with their share of all traffic and the rewrites (DNAT a → b,
 * MASQUERADE → x), endings that are not a delivery in their own shapes. Pure; returns the text.
 */
export function renderMermaid(result: TraceResult): string {
  const d = buildDiagram(result);
  const lines = ['flowchart LR'];
  // Comments keep the title and verdict in the source without frontmatter, which older renderers reject.
  lines.push(`  %% kpath trace ${d.title.replace(/%%/g, '%')}`, `  %% ${d.verdict.replace(/%%/g, '%')}`);
  for (const n of d.nodes) {
    const [open, close] = SHAPE[n.kind];
    lines.push(`  ${n.id}${open}${label(n.lines)}${close}`);
  }
  for (const e of d.edges) lines.push(`  ${e.from} -->|${label(edgeLabelLines(e))}| ${e.to}`);
  lines.push(...CLASSES.map((c) => `  ${c}`));
  const byClass = new Map<string, string[]>();
  for (const n of d.nodes) {
    const c = classOf(n);
    if (c) byClass.set(c, [...(byClass.get(c) ?? []), n.id]);
  }
  for (const [c, ids] of byClass) lines.push(`  class ${ids.join(',')} ${c}`);
  return `${lines.join('\n')}\n`;
}
