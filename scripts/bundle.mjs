#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli/index.js, from tsc) into dist/bundle/ for bin/kpath.js.
// Why: Node loads ~180 small ES modules one by one (resolve, read, compile, link), which cost
// ≈40 ms of every run before kpath does any work (measured with `npm run bench`). One bundle
// with split chunks for the lazily imported parts (gather, check, redact) loads in a few ms.
// npm packages stay external and are resolved from node_modules as usual.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true }); // no stale chunks from an earlier build

await build({
  entryPoints: { kpath: 'dist/cli/index.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
