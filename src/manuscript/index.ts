export { loadManuscript, splitFrontMatter } from './load.js';
export type { Chapter, Manuscript } from './load.js';
export * from './schema.js';
export { validateYaml } from './validate.js';
export { checkPageMarkers, findPageMarkers } from './markers.js';
export { derivePrintGeometry, houseGeometry, houseMeasured, resolvePrintGeometry, textBlock, typeLimits } from './geometry.js';
export type { GeometrySource } from './geometry.js';
export { runningHeadRoom, runningTitle, shortenTitle } from './running-title.js';
export { loadCheckedManuscript, type CheckedManuscript } from './preflight.js';
