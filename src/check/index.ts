/** kpath check: expectations about traces, validated from YAML and checked against a snapshot. */
export { checkExpectation } from './evaluate.js';
export type { AssertionKey, AssertionResult, CheckReport, CheckResult, EndpointMatcher, Expectation } from './model.js';
export { EXPECTATION_KEYS, parseExpectations } from './parse.js';
export { runChecks } from './run.js';
export { matchesLabels, parseLabelSelector, type LabelRequirement } from './selector.js';
