import type { TraceResult } from '../path/model.js';

/** Trace JSON v1 text: the result as data, two-space indented, stable order (paths already sorted). */
export function renderJson(result: TraceResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
