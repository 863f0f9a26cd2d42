/** The fidelity check: the issue's outputs held page by page against the original. */
export { check } from './check.js';
export type { CheckOptions, CheckResult } from './check.js';
export type { FidelityReport, PageFidelity, StagePage, StageSummary, Stage } from './report.js';
export { summaryLines } from './report.js';
export { words, wordDifference } from './words.js';
export { pageListMessages, type ListedPage } from './fidelity.js';
export { checkOffprints, type IssuePdfReading } from './offprints.js';
