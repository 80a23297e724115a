// Graphviz for the DOT tests: whether `dot` runs here (apt-get install -y graphviz), and a render to SVG.
import { spawnSync } from 'node:child_process';

export const hasDot = spawnSync('dot', ['-V'], { encoding: 'utf8' }).status === 0;
if (!hasDot) console.log('skipping the Graphviz render checks: `dot` is not installed (apt-get install -y graphviz)');

/** Renders DOT text to SVG with the real Graphviz; returns its exit status, stderr and output. */
export function dotToSvg(text: string): { status: number | null; stderr: string; svg: string } {
  const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, svg: r.stdout };
}
