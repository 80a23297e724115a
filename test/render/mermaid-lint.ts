/**
 * A structural check of the Mermaid flowcharts kpath writes (there is no Mermaid parser among the
 * dependencies): the header, one declaration per node with a matching shape pair, quoted labels
 * without raw quotes and with only entity codes after '#', unique ids, and edges that only
 * reference declared nodes. Returns the problems found, empty when none.
 */
const SHAPES: readonly (readonly [string, string])[] = [['([', '])'], ['[[', ']]'], ['[/', '/]'], ['{{', '}}'], ['[', ']'], ['(', ')']];

function labelProblems(label: string, where: string): string[] {
  const out: string[] = [];
  if (label.includes('"')) out.push(`${where}: raw quote in label`);
  if (/#(?!\w+;)/.test(label)) out.push(`${where}: "#" that is not an entity code`);
  if (/<(?!br\/>)/.test(label.replace(/<br\/>/g, ''))) out.push(`${where}: raw "<" in label`);
  if (label.replace(/<br\/>/g, '').includes('>')) out.push(`${where}: raw ">" in label`);
  if (label.includes('|')) out.push(`${where}: raw "|" in label`);
  return out;
}

export function lintMermaid(text: string): string[] {
  const problems: string[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines[0] !== 'flowchart LR') problems.push(`line 1: want "flowchart LR", got "${lines[0]}"`);
  const ids = new Set<string>();
  const edges: { from: string; to: string; line: number }[] = [];
  lines.slice(1).forEach((raw, i) => {
    const n = i + 2;
    const line = raw.trim();
    if (line === '' || line.startsWith('%%')) {
      if (line.startsWith('%%{')) problems.push(`line ${n}: a comment that reads as a directive`);
      return;
    }
    if (line.startsWith('classDef ') || line.startsWith('class ')) return;
    const edge = /^([A-Za-z][A-Za-z0-9_]*) -->\|"(.*)"\| ([A-Za-z][A-Za-z0-9_]*)$/.exec(line);
    if (edge) {
      problems.push(...labelProblems(edge[2]!, `line ${n}`));
      edges.push({ from: edge[1]!, to: edge[3]!, line: n });
      return;
    }
    const decl = /^([A-Za-z][A-Za-z0-9_]*)([[({/]+)"(.*)"([\])}/]+)$/.exec(line);
    if (!decl) {
      problems.push(`line ${n}: neither a node, an edge, a class nor a comment: ${line}`);
      return;
    }
    const [, id, open, label, close] = decl as unknown as [string, string, string, string, string];
    if (!SHAPES.some(([o, c]) => o === open && c === close)) problems.push(`line ${n}: shape "${open}…${close}" is not a pair`);
    if (ids.has(id)) problems.push(`line ${n}: node ${id} declared twice`);
    if (id === 'end' || /^[ox]/.test(id)) problems.push(`line ${n}: id ${id} confuses Mermaid's lexer`);
    ids.add(id);
    problems.push(...labelProblems(label, `line ${n}`));
  });
  for (const e of edges) {
    if (!ids.has(e.from)) problems.push(`line ${e.line}: edge from undeclared ${e.from}`);
    if (!ids.has(e.to)) problems.push(`line ${e.line}: edge to undeclared ${e.to}`);
  }
  let depth = 0;
  for (const ch of text.replace(/"[^"\n]*"/g, '""')) {
    if ('[({'.includes(ch)) depth++;
    if ('])}'.includes(ch)) depth--;
    if (depth < 0) break;
  }
  if (depth !== 0) problems.push('brackets outside labels are not balanced');
  return problems;
}
