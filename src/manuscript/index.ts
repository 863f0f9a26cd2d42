export { loadManuscript, splitFrontMatter } from './load.js';
export type { Chapter, Manuscript } from './load.js';
export * from './schema.js';
export { validateYaml } from './validate.js';
export { checkPageMarkers, findPageMarkers } from './markers.js';
