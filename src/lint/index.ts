// Public surface of src/lint: drift between a snapshot's Kubernetes objects and its dumps.
export { lintSnapshot } from './lint.js';
export { renderLintJson, renderLintText } from './render.js';
export { LINT_SCHEMA } from './model.js';
export type { Finding, FindingCode, LintReport, NotChecked, Severity } from './model.js';
