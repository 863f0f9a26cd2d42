/**
 * `buildArticles()`: the article-level outputs of an issue, each article of both languages on
 * its own: a JATS 1.3 file and a landing page with Google Scholar tags under `articles/`, and
 * the Crossref deposit of the issue. Every file is written whole or not at all, then checked
 * with real readers; one that fails its check is kept as `<name>.invalid.<ext>`, never at the
 * path a pipeline would take it from.
 */
import type { StageReport } from '../stage.js';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { dropInvalid, setAsideInvalid, writeFileAtomic } from '../session/index.js';
import type { Manuscript } from '../manuscript/index.js';
import { message, rules, type Message } from '../messages.js';
import { issueSlug, offprintOutputs } from '../manuscript/index.js';
import { refusedManuscript, type Resolved } from '../resolve/index.js';
import { articleChapters, readArticle, type Article } from './article.js';
import { depositTime, issueCrossref } from './crossref.js';
import { articleJats } from './jats.js';
import { articleLanding } from './landing.js';
import { checkWellFormed, expectedWords, verifyJats } from './verify.js';

/** Options of `buildArticles`. */
export interface BuildArticlesOptions {
  /**
   * The run, resolved (`resolve()`): the manuscript, and the build folder (pages and JATS files
   * go to `settings.files.articles`, the deposit to `settings.files.crossref`).
   */
  resolved: Resolved;
  /** When the deposit is made: its Crossref timestamp and batch id (default `depositTime`: SOURCE_DATE_EPOCH as settled, else now). */
  depositedAt?: Date;
  /** Check every file written with xmllint and pandoc (default true). */
  verify?: boolean;
}

/** What was made for one article. */
export interface ArticleOutput {
  slug: string;
  language: string;
  firstPage: number;
  lastPage: number;
  /** The words of the chapter that the JATS file must hold (what pandoc read back, when it passed). */
  words: number;
  jats?: string;
  landing?: string;
}

/** What `buildArticles` made and found. */
export interface BuildArticlesResult extends StageReport {
  articles: ArticleOutput[];
  /** The deposit, at `crossref.xml` or, when it cannot be deposited, `crossref.invalid.xml`. */
  crossref?: string;
  written: string[];
}

/** The folder the per-article files go to, below the build folder. */
export function articlesFolder(outDir: string): string {
  return path.join(outDir, 'articles');
}

/** Writes a file, or says why it could not be written (`articles-008`). */
async function write(file: string, data: string, messages: Message[]): Promise<boolean> {
  try {
    await writeFileAtomic(file, data);
    return true;
  } catch (error) {
    messages.push(message('articles-008', `Unexpected failure writing ${path.basename(file)}: ${(error as Error).message}`, { file }));
    return false;
  }
}

/** True when a check found the file wrong; a tool that could not run (`articles-007`) found nothing. */
function foundInvalid(problems: readonly Message[]): boolean {
  return problems.some((m) => m.severity === 'error' && rules[m.ruleId].blame === 'input');
}

/** Keeps a file its check found wrong under its `.invalid` name; any other removes an older invalid copy. */
async function settle(file: string, problems: readonly Message[], written: string[]): Promise<void> {
  if (!foundInvalid(problems)) {
    await dropInvalid(file);
    written.push(file);
    return;
  }
  written.push(await setAsideInvalid(file));
}

/** The options of one run, settled: the manuscript, where its files go, when it is deposited. */
interface ArticlesRun {
  manuscript: Manuscript;
  folder: string;
  crossref: string;
  depositedAt: Date;
  verify: boolean;
}

/** One article's JATS file and landing page. */
async function writeArticle(article: Article, options: ArticlesRun, result: BuildArticlesResult): Promise<void> {
  const { chapter } = article;
  const { issue } = options.manuscript;
  const outputs = { jats: issue.outputs?.jats ?? true, landing: issue.outputs?.landing ?? true };
  const { folder } = options;
  const made: ArticleOutput = { slug: chapter.slug, language: chapter.language, firstPage: chapter.firstPage, lastPage: chapter.lastPage, words: expectedWords(article).length };
  if (outputs.jats) {
    const file = path.join(folder, `${chapter.slug}.jats.xml`);
    const jats = articleJats(article, issue);
    result.messages.push(...jats.messages);
    if (await write(file, jats.xml, result.messages)) {
      const problems = options.verify ? await verifyJats(file, jats.xml, article) : [];
      result.messages.push(...problems);
      await settle(file, problems, result.written);
      if (!foundInvalid(problems)) made.jats = file;
    }
  }
  if (outputs.landing) {
    const file = path.join(folder, `${chapter.slug}.html`);
    // The offprint and the EPUB it links are the offprints' and the EPUB stage's (`outputs.offprints`, `outputs.articleEpubs`).
    const { pdf, epub } = offprintOutputs(options.manuscript);
    if (await write(file, articleLanding(article, issue, { jats: outputs.jats, pdf, epub }), result.messages)) {
      result.written.push(file);
      made.landing = file;
    }
  }
  result.articles.push(made);
}

