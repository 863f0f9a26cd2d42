/**
 * The fidelity report: for every printed page and every output checked (the manuscript, the
 * PDF, the EPUB), the words lost and added against the original page and what else was wrong.
 * It is what `build/<issue>.fidelity.json` holds and what the proof and the summary are made of.
 */

/** An output checked against the original (`reader`: the EPUBs as the reading engine shows them). */
export type Stage = 'manuscript' | 'pdf' | 'epub' | 'reader';

/** How one output holds one printed page. */
export interface StagePage {
  /** True when the page holds exactly the original page's words and everything else holds. */
  faithful: boolean;
  /** Words of the original page missing from the output's page. */
  lost: string[];
  /** Words on the output's page that the original page lacks (running heads and folios aside). */
  added: string[];
  /** Problems other than words: a wrong folio, a first word that moved, a missing target. */
  problems: string[];
  /** The output's page text as read (words joined by spaces), for the proof. */
  text?: string;
  /** The folio the PDF page prints, where one was found. */
  folio?: number | null;
  /** The PDF page label. */
  label?: string | null;
}

/** One printed page across every output checked. */
export interface PageFidelity {
  page: number;
  /** Source file and 1-based line where the page starts. */
  source?: { file: string; line: number };
  /** Manuscript file and line of the page marker. */
  manuscript?: { file: string; line: number };
  /** Words on the original page. */
  words: number;
  stages: Partial<Record<Stage, StagePage>>;
  /** True when every output checked holds the page faithfully. */
  faithful: boolean;
}

/** Totals of one output over the whole issue. */
export interface StageSummary {
  file: string;
  pagesChecked: number;
  pagesFaithful: number;
  wordsLost: number;
  wordsAdded: number;
  /** Problems that belong to no single page (page count, page-list order, notes). */
  problems: string[];
}

/** The whole report. */
export interface FidelityReport {
  issue: { journal: string; issue: string; pages: number };
  source?: string;
  manuscript: string;
  stages: Partial<Record<Stage, StageSummary>>;
  pagesChecked: number;
  pagesFaithful: number;
  wordsLost: number;
  wordsAdded: number;
  /** Unfaithful pages, most words wrong first. */
  worstPages: { page: number; lost: number; added: number; problems: number }[];
  pages: PageFidelity[];
  /** Milliseconds spent per step. */
  timings: Record<string, number>;
}

/** Words wrong on a page, over every output. */
export function pageWeight(p: PageFidelity): { lost: number; added: number; problems: number } {
  let lost = 0;
  let added = 0;
  let problems = 0;
  for (const s of Object.values(p.stages)) {
    lost += s.lost.length;
    added += s.added.length;
    problems += s.problems.length;
  }
  return { lost, added, problems };
}

/** Fills the totals of a report from its pages and stage summaries. */
export function summarise(report: FidelityReport): FidelityReport {
  report.pagesChecked = report.pages.length;
  report.pagesFaithful = report.pages.filter((p) => p.faithful).length;
  report.wordsLost = 0;
  report.wordsAdded = 0;
  for (const s of Object.values(report.stages)) {
    report.wordsLost += s.wordsLost;
    report.wordsAdded += s.wordsAdded;
  }
  report.worstPages = report.pages
    .filter((p) => !p.faithful)
    .map((p) => ({ page: p.page, ...pageWeight(p) }))
    .sort((a, b) => b.lost + b.added - (a.lost + a.added) || b.problems - a.problems || a.page - b.page)
    .slice(0, 10);
  return report;
}

/** The lines the terminal shows after a check. */
export function summaryLines(report: FidelityReport): string[] {
  const lines: string[] = [];
  const stages = Object.entries(report.stages) as [Stage, StageSummary][];
  lines.push(
    `folio check: ${report.pagesChecked} pages checked, ${report.pagesFaithful} faithful; ${report.wordsLost} words lost, ${report.wordsAdded} added${report.timings.total !== undefined ? ` (${(report.timings.total / 1000).toFixed(1)} s)` : ''}`,
  );
  for (const [name, s] of stages) {
    lines.push(
      `  ${name.padEnd(10)} ${s.pagesFaithful}/${s.pagesChecked} pages faithful, ${s.wordsLost} lost, ${s.wordsAdded} added${s.problems.length > 0 ? `, ${s.problems.length} other problems` : ''}  (${s.file})`,
    );
  }
  if (report.worstPages.length > 0) {
    const worst = report.worstPages
      .slice(0, 5)
      .map((w) => `${w.page} (${w.lost} lost, ${w.added} added${w.problems > 0 ? `, ${w.problems} problems` : ''})`)
      .join('; ');
    lines.push(`  worst pages: ${worst}`);
  }
  return lines;
}
