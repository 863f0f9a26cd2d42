/**
 * Restores the printed pages of a source text. The extraction joins pages end to end; what
 * is left of the pagination is (a) a leading space on most page-opening lines, (b) a few
 * folio blocks (folio and running head) that survived, and (c) the steady number of lines a
 * full page holds. The run: find the candidates (candidates.ts), measure the line budget,
 * cost the pages (page-cost.ts), solve (solve.ts) with every surviving folio as a hard anchor,
 * guess where no layout holds, score each page (confidence.ts), and stop, naming the stretch
 * of lines (diagnose.ts), where the evidence cannot fix the pages.
 */
import { FolioError, message, type Message } from '../messages.js';
import { budgetCandidates, evidenceCandidates, LINE_BUDGET_PENALTY, LONG_STRETCH, measureBudget, type Candidate, type Evidence, type LineBudget } from './candidates.js';
import { capUncertainStretches, oddPages, openingsAfterFullPages, pageConfidence, UNANCHORED_CONFIDENCE, WARN_CONFIDENCE } from './confidence.js';
import { ambiguousCount, countRestsOnGuesses, guessesDisagree, pageTooLong, unsatisfiable, type DiagnosisContext } from './diagnose.js';
import { findFolioBlocks, type FolioBlock } from './folio-blocks.js';
import { MAX_STRETCH, pageCosts, skipCosts, type PageCosts } from './page-cost.js';
import { solved, solvePages, type Solution, type SolverFailure } from './solve.js';
import type { SourceLine } from './source.js';

export type { FolioBlock };

export type { Evidence };

/** One restored page. */
export interface RestoredPage {
  page: number;
  /** Index of the page's first line (for an anchored page, the first line of its folio block). */
  start: number;
  /** Index one past the page's last line. */
  end: number;
  /** Lines of text the page holds, in the line budget's units. */
  units: number;
  evidence: Evidence[];
  confidence: number;
}

export interface Layout {
  pages: RestoredPage[];
  folioBlocks: FolioBlock[];
  /** Per line: true when the line belongs to a folio block and is not page text. */
  furniture: boolean[];
  /** Full-page line budget by script. */
  budget: { latin: number; cjk: number };
  messages: Message[];
}

/** Lines that open an article (author note, byline): their page holds a title block. */
export interface LayoutHints {
  openingLines: ReadonlySet<number>;
  /** Lines that look like a section numeral alone (`I`, `Ⅱ`, `一`). */
  numeralLines: ReadonlySet<number>;
  /** The second and further lines of a numbered heading: a guessed page start never falls there. */
  headingLines?: ReadonlySet<number>;
  /**
   * Lines that go on with a sentence a section label interrupts (`rally and` / `Visits & Events`
   * / `lead the people`): the extraction leaves the label at the end of a page, so they open one.
   */
  labelBreaks?: ReadonlySet<number>;
}

/**
 * The margin (in cost units) by which the best layout must beat the best layout with another
 * page count for the count to be taken as fixed by the evidence; below it the import stops.
 */
export const COUNT_MARGIN = 10;

/** What restoring the pages may know beforehand. */
export interface RestoreOptions {
  /** Folio of the first page when no surviving folio says otherwise. */
  firstFolio?: number;
  /** The number of printed pages, when the publisher knows it. */
  pages?: number;
}

/** A solved layout, with the first folio it was solved for. */
interface Solved {
  solution: Solution;
  first: number;
}

/**
 * Solves the layout over some candidates. The text may not start at the first folio asked for
 * (a part of an issue, or pagination continued across a volume): where no layout holds from
 * it, every first folio the first surviving folio allows is tried, and the best layout kept.
 */
