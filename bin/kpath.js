#!/usr/bin/env node
// kpath's executable: load the built CLI and run it. Build with `npm run build` (npm ci does it);
// dist/bundle/ is dist/cli/ bundled into one module (scripts/bundle.mjs).
import { run } from '../dist/bundle/kpath.js';

await run(process.argv);
