#!/usr/bin/env node
// kpath's executable: load the built CLI and run it. Build with `npm run build` (npm ci does it).
import { run } from '../dist/cli/index.js';

await run(process.argv);