function solveLayout(candidates: readonly Candidate[], measure: LineBudget, costs: PageCosts, lineCount: number, options: RestoreOptions): Solved | SolverFailure {
  const at = (j: number): Candidate => candidates[j] as Candidate;
  const skipCost = skipCosts(candidates);
  // The same pages are costed for every first folio tried: each once.
  const memo = new Map<number, number>();
  const costOf = (i: number, j: number): number => {
    const key = i * candidates.length + j;
    let cost = memo.get(key);
    if (cost === undefined) {
      cost = costs.pageCost(at(i).index, at(j).index, false) + skipCost(i, j);
      memo.set(key, cost);
    }
    return cost;
  };
  const solve = (first: number): Solution | SolverFailure =>
    solvePages({
      candidates: candidates.map((c) => ({ index: c.index, penalty: c.penalty, ...(c.anchor ? { fixedPage: c.anchor.folio - first } : {}) })),
      pageCost: costOf,
      reaches: (i, j) => measure.units(at(i).index, at(j).index) <= measure.budgetAt(at(i).index) * MAX_STRETCH,
      lastPageCost: (j) => costs.pageCost(at(j).index, lineCount, true) + skipCost(j, candidates.length),
      ...(options.pages !== undefined ? { pages: options.pages } : {}),
    });
  const firstFolio = options.firstFolio ?? 1;
  const outcome = solve(firstFolio);
  if (solved(outcome)) return { solution: outcome, first: firstFolio };
  const anchorAt = candidates.findIndex((c) => c.anchor);
  const anchor = candidates[anchorAt]?.anchor;
  let best: Solved | undefined;
  if (anchor) {
    for (let r = 0; r <= anchorAt; r += 1) {
      const tried = anchor.folio - r;
      const attempt = tried >= 1 ? solve(tried) : undefined;
      if (attempt && solved(attempt) && (!best || attempt.best.cost < best.solution.best.cost)) best = { solution: attempt, first: tried };
    }
  }
  return best ?? outcome;
}

/**
 * Every line of text in a stretch longer than a page between two page starts may open a page,
 * at the price of a guess: where the evidence leaves some page start out of every layout (a page
 * start unmarked where the line budget does not fall on it).
 */
function guessedStarts(lines: readonly SourceLine[], furniture: readonly boolean[], candidates: readonly Candidate[], measure: LineBudget, headingLines: ReadonlySet<number> | undefined): Candidate[] {
  const known = new Set(candidates.map((c) => c.index));
  const guesses: Candidate[] = [];
  candidates.forEach((c, k) => {
    const end = candidates[k + 1]?.index ?? lines.length;
    if (measure.units(c.index, end) <= measure.budgetAt(c.index) * measure.measureRatio(c.index, end)) return;
    for (let i = c.index + 1; i < end; i += 1) {
      if (!lines[i]?.blank && !furniture[i] && !known.has(i) && !headingLines?.has(i)) guesses.push({ index: i, penalty: LINE_BUDGET_PENALTY, evidence: ['line-budget'] });
    }
  });
  return [...candidates, ...guesses].sort((a, b) => a.index - b.index);
}

