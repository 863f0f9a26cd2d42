/** The EPUB stage: a manuscript folder to a checked, reproducible EPUB 3 of the issue. */
export { buildEpub, knownInvalid } from './build.js';
export type { BuildEpubOptions, BuildEpubResult } from './build.js';
export { runAce } from './ace.js';
export { runEpubcheck } from './epubcheck.js';
export type { ValidationResult, Validator } from './validator.js';
export type { ValidationReuse } from './validation.js';
export { publicationMetadata, derivedIdentifier, buildInstant } from './metadata.js';
export type { PublicationMetadata } from './metadata.js';
export { default as rehypeHeadingIds } from './rehype-heading-ids.js';
export { articleEpubIdentifier, articleEpubMetadata, editionIdentifier, editionMetadata, plannedArticleEpubs, plannedEditions } from './editions.js';
export type { ArticleEpubOptions, EditionOptions } from './editions.js';
export { buildBesideBook, buildEditions, withEpubTools } from './build-editions.js';
export type { ArticleEpubResult, BesideBookResult, EditionResult } from './build-editions.js';