/** The issue's Crossref deposit: at `crossref.xml` when it can be deposited, else kept for review beside it. */
async function writeCrossref(articles: readonly Article[], options: ArticlesRun, result: BuildArticlesResult): Promise<void> {
  const { issue } = options.manuscript;
  const file = options.crossref;
  const batchId = `${issueSlug(options.manuscript)}-${options.depositedAt.toISOString().replace(/\D/gu, '').slice(0, 14)}`;
  const deposit = issueCrossref(articles, issue, { batchId, depositedAt: options.depositedAt });
  const invalid = path.join(path.dirname(file), 'crossref.invalid.xml');
  const target = deposit.missing.length > 0 ? invalid : file;
  if (!(await write(target, deposit.xml, result.messages))) return;
  const problems = options.verify ? await checkWellFormed(target) : [];
  result.messages.push(...problems);
  if (deposit.missing.length > 0) {
    // A deposit of this issue that was once complete no longer says what the manuscript says.
    await rm(file, { force: true });
    result.messages.push(message('articles-006', `Unexpected Crossref deposit that cannot be deposited: ${deposit.missing.join('; ')}; expected every article with a DOI (never invented): kept for review as \`${path.basename(invalid)}\`, not at \`crossref.xml\``, { file: invalid }));
    result.written.push(invalid);
    result.crossref = invalid;
    return;
  }
  await settle(file, problems, result.written);
  result.crossref = foundInvalid(problems) ? invalid : file;
}

/** Whether the issue asks for a Crossref deposit: as `outputs.crossref` says, else when it names a depositor or any DOI. */
export function wantsDeposit(manuscript: Manuscript): boolean {
  const { issue } = manuscript;
  return issue.outputs?.crossref ?? (issue.depositor !== undefined || issue.doi !== undefined || manuscript.chapters.some((c) => c.doi !== undefined));
}

/**
 * Makes the article outputs the issue asks for (`outputs:` in issue.yaml; see `wantsDeposit`).
 * Problems come back as messages: the stage reports only what it finds itself; the
 * manuscript's own warnings are the other stages' to report.
 */
export async function buildArticles(options: BuildArticlesOptions): Promise<BuildArticlesResult> {
  const started = performance.now();
  const result: BuildArticlesResult = { articles: [], written: [], messages: [], timings: {} };
  const { manuscript, settings } = options.resolved;
  if (options.resolved.failed) {
    result.messages.push(refusedManuscript(options.resolved, 'article file'));
    return result;
  }
  const run: ArticlesRun = { manuscript, folder: settings.files.articles, crossref: settings.files.crossref, depositedAt: options.depositedAt ?? depositTime(settings.environment.sourceDateEpoch), verify: options.verify !== false };
  const articles = articleChapters(manuscript).map((chapter) => readArticle(chapter, manuscript).article);
  for (const article of articles) await writeArticle(article, run, result);
  result.timings.articles = Math.round(performance.now() - started);
  if (articles.length > 0 && wantsDeposit(manuscript)) await writeCrossref(articles, run, result);
  result.timings.total = Math.round(performance.now() - started);
  return result;
}

/**
 * `folio check`'s look at the article files of an earlier build: each JATS file under
 * `<outDir>/articles/` read back against its chapter (fpage, lpage, page targets, every word).
 * An article without a file is not reported: the outputs may be turned off or not built yet.
 */
export async function verifyArticleFiles(manuscript: Manuscript, outDir: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (const chapter of articleChapters(manuscript)) {
    const file = path.join(articlesFolder(outDir), `${chapter.slug}.jats.xml`);
    const xml = await readFile(file, 'utf8').catch(() => undefined);
    if (xml === undefined) continue;
    messages.push(...(await verifyJats(file, xml, readArticle(chapter, manuscript).article)));
  }
  return messages;
}
