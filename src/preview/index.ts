/** The live preview: the issue paginated in a browser and its EPUB chapters, rebuilt on change. */
export { previewHost, startPreview } from './server.js';
export type { PreviewOptions, PreviewServer } from './server.js';
export { lastCopyfit, makePreviewDocuments } from './documents.js';
export type { PreviewChapter, PreviewDocuments, PreviewDocumentsOptions } from './documents.js';
