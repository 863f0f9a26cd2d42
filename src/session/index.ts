/**
 * The machinery every stage shares and none owns: the outputs written whole (files), one build
 * per output folder (lock), the memos, the tools kept running (kept processes, Chromium), the
 * watcher. Only re-exports. A watch session's warm tools (`./warm-tools.js`) are not here: they
 * reach into the stages, which import this index, and an import cycle leaves a binding
 * uninitialised for whichever module the cycle is entered through.
 */
export * from './cache-key.js';
export * from './files.js';
export * from './lanes.js';
export * from './lock.js';
export * from './memo.js';
export * from './kept-process.js';
export * from './chromium.js';
export * from './watch.js';
