/** kpath diff: how the outcomes of one question differ between two snapshots. */
export { DIFF_SCHEMA, diffTraces, type KeyedShare, type OutcomeChange, type ShareChange, type TraceDiff } from './compare.js';
