export { importIssue, writeManuscript } from './import.js';
export type { ImportedIssue, ImportOptions, ImportResult, ImportReport } from './import.js';
export { readSource } from './source.js';
export { restorePages } from './layout.js';
export { escapeMarkdown } from './markdown.js';
