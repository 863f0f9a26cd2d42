/**
 * What a page costs the layout: how far its lines run over what the page holds, or fall short
 * of it. The solver minimises the sum, so these constants say how strongly the line budget
 * speaks against the other evidence (a space-started line costs SKIP_COST to pass over).
 */
import type { Candidate, LineBudget } from './candidates.js';

/** A page without an opening block may run this many units over the budget (a tight page). */
export const OPEN_PAGE_SLACK = 2;
/** Cost of each unit a page runs over its capacity. */
export const OVERFULL_COST = 15;
/** A page (not the last) this many units short of the budget is a short page, which costs. */
export const SHORT_PAGE_SLACK = 3;
/** The cost of a short page, and of each unit it falls further short. */
export const SHORT_PAGE_COST = 2;
export const SHORT_PAGE_RATE = 0.1;
/** Cost of passing over a space-started line with nothing against it: strong evidence. */
export const SKIP_COST = 20;
/** No page runs longer than this many budgets (a wider measure aside). */
export const MAX_STRETCH = 1.6;

/** The costs of the pages of one source. */
export interface PageCosts {
  /** Whether lines `from` to `to` (exclusive) hold an article's opening (its title block is on the page). */
  holdsOpening(from: number, to: number): boolean;
  /** The units a page from line `from` to line `to` can hold. */
  capacity(from: number, to: number): number;
  /** The cost of a page from line `from` to line `to`; a last page is never short. */
  pageCost(from: number, to: number, last: boolean): number;
}

/** The page costs over a source's line budget; `openingLines` are the lines that open articles. */
export function pageCosts(measure: LineBudget, openingLines: ReadonlySet<number>, lineCount: number): PageCosts {
  const { units, budgetAt, measureRatio } = measure;
  const openingPrefix = [0];
  for (let i = 0; i < lineCount; i += 1) openingPrefix.push((openingPrefix[i] ?? 0) + (openingLines.has(i) ? 1 : 0));
  const holdsOpening = (from: number, to: number): boolean => (openingPrefix[to] ?? 0) - (openingPrefix[from] ?? 0) > 0;
  const capacity = (from: number, to: number): number => (holdsOpening(from, to) ? budgetAt(from) : budgetAt(from) + OPEN_PAGE_SLACK) * measureRatio(from, to);
  const pageCost = (from: number, to: number, last: boolean): number => {
    const u = units(from, to);
    const L = budgetAt(from);
    const room = capacity(from, to);
    let cost = 0;
    if (u > room) cost += OVERFULL_COST * (u - room);
    if (!last && u < L - SHORT_PAGE_SLACK) cost += SHORT_PAGE_COST + SHORT_PAGE_RATE * (L - SHORT_PAGE_SLACK - u);
    return cost;
  };
  return { holdsOpening, capacity, pageCost };
}

/**
 * The cost of passing over the strong page starts (space-started lines, lines after a section
 * label) between candidates `i` and `j` (exclusive of `i`): SKIP_COST each.
 */
export function skipCosts(candidates: readonly Candidate[]): (i: number, j: number) => number {
  const strongBefore = [0];
  for (const c of candidates) strongBefore.push((strongBefore[strongBefore.length - 1] ?? 0) + ((c.evidence.includes('space-start') || c.evidence.includes('section-label')) && c.penalty === 0 ? 1 : 0));
  return (i, j) => SKIP_COST * ((strongBefore[j] ?? 0) - (strongBefore[i + 1] ?? 0));
}
