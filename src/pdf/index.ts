/** The PDF stage: the manuscript to a typeset PDF, page for page with the original. */
export { chunkPages, flowPages, issueSlug, overflowingFolios, pageEndFill, planFlows, renderPdf } from './render.js';
export type { ChunkReport, PageFacts, RenderPdfOptions, RenderPdfResult } from './render.js';
export { copyfitLevels, describeLevel, maxCopyfitLevel } from './copyfit.js';
export { chromiumFlags, defaultChromePath } from './browser.js';
export { bundledFamilies, pagedPolyfillPath } from './assets.js';
