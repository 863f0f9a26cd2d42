/**
 * The machinery every stage shares and none owns: the outputs written whole (files), one build
 * per output folder (lock), the memos, the tools kept running (kept processes, Chromium), the
 * watcher, and a watch session's warm tools. Only re-exports; warm-tools comes last, since it
 * reaches into the stages, which import this index.
 */
export * from './cache-key.js';
export * from './files.js';
export * from './lanes.js';
export * from './lock.js';
export * from './memo.js';
export * from './kept-process.js';
export * from './chromium.js';
export * from './watch.js';
export * from './warm-tools.js';
