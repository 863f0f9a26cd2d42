/** The Markdown stage: manuscript text to an mdast tree with Folio's own nodes. */
export { markdownProcessor, messagesOf, parseMarkdown } from './processor.js';
export { default as remarkFolioDirectives } from './remark-folio-directives.js';
export type { Options as RemarkFolioDirectivesOptions } from './remark-folio-directives.js';
export type { Byline, PageMarker, Subtitle } from './nodes.js';
export { default as remarkFootnoteCheck } from './remark-footnote-check.js';
export { default as remarkPageMarkerPlacement } from './remark-page-marker-placement.js';
