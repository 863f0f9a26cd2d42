/**
 * The books made beside the whole issue's EPUB: its editions by language and the EPUB of each
 * article and section, built with the same `buildEpub`, two at a time on two cores, with one set
 * of tools.
 */
import os from 'node:os';
import path from 'node:path';
import { buildEpub, type BuildEpubOptions, type BuildEpubResult, type EpubTools } from './build.js';
import { plannedArticleEpubs, plannedEditions } from './editions.js';
import { inLanes } from '../session/index.js';
import { startWarmTools } from '../session/warm-tools.js';

/**
 * Runs `work` with the tools every book of an EPUB stage is validated with: `given` (a watch
 * session's, used as they are), or, in a one-off run, one Chromium, one EPUBCheck JVM and an Ace
 * worker per lane of books (`bookLanes`), started on first use, shared by the whole book, its
 * editions and the articles' EPUBs, and stopped when `work` ends, also when it fails. A JVM's first validation costs seconds of
 * warming up (5 s for an article of a few pages, against 0.3 s warm), a worker's start about a
 * second: a stage that started them once for the whole book and again for the books beside it
 * paid for that twice.
 */
export async function withEpubTools<T>(resolved: BuildEpubOptions['resolved'], given: EpubTools | undefined, work: (tools: EpubTools) => Promise<T>): Promise<T> {
  if (given) return work(given);
  const session = startWarmTools({ chromePath: resolved.settings.environment.chromePath, env: resolved.env, aceWorkers: bookLanes() });
  try {
    return await work({ browser: session.browser, epubcheck: session.epubcheck, ace: session.ace });
  } finally {
    await session.close();
  }
}

/**
 * Books made at once beside the whole book: two on a machine of two cores or more. Ace's axe runs
 * are most of a cold stage's time, and one book's keep a core busy at most (three small documents
 * for an article's EPUB), so two books, each through an Ace worker of its own, keep both busy.
 */
function bookLanes(): number {
  return Math.min(2, os.availableParallelism());
}

/** One edition built: its language and what `buildEpub` reported. */
export interface EditionResult extends BuildEpubResult {
  language: string;
  /** Where the edition was to be written. */
  file: string;
}

/** One article's EPUB built: its chapter's slug and what `buildEpub` reported. */
export interface ArticleEpubResult extends BuildEpubResult {
  slug: string;
  /** Where the EPUB was to be written. */
  file: string;
}

/** What `buildBesideBook` made: the editions, then the articles' EPUBs. */
export interface BesideBookResult {
  editions: EditionResult[];
  articles: ArticleEpubResult[];
}

/**
 * Builds, beside the whole book (`options.out`, default `settings.files.epub`), every edition of
 * the resolved manuscript (none for a one-language issue or with `outputs.editions: false`) and
 * every article's and section's EPUB under `articles/` (none with `outputs.articleEpubs:
 * false`). Nothing is printed.
 */
export async function buildBesideBook(options: BuildEpubOptions, which: { editions?: boolean; articles?: boolean } = {}): Promise<BesideBookResult> {
  const { resolved } = options;
  const { manuscript } = resolved;
  const whole = options.out ?? resolved.settings.files.epub;
  const editions = which.editions === false ? [] : plannedEditions(manuscript, whole);
  const articles = which.articles === false ? [] : plannedArticleEpubs(manuscript, whole);
  const made: BesideBookResult = { editions: [], articles: [] };
  if (editions.length + articles.length === 0) return made;
  // The check waits on the whole book's writing, not on these, so none tells anyone.
  const { onWritten, ...rest } = options;
  void onWritten;
  // The articles' EPUBs sit one folder down, and keep the whole book's cache (the cover, the
  // validation, Ace's results for each chapter, the same bytes as in the whole book).
  const cacheDir = options.cacheDir ?? path.join(path.dirname(whole), 'cache', 'epub');
  return withEpubTools(resolved, options.tools, async (tools) => {
    // The books in lanes, each taking the next as soon as it is done, results in the books' order.
    const books = [...editions.map((e) => ({ ...e, article: undefined })), ...articles.map((a) => ({ ...a, edition: undefined }))];
    const results = await inLanes(books, bookLanes(), (book) => buildEpub({ ...rest, cacheDir, tools, out: book.out, ...(book.edition ? { edition: book.edition } : {}), ...(book.article ? { article: book.article } : {}) }));
    books.forEach((book, index) => {
      const result = results[index] as BuildEpubResult;
      if (book.edition) made.editions.push({ ...result, language: book.edition.language, file: book.out });
      if (book.article) made.articles.push({ ...result, slug: book.article.slug, file: book.out });
    });
    return made;
  });
}

/** Builds every edition of the resolved manuscript beside the whole book (see `buildBesideBook`). */
export async function buildEditions(options: BuildEpubOptions): Promise<EditionResult[]> {
  return (await buildBesideBook(options, { articles: false })).editions;
}
