/**
 * The page solver: which candidate lines open pages, and which page each opens. A dynamic
 * programme over (candidate, page index) runs forward and backward, so that besides the best
 * layout it knows, for every page, how much worse the best layout is that puts that page
 * elsewhere (its margin: the evidence for it), and for every page count, the best layout with
 * that many pages (whether the evidence fixes the count at all).
 */

/** A line that may open a page, with what it costs to open one there. */
export interface SolverCandidate {
  /** Line index in the source. */
  index: number;
  /** The page index a surviving folio fixes for this candidate (0-based from the first page). */
  fixedPage?: number;
  /** Cost of opening a page here (weak evidence costs more). */
  penalty: number;
}

/** What the solver is given: the candidates and the costs of the layout. */
export interface SolverInput {
  candidates: readonly SolverCandidate[];
  /** Cost of a page from candidate i to candidate j (i < j). */
  pageCost(i: number, j: number): number;
  /** Whether a page from candidate i may run as far as candidate j (the next candidate always may). */
  reaches(i: number, j: number): boolean;
  /** Cost of the last page, from candidate j to the end of the text. */
  lastPageCost(j: number): number;
  /** The number of pages, when the publisher knows it. */
  pages?: number;
}

/** A layout: the candidates that open pages, in order, and its cost. */
export interface SolverLayout {
  starts: number[];
  cost: number;
}

export interface Solution {
  best: SolverLayout;
  /** For each page of the best layout: how much more the best layout costs that opens that page elsewhere. */
  margins: number[];
  /** The best layout with another page count than the best's, if any. */
  otherCount?: SolverLayout;
}

/**
 * Why no layout holds: the first candidate with a surviving folio that no layout of the text
 * before it reaches with its page (`stuckAt`), or, when every folio is reached, the text after
 * the last one (its length, or the page count asked for).
 */
export interface SolverFailure {
  stuckAt?: number;
}

const INF = Number.POSITIVE_INFINITY;

/** Whether the solver found a layout. */
export function solved(outcome: Solution | SolverFailure): outcome is Solution {
  return 'best' in outcome;
}

/** Solves the layout, or says where no layout satisfies the surviving folios (and the page count). */
export function solvePages(input: SolverInput): Solution | SolverFailure {
  const { candidates } = input;
  const m = candidates.length;
  const maxPages = input.pages ?? m;
  if (m === 0 || maxPages < 1) return {};
  const allowed = (j: number, k: number): boolean => {
    const fixed = candidates[j]?.fixedPage;
    return k < maxPages && (fixed === undefined || fixed === k);
  };
  // The pages that may follow each candidate, with their costs: a page never spans a surviving
  // folio, and the cost function says how far a page may run.
  const next: { j: number; cost: number }[][] = candidates.map(() => []);
  for (let i = 0; i < m; i += 1) {
    for (let j = i + 1; j < m; j += 1) {
      if (j > i + 1 && !input.reaches(i, j)) break;
      (next[i] as { j: number; cost: number }[]).push({ j, cost: input.pageCost(i, j) + (candidates[j]?.penalty ?? 0) });
      if (candidates[j]?.fixedPage !== undefined) break;
    }
  }
  // The last page may not lie before a surviving folio.
  let lastAnchor = -1;
  candidates.forEach((c, j) => {
    if (c.fixedPage !== undefined) lastAnchor = j;
  });
  const endCost = (j: number, k: number): number => {
    if (j < lastAnchor) return INF;
    if (input.pages !== undefined && k !== input.pages - 1) return INF;
    return input.lastPageCost(j);
  };

  const forward = candidates.map(() => new Float64Array(maxPages).fill(INF));
  const back = candidates.map(() => new Int32Array(maxPages).fill(-1));
  if (!allowed(0, 0)) return { stuckAt: 0 };
  (forward[0] as Float64Array)[0] = 0;
  for (let i = 0; i < m; i += 1) {
    const fi = forward[i] as Float64Array;
    for (const { j, cost } of next[i] as { j: number; cost: number }[]) {
      const fj = forward[j] as Float64Array;
      const bj = back[j] as Int32Array;
      for (let k = 0; k + 1 < maxPages; k += 1) {
        const v = (fi[k] as number) + cost;
        if (v < (fj[k + 1] as number) && allowed(j, k + 1)) {
          fj[k + 1] = v;
          bj[k + 1] = i;
        }
      }
    }
  }
  const backward = candidates.map(() => new Float64Array(maxPages).fill(INF));
  for (let j = m - 1; j >= 0; j -= 1) {
    const bw = backward[j] as Float64Array;
    for (let k = 0; k < maxPages; k += 1) {
      if (!allowed(j, k)) continue;
      let v = endCost(j, k);
      for (const { j: l, cost } of next[j] as { j: number; cost: number }[]) {
        if (k + 1 < maxPages) v = Math.min(v, cost + ((backward[l] as Float64Array)[k + 1] as number));
      }
      bw[k] = v;
    }
  }

  // The best layout for each page count: the best last page for each page index.
  const byCount = new Map<number, { j: number; cost: number }>();
  for (let j = 0; j < m; j += 1) {
    const fj = forward[j] as Float64Array;
    for (let k = 0; k < maxPages; k += 1) {
      const v = (fj[k] as number) + endCost(j, k);
      if (v < INF && v < (byCount.get(k)?.cost ?? INF)) byCount.set(k, { j, cost: v });
    }
  }
  const ranked = [...byCount.entries()].sort((a, b) => a[1].cost - b[1].cost);
  const bestEnd = ranked[0];
  if (!bestEnd) {
    const stuckAt = candidates.findIndex((c, j) => c.fixedPage !== undefined && ((forward[j] as Float64Array)[c.fixedPage] ?? INF) === INF);
    return stuckAt >= 0 ? { stuckAt } : {};
  }
  const trace = (j: number, k: number, cost: number): SolverLayout => {
    const starts: number[] = [];
    for (let jj = j, kk = k; jj >= 0 && kk >= 0; kk -= 1) {
      starts.push(jj);
      jj = (back[jj] as Int32Array)[kk] as number;
    }
    return { starts: starts.reverse(), cost };
  };
  const best = trace(bestEnd[1].j, bestEnd[0], bestEnd[1].cost);
  const margins = best.starts.map((chosen, k) => {
    let alternative = INF;
    for (let j = 0; j < m; j += 1) {
      if (j === chosen) continue;
      const v = ((forward[j] as Float64Array)[k] as number) + ((backward[j] as Float64Array)[k] as number);
      if (v < alternative) alternative = v;
    }
    return alternative - best.cost;
  });
  const second = ranked[1];
  return { best, margins, ...(second ? { otherCount: trace(second[1].j, second[0], second[1].cost) } : {}) };
}
