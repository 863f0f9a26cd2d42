/**
 * How an import did on a generated issue, against the generator's truth: which pages it
 * placed at the right line, and how confident it said it was about each.
 */
import type { ImportReport } from '../../src/import/index.js';
import type { GeneratedIssue } from './issue.js';

/** The import's warning threshold: a page at or below it is flagged for the proof. */
export const WARN_CONFIDENCE = 0.6;

export interface PageScore {
  page: number;
  right: boolean;
  confidence: number;
  /** The source line the import opened the page at (its first line of text), and the truth. */
  found?: number;
  expected: number;
}

export interface IssueScore {
  pagesExpected: number;
  pagesFound: number;
  pages: PageScore[];
  /** Pages placed wrongly and yet reported above the warning threshold. */
  confidentlyWrong: number;
  /** The generator's chapters, each with whether the import found it with its page range. */
  chapters: { title: string; firstPage: number; lastPage: number; right: boolean; printedTitle: boolean; titleRight: boolean }[];
}

/** Scores `report` (the import of `issue.text`) page by page. */
export function scoreImport(issue: GeneratedIssue, report: ImportReport): IssueScore {
  const lines = issue.text.split('\n');
  const head = `${issue.options.journal}·${issue.options.issue}`;
  const furniture = (text: string): boolean => text.trim() === '' || /^\d{1,4}$/u.test(text.trim()) || text.trim() === head;
  const found = new Map<number, { line: number; confidence: number }>();
  for (const p of report.pages) {
    let n = p.startLine;
    while (n <= p.endLine && furniture(lines[n - 1] ?? '')) n += 1;
    found.set(p.page, { line: n, confidence: p.confidence });
  }
  const pages = issue.pageStarts.map((truth): PageScore => {
    const f = found.get(truth.page);
    return { page: truth.page, right: f?.line === truth.line, confidence: f?.confidence ?? 0, ...(f ? { found: f.line } : {}), expected: truth.line };
  });
  return {
    pagesExpected: issue.pages,
    pagesFound: report.pages.length,
    pages,
    confidentlyWrong: pages.filter((p) => !p.right && p.confidence > WARN_CONFIDENCE).length,
    chapters: issue.chapters.map((c) => {
      const found = report.chapters.find((f) => f.firstPage === c.firstPage && f.lastPage === c.lastPage);
      const same = (a: string, b: string): boolean => a.replace(/\s+/gu, ' ').trim() === b.replace(/\s+/gu, ' ').trim();
      return { title: c.title, firstPage: c.firstPage, lastPage: c.lastPage, right: found !== undefined, printedTitle: c.printedTitle, titleRight: found !== undefined && same(found.title, c.title) };
    }),
  };
}
