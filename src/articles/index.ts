/** The article stage: per-article JATS, landing pages and the issue's Crossref deposit. */
export { buildArticles, articlesFolder, verifyArticleFiles } from './articles.js';
export type { ArticleOutput, BuildArticlesOptions, BuildArticlesResult } from './articles.js';
export { articleChapters, contributorOf, readArticle } from './article.js';
export type { Article, Contributor } from './article.js';
export { articleJats, jatsDoctype, pageTargetId } from './jats.js';
export { issueCrossref, crossrefTimestamp, depositTime } from './crossref.js';
export { articleLanding, scholarTags } from './landing.js';
export { checkNesting, jatsNesting } from './nesting.js';
export { verifyJats, checkWellFormed, expectedWords } from './verify.js';
