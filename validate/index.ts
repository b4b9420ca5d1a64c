// Public API of post-run validation and pre-flight (used by the scenario orchestrator).
export { runValidation, type ValidationOptions } from './runner.js';
export type { ValidationReport } from './report/types.js';
export { formatReport, verdictLine } from './report/human.js';
export { junitXml } from './report/junit.js';
export { CHECKERS, CHECKER, CHECKER_NAMES, selectCheckers } from './checkers/index.js';
export { DEFAULT_PREFIX, makeScope } from './scope.js';
export { DEFAULT_BOUNDS, type Bounds, type Checker, type CheckerResult, type Witness } from './types.js';
export { readRunSummary, parseRunSummary, type RunSummary } from './summary.js';
export { latestRunId } from './results-dir.js';
export { runPreflight, formatPreflight, type PreflightOptions, type PreflightReport, type PreflightCheck } from './preflight/runner.js';
