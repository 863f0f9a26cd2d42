/**
 * What the check compares everything against: the original pages (from the raw source where
 * the manuscript names one, else from the manuscript) and the manuscript's own pages, with
 * the facts every output is measured by (reading order, footnote calls, editor-supplied words).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Chapter, Manuscript } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import { manuscriptPages, manuscriptSource, sourcePages, type PageStretch, type PageText } from './manuscript.js';
import type { StagePage } from './report.js';
import { wordDifference } from './words.js';

/** One original page as every output is measured against it. */
export interface OriginalPage {
  page: number;
  /** The page's words as the original holds them (source when there is one). */
  words: string[];
  /** Reading order of the page's running text (manuscript order, notes left out). */
  body: string[];
  /** Footnote labels called on the page. */
  calls: string[];
  /** Words an output may print on the page that the original lacks (an editor's title). */
  editorial: string[];
  source?: { file: string; line: number };
  manuscript?: { file: string; line: number };
}

/** The original pages and the manuscript's reading of them. */
export interface Originals {
  pages: OriginalPage[];
  manuscript: Map<number, PageText>;
  order: { page: number; file: string; line: number }[];
  source?: { file: string; pages: Map<number, PageText>; folios: { folio: number; line: number }[]; report: ImportReportPages };
}

/** The part of import-report.json the check reads. */
export interface ImportReportPages {
  pages: { page: number; startLine: number; endLine: number; textEnd?: number }[];
}

/**
 * Reads the original pages. `sourceFile` overrides the source issue.yaml names; the page
 * ranges come from the import report beside issue.yaml; `stretchesOf` reads a chapter (a
 * cached reading, `stretchCache`). Problems that stop the check throw.
 */
export async function readOriginals(manuscript: Manuscript, sourceFile?: string, stretchesOf?: (chapter: Chapter) => PageStretch[]): Promise<Originals> {
  const { pages: mpages, order } = manuscriptPages(manuscript, stretchesOf);
  const file = sourceFile ?? manuscriptSource(manuscript);
  let source: Originals['source'];
  if (file !== undefined) {
    const reportFile = path.join(manuscript.dir, 'import-report.json');
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as ImportReportPages;
    const read = await sourcePages(file, report);
    source = { file, pages: read.pages, folios: read.folios, report };
  }
  const pages: OriginalPage[] = [];
  for (let n = 1; n <= manuscript.issue.pages; n += 1) {
    const m = mpages.get(n);
    const s = source?.pages.get(n);
    const page: OriginalPage = {
      page: n,
      words: s?.words ?? m?.words ?? [],
      body: m?.body ?? [],
      calls: m?.calls ?? [],
      editorial: m?.editorial ?? [],
    };
    if (s?.file !== undefined && s.line !== undefined) page.source = { file: s.file, line: s.line };
    if (m?.file !== undefined && m.line !== undefined) page.manuscript = { file: m.file, line: m.line };
    pages.push(page);
  }
  const result: Originals = { pages, manuscript: mpages, order };
  if (source) result.source = source;
  return result;
}

/** Words lost and added, extra words the output may print (running heads aside) forgiven. */
export function comparePage(expected: readonly string[], actual: readonly string[], allowed: readonly string[] = []): { lost: string[]; added: string[] } {
  const { lost, added } = wordDifference(expected, actual);
  // What is added beyond the words the output may print, counted as a multiset like the rest.
  return { lost, added: wordDifference(allowed, added).added };
}

/** The problem list of page `n` in a stage's pages, made when the page has none yet. */
export function problemsOf(pages: Map<number, StagePage>, n: number): string[] {
  let page = pages.get(n);
  if (!page) {
    page = { faithful: true, lost: [], added: [], problems: [] };
    pages.set(n, page);
  }
  return page.problems;
}

/** `word, word, … (+N more)`: a short list for a message. */
export function listWords(list: readonly string[], max = 8): string {
  const shown = list.slice(0, max).map((w) => `\`${w}\``).join(', ');
  return list.length > max ? `${shown} (+${list.length - max} more)` : shown;
}

/** The message for a page whose words differ, placed where a person can open it. */
export function wordsMessage(what: string, page: number, lost: readonly string[], added: readonly string[], place: { file: string; line?: number }): Message {
  const parts: string[] = [];
  if (lost.length > 0) parts.push(`${lost.length} words lost (${listWords(lost)})`);
  if (added.length > 0) parts.push(`${added.length} words added (${listWords(added)})`);
  return message('check-001', `Unexpected text on page ${page} of the ${what}: ${parts.join(', ')}; expected the words of the original page`, place);
}
