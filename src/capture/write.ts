import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Gap } from './model.js';

/** Recursively sorts object keys, as kubectl's JSON printer does (Go maps marshal in key order). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

/** Writes `rel` under `dir`, creating folders. */
export function writeText(dir: string, rel: string, text: string): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

/** JSON as kubectl and the AWS CLI print it: 4-space indent and a final newline. */
export function writeJson(dir: string, rel: string, value: unknown): void {
  writeText(dir, rel, `${JSON.stringify(value, null, 4)}\n`);
}

/** kpath-snapshot.json (shared/spec/snapshot.md). */
export function writeMeta(dir: string, meta: { capturedAt: string; tool: string; cluster: string; gaps: readonly Gap[] }): void {
  writeText(dir, 'kpath-snapshot.json', `${JSON.stringify({ format: 'kpath-snapshot/v1', ...meta }, null, 2)}\n`);
}
