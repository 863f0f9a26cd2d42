/** The offprints stage: one PDF per article and section, cut from the finished issue PDF. */
export { buildOffprints, offprintFacts, pageRange, settleOffprints } from './offprints.js';
export type { BuildOffprintsOptions, BuildOffprintsResult, Offprint } from './offprints.js';
export { moveOutline, readOutline } from './outline.js';
