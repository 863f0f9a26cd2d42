/**
 * How sure the import is of each restored page. A page's confidence comes from its margin in
 * the solver (how much worse the best layout is that opens it elsewhere), capped where the
 * evidence cannot carry it: a page only the line budget opens, an issue with no folio, and
 * every page between two surviving folios when a page there is odd (overfull, or a stub that
 * ends inside a sentence) or opens at a guess. Calibrated on generated issues
 * (`npm run bench:import`): no page placed wrongly is reported above WARN_CONFIDENCE.
 */
import type { Candidate, LineBudget } from './candidates.js';
import { SHORT_PAGE_SLACK, type PageCosts } from './page-cost.js';
import type { SourceLine } from './source.js';

/** CONFIDENCE_CEILING × (1 − e^(−margin / MARGIN_SCALE)): a page placed wrongly has a small margin. */
export const CONFIDENCE_CEILING = 0.95;
export const MARGIN_SCALE = 10;
/** A page whose start only the line budget gives is never more certain than this. */
export const LINE_BUDGET_CONFIDENCE = 0.5;
/**
 * Without any surviving folio, no page is more certain than this, below the warning line:
 * the line budget alone shifts pages wherever the extraction left a stray space-started line
 * (tried on the bundled issue with its folios taken out: 109 of 167 pages right).
 */
export const UNANCHORED_CONFIDENCE = 0.5;
/** Below this confidence a page is reported (`import-008`). */
export const WARN_CONFIDENCE = 0.6;
/**
 * A page more than OVERFULL_SHARE fuller than it can hold, or a page of under STUB_SHARE of the
 * budget that stops inside a sentence, says a page start was missed or invented near it.
 */
export const OVERFULL_SHARE = 0.15;
export const STUB_SHARE = 0.25;
/** The confidence of a page in a stretch that holds such a page. */
export const ANOMALY_CONFIDENCE = 0.5;

const sentenceEnd = /[.!?。！？…:;：；]["”’」』)）]?$/u;

/** The page facts the confidence is read from (a restored page has them all). */
export interface ScoredPage {
  start: number;
  end: number;
  units: number;
  evidence: readonly string[];
  confidence: number;
}

/** The confidence of a page its own evidence gives: its candidate and its margin in the solver. */
export function pageConfidence(candidate: Candidate, margin: number, folioCount: number): number {
  let confidence = candidate.anchor ? 1 : CONFIDENCE_CEILING * (1 - Math.exp(-margin / MARGIN_SCALE));
  if (!candidate.anchor && candidate.evidence.includes('line-budget')) confidence = Math.min(confidence, LINE_BUDGET_CONFIDENCE);
  if (folioCount === 0) confidence = Math.min(confidence, UNANCHORED_CONFIDENCE);
  return Math.round(confidence * 100) / 100;
}

/**
 * The pages (by position) that are overfull, or stubs (under STUB_SHARE of the budget) that
 * stop inside a sentence: each says one page start too few or too many near it.
 */
export function oddPages(pages: readonly ScoredPage[], lines: readonly SourceLine[], furniture: readonly boolean[], measure: LineBudget, costs: PageCosts): Set<number> {
  const odd = new Set<number>();
  pages.forEach((p, k) => {
    const overfull = p.units > costs.capacity(p.start, p.end) * (1 + OVERFULL_SHARE);
    let last = p.end - 1;
    while (last > p.start && (lines[last]?.blank || furniture[last])) last -= 1;
    const stub = k + 1 < pages.length && p.units < STUB_SHARE * measure.budgetAt(p.start) && !sentenceEnd.test(lines[last]?.text.trim() ?? '');
    if (overfull || stub) odd.add(k);
  });
  return odd;
}

/**
 * The pages (by position) that hold an article's opening right after a full page. An article
 * ends on a full page only by chance (in the bundled issue, every opening page follows a short
 * one): more often the page start between the old article's end and the new one's first page
 * was lost, and the two share one page here.
 */
export function openingsAfterFullPages(pages: readonly ScoredPage[], measure: LineBudget, costs: PageCosts): Set<number> {
  const suspect = new Set<number>();
  pages.forEach((p, k) => {
    const before = pages[k - 1];
    if (before && costs.holdsOpening(p.start, p.end) && before.units >= measure.budgetAt(before.start) - SHORT_PAGE_SLACK) suspect.add(k);
  });
  return suspect;
}

/**
 * Caps at ANOMALY_CONFIDENCE every page between two surviving folios when one of them is odd or
 * opens at a guess, and every page after the last folio when one keeps a budget measured on too
 * few pages: a start missed or invented there shifts every page up to the next folio (or the
 * count), however clear its own start looks. `anchored` says which pages open at a surviving folio.
 */
export function capUncertainStretches(pages: readonly ScoredPage[], odd: ReadonlySet<number>, anchored: (page: ScoredPage) => boolean, measure: LineBudget): void {
  let spanStart = 0;
  for (let k = 0; k <= pages.length; k += 1) {
    const page = pages[k];
    if (page !== undefined && !(k > spanStart && anchored(page))) continue;
    const span = pages.slice(spanStart, k);
    // Between two folios the folios fix the count; after the last one only the budget does.
    const tail = page === undefined;
    if (span.some((p, i) => odd.has(spanStart + i) || p.evidence.includes('line-budget') || (tail && !measure.measuredAt(p.start)))) {
      for (const p of span) if (!anchored(p)) p.confidence = Math.min(p.confidence, ANOMALY_CONFIDENCE);
    }
    spanStart = k;
  }
}