/** Restores the pages of a source. Throws FolioError when the evidence cannot fix the pages. */
export function restorePages(lines: readonly SourceLine[], file: string, hints: LayoutHints, options: RestoreOptions = {}): Layout {
  const messages: Message[] = [];
  const folioBlocks = findFolioBlocks(lines);
  const furniture = lines.map(() => false);
  for (const b of folioBlocks) for (let i = b.first; i <= b.last; i += 1) furniture[i] = true;
  const firstText = lines.findIndex((l) => !l.blank);
  if (firstText < 0) throw new FolioError([message('import-002', 'Unexpected empty source, expected the text of an issue', { file })]);

  const strong = evidenceCandidates(lines, folioBlocks, furniture, hints, firstText);
  if (strong.length < 2) {
    throw new FolioError([message('import-003', 'Unexpected text without page starts, expected lines that open printed pages', { file, line: 1 })]);
  }
  const measure = measureBudget(lines, furniture, strong, hints.openingLines);
  const costs = pageCosts(measure, hints.openingLines, lines.length);
  const context: DiagnosisContext = { lines, file, measure };
  let candidates = [...strong, ...budgetCandidates(lines, furniture, strong, measure).filter((c) => !hints.headingLines?.has(c.index))].sort((a, b) => a.index - b.index);
  let outcome = solveLayout(candidates, measure, costs, lines.length, options);
  const guessed = !('solution' in outcome);
  if (guessed) {
    candidates = guessedStarts(lines, furniture, candidates, measure, hints.headingLines);
    outcome = solveLayout(candidates, measure, costs, lines.length, options);
  }
  if (!('solution' in outcome)) throw new FolioError([unsatisfiable(context, candidates, outcome.stuckAt, options.pages)]);
  const { solution, first } = outcome;
  const { best, margins, otherCount } = solution;
  if (options.pages === undefined && otherCount && otherCount.cost - best.cost < COUNT_MARGIN) {
    throw new FolioError([ambiguousCount(context, candidates, best.starts, otherCount.starts)]);
  }

  const anchors = candidates.filter((c) => c.anchor);
  const byIndex = new Map(candidates.map((c) => [c.index, c]));
  const pages: RestoredPage[] = best.starts.map((j, k) => {
    const c = candidates[j] as Candidate;
    const nextStart = best.starts[k + 1];
    const end = nextStart === undefined ? lines.length : (candidates[nextStart] as Candidate).index;
    const u = measure.units(c.index, end);
    const evidence: Evidence[] = [...c.evidence, Math.abs(u - measure.budgetAt(c.index)) <= 2 ? 'full-page' : 'short-page'];
    if (costs.holdsOpening(c.index, end)) evidence.push('chapter-opening');
    return { page: first + k, start: c.index, end, units: u, evidence, confidence: pageConfidence(c, margins[k] ?? 0, anchors.length) };
  });
  const anchored = (p: { start: number }): boolean => byIndex.get(p.start)?.anchor !== undefined;
  const odd = oddPages(pages, lines, furniture, measure, costs);
  const suspect = new Set([...odd, ...openingsAfterFullPages(pages, measure, costs)]);
  capUncertainStretches(pages, suspect, anchored, measure);
  const firstOdd = pages[Math.min(...odd)];
  if (guessed && firstOdd) throw new FolioError([guessesDisagree(context, anchors, firstOdd)]);
  if (options.pages === undefined) {
    const doubt = countDoubt(pages, suspect, anchored, costs, anchors.length > 0);
    if (doubt) throw new FolioError([countRestsOnGuesses(context, doubt.lastAnchor === undefined ? undefined : byIndex.get(doubt.lastAnchor), doubt.page, pages.length)]);
  }
  const tooLong = pages.find((p) => p.units > measure.budgetAt(p.start) * LONG_STRETCH * measure.measureRatio(p.start, p.end));
  if (tooLong) throw new FolioError([pageTooLong(context, anchors, tooLong)]);
  // Without folios every page is uncertain: one warning says so, rather than one per page.
  if (anchors.length === 0) messages.push(message('import-009', `No printed folios survive in the source: all ${pages.length} pages are restored from the layout alone, none with confidence above ${UNANCHORED_CONFIDENCE}; check them in the proof`, { file }));
  for (const p of pages) {
    if (anchors.length > 0 && p.confidence < WARN_CONFIDENCE) messages.push(message('import-008', `Unexpected uncertainty about where page ${p.page} starts (confidence ${p.confidence})`, { file, line: lines[p.start]?.n ?? 1 }));
  }
  return { pages, folioBlocks, furniture, budget: measure.budget, messages };
}

/**
 * Without the count from the publisher, the count rests on the pages after the last surviving
 * folio (the pages between folios are fixed by their folios): the first of them that opens at
 * a guess, is odd or uncertain, or is a last page that holds more than one, makes the count a
 * guess. Returns that page and the line of the last surviving folio's page.
 */
function countDoubt(pages: readonly RestoredPage[], odd: ReadonlySet<number>, anchored: (p: RestoredPage) => boolean, costs: PageCosts, hasFolios: boolean): { page: RestoredPage; lastAnchor?: number } | undefined {
  const lastAnchor = pages.findLastIndex(anchored);
  const from = Math.max(0, lastAnchor);
  const lastPage = pages[pages.length - 1];
  const holdsTwo = (p: RestoredPage): boolean => p === lastPage && p.units > costs.capacity(p.start, p.end);
  const page = pages.slice(from).find((p, k) => odd.has(from + k) || holdsTwo(p) || ((k > 0 || lastAnchor < 0) && (p.evidence.includes('line-budget') || (hasFolios && p.confidence <= WARN_CONFIDENCE))));
  if (!page) return undefined;
  const anchorStart = pages[lastAnchor]?.start;
  return { page, ...(lastAnchor >= 0 && anchorStart !== undefined ? { lastAnchor: anchorStart } : {}) };
}
