/** The HTML stage: a chapter's Markdown to an XHTML body fragment for print or EPUB. */
export { renderChapter, xhtmlSerialization } from './render.js';
export type { RenderChapterOptions, RenderedChapter } from './render.js';
export { createHandlers } from './handlers/index.js';
export { default as rehypePageBreakBlocks } from './rehype-page-break-blocks.js';
export { default as rehypeSanitizeManuscript } from './rehype-sanitize-manuscript.js';
export { folioSchema } from './schema.js';
export { labelId, printedLabel } from './target.js';
export type { Target } from './target.js';
