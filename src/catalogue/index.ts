/** The back catalogue: many issues built by a local pool of workers, or by workers on a BullMQ queue. */
export { catalogue, catalogueIssue, type Catalogue, type CatalogueIssue } from './schema.js';
export { loadCatalogue, type CatalogueEntry, type ResolvedCatalogue } from './load.js';
export { buildCatalogueIssue, inputDigest, recordName, type IssueOutcome, type IssueBuildOptions } from './issue.js';
export { buildWithPool, type PoolOptions } from './pool.js';
export { servePool } from './pool-worker.js';
export { catalogueExitCode, catalogueReport, writeCatalogueReport, type CatalogueReport } from './report.js';
