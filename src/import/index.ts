export { importIssue } from './import.js';
export { writeManuscript } from './write.js';
export type { ImportedIssue, ImportOptions, ImportResult, ImportReport } from './import.js';
export { readSource } from './source.js';
export { restorePages } from './layout.js';
export { escapeMarkdown } from './markdown.js';
