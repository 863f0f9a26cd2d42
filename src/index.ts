/** Folio's API: the same functions the `folio` command calls. */
export { build } from './build.js';
export type { BuildOptions, BuildResult, StageName } from './build.js';
export { importIssue, writeManuscript } from './import/index.js';
export { loadManuscript } from './manuscript/index.js';
export { resolve, settings as settingsSchema } from './resolve/index.js';
export type { ResolveInput, Resolved, Settings } from './resolve/index.js';
export { renderChapter } from './html/index.js';
export { renderPdf } from './pdf/index.js';
export { buildEpub } from './epub/index.js';
export { check } from './check/index.js';
export { buildArticles } from './articles/index.js';
export type { BuildArticlesOptions, BuildArticlesResult } from './articles/index.js';
export { formatMessage, rules, type Message, type RuleId } from './messages.js';
export type { StageReport, StageResult } from './stage.js';
