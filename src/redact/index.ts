// Public surface of src/redact: a consistent, prefix-preserving rewrite of a snapshot's addresses and names.
export { redactSnapshot } from './redact.js';
export type { RedactMapping, RedactResult, SnapshotFile } from './redact.js';
export type { Leak } from './leaks.js';
export { createIpMapper, mapAddressText, V4_BLOCKS, V6_BLOCKS } from './ip.js';
