/**
 * Restores the printed pages of a source text. The extraction joins pages end to end; what
 * is left of the pagination is (a) a leading space on most page-opening lines, (b) a few
 * folio blocks (folio and running head) that survived, and (c) the steady number of lines a
 * full page holds. A dynamic programme chooses the page starts that best fit the line budget,
 * with every surviving folio as a hard anchor.
 */
import { message, FolioError, type Message } from '../messages.js';
import { budgetCandidates, evidenceCandidates, LINE_BUDGET_PENALTY, LONG_STRETCH, measureBudget, type Candidate, type Evidence } from './candidates.js';
import { solvePages, type Solution } from './solve.js';
import type { SourceLine } from './source.js';

/** A folio and running head that survived the extraction, with the blank lines around it. */
export interface FolioBlock {
  folio: number;
  runningHead: string;
  /** Line index of the folio itself. */
  folioIndex: number;
  /** First and last line index of the block, surrounding blank lines included. */
  first: number;
  last: number;
}

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
}

const folioPattern = /^\s*(\d{1,4})\s*$/;

/** Finds folio blocks: a folio beside a running head that recurs at least twice. */
export function findFolioBlocks(lines: readonly SourceLine[]): FolioBlock[] {
  const near = (from: number, step: 1 | -1): number | undefined => {
    for (let k = 1, i = from + step; k <= 3 && i >= 0 && i < lines.length; k += 1, i += step) {
      if (!lines[i]?.blank) return i;
    }
    return undefined;
  };
  const heads = new Map<string, number>();
  const folios: { index: number; head: number }[] = [];
  lines.forEach((line, index) => {
    if (!folioPattern.test(line.text)) return;
    for (const step of [1, -1] as const) {
      const h = near(index, step);
      const headLine = h === undefined ? undefined : lines[h];
      if (h === undefined || !headLine || folioPattern.test(headLine.text) || headLine.text.trim().length > 80) continue;
      const key = headLine.text.trim();
      heads.set(key, (heads.get(key) ?? 0) + 1);
      folios.push({ index, head: h });
    }
  });
  const blocks: FolioBlock[] = [];
  for (const { index, head } of folios) {
    const headText = lines[head]?.text.trim() ?? '';
    if ((heads.get(headText) ?? 0) < 2) continue;
    if (blocks.some((b) => b.folioIndex === index)) continue;
    let first = Math.min(index, head);
    let last = Math.max(index, head);
    while (first > 0 && lines[first - 1]?.blank) first -= 1;
    while (last + 1 < lines.length && lines[last + 1]?.blank) last += 1;
    blocks.push({ folio: Number(folioPattern.exec(lines[index]?.text ?? '')?.[1]), runningHead: headText, folioIndex: index, first, last });
  }
  return blocks.sort((a, b) => a.first - b.first);
}


/** A page without an opening block may run this many units over the budget (a tight page). */
export const OPEN_PAGE_SLACK = 2;
/** Cost of each unit a page runs over its capacity. */
export const OVERFULL_COST = 15;
/** A page (not the last) this many units short of the budget is a short page, which costs. */
export const SHORT_PAGE_SLACK = 3;
export const SHORT_PAGE_COST = 2;
export const SHORT_PAGE_RATE = 0.1;
/** Cost of passing over a space-started line with nothing against it: strong evidence. */
export const SKIP_COST = 20;
/** No page runs longer than this many budgets (a wider measure aside). */
export const MAX_STRETCH = 1.6;
/**
 * The margin (in cost units) by which the best layout must beat the best layout with another
 * page count for the count to be taken as fixed by the evidence; below it the import stops.
 */
export const COUNT_MARGIN = 10;
/**
 * Confidence of a page from its margin (how much more the best layout costs that opens the
 * page elsewhere): CONFIDENCE_CEILING × (1 − e^(−margin / MARGIN_SCALE)). Calibrated on
 * generated issues (`npm run bench:import`): a page placed wrongly has a small margin.
 */
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
 * budget that stops inside a sentence, says a page start was missed or invented near it: every page whose number
 * depends on it (from the surviving folio before to the one after) is uncertain, however
 * clear its own start looks.
 */
export const OVERFULL_SHARE = 0.15;
export const STUB_SHARE = 0.25;
/** The confidence of a page in a stretch that holds such a page. */
export const ANOMALY_CONFIDENCE = 0.5;
const sentenceEnd = /[.!?。！？…:;：；]["”’」』)）]?$/u;

/** What restoring the pages may know beforehand. */
export interface RestoreOptions {
  /** Folio of the first page when no surviving folio says otherwise. */
  firstFolio?: number;
  /** The number of printed pages, when the publisher knows it. */
  pages?: number;
}

/** Restores the pages of a source. Throws FolioError when the evidence cannot fix the pages. */
export function restorePages(lines: readonly SourceLine[], file: string, hints: LayoutHints, options: RestoreOptions = {}): Layout {
  const messages: Message[] = [];
  const firstFolio = options.firstFolio ?? 1;
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
  const { units, budgetAt, measureRatio } = measure;
  let candidates = [...strong, ...budgetCandidates(lines, furniture, strong, measure).filter((c) => !hints.headingLines?.has(c.index))].sort((a, b) => a.index - b.index);

  const openingPrefix = [0];
  for (let i = 0; i < lines.length; i += 1) openingPrefix.push((openingPrefix[i] ?? 0) + (hints.openingLines.has(i) ? 1 : 0));
  const holdsOpening = (from: number, to: number): boolean => (openingPrefix[to] ?? 0) - (openingPrefix[from] ?? 0) > 0;
  const pageCost = (from: number, to: number, last: boolean): number => {
    const u = units(from, to);
    const L = budgetAt(from);
    const capacity = (holdsOpening(from, to) ? L : L + OPEN_PAGE_SLACK) * measureRatio(from, to);
    let cost = 0;
    if (u > capacity) cost += OVERFULL_COST * (u - capacity);
    if (!last && u < L - SHORT_PAGE_SLACK) cost += SHORT_PAGE_COST + SHORT_PAGE_RATE * (L - SHORT_PAGE_SLACK - u);
    return cost;
  };
  let strongBefore = [0];
  const countStrong = (): number[] => {
    const counts = [0];
    for (const c of candidates) counts.push((counts[counts.length - 1] ?? 0) + (c.evidence.includes('space-start') && c.penalty === 0 ? 1 : 0));
    return counts;
  };
  strongBefore = countStrong();
  const skipCost = (i: number, j: number): number => SKIP_COST * ((strongBefore[j] ?? 0) - (strongBefore[i + 1] ?? 0));
  const at = (j: number): Candidate => candidates[j] as Candidate;
  // The same pages are costed for every first folio tried: each once.
  let costs = new Map<number, number>();
  const costOf = (i: number, j: number): number => {
    const key = i * candidates.length + j;
    let cost = costs.get(key);
    if (cost === undefined) {
      cost = pageCost(at(i).index, at(j).index, false) + skipCost(i, j);
      costs.set(key, cost);
    }
    return cost;
  };
  const solve = (first: number): Solution | undefined =>
    solvePages({
      candidates: candidates.map((c) => ({ index: c.index, penalty: c.penalty, ...(c.anchor ? { fixedPage: c.anchor.folio - first } : {}) })),
      pageCost: costOf,
      reaches: (i, j) => units(at(i).index, at(j).index) <= budgetAt(at(i).index) * MAX_STRETCH,
      lastPageCost: (j) => pageCost(at(j).index, lines.length, true) + skipCost(j, candidates.length),
      ...(options.pages !== undefined ? { pages: options.pages } : {}),
    });

  const anchors = candidates.filter((c) => c.anchor);
  // The first folios worth trying: as many as there are page starts before the first surviving folio.
  const startsBeforeAnchor = anchors[0] ? candidates.findIndex((c) => c === anchors[0]) : 0;
  const solveAnyFirst = (): { solution: Solution | undefined; first: number } => {
    let solution = solve(firstFolio);
    let first = firstFolio;
    if (!solution && anchors[0]?.anchor) {
      // The text may not start at folio 1 (a part of an issue, or pagination continued across a
      // volume): try every first folio the first surviving folio allows, and keep the best layout.
      const anchor = anchors[0];
      for (let r = 0; r <= startsBeforeAnchor; r += 1) {
        const tried = (anchor.anchor?.folio ?? 1) - r;
        const attempt = tried >= 1 ? solve(tried) : undefined;
        if (attempt && (!solution || attempt.best.cost < solution.best.cost)) {
          solution = attempt;
          first = tried;
        }
      }
    }
    return { solution, first };
  };
  let { solution, first } = solveAnyFirst();
  let guessed = false;
  // The candidates before any guess: what an unsatisfiable layout is explained by.
  const strongAndBudget = candidates;
  if (!solution) {
    // The evidence leaves some page start out of every layout (a page start unmarked where the
    // line budget does not fall on it): every line of text may open a page, at the price of a
    // guess, and the pages opened so are no more certain than a guess.
    // Only a stretch longer than a page between two page starts can hide one.
    const known = new Set(candidates.map((c) => c.index));
    const guesses: Candidate[] = [];
    candidates.forEach((c, k) => {
      const end = candidates[k + 1]?.index ?? lines.length;
      if (units(c.index, end) <= budgetAt(c.index) * measureRatio(c.index, end)) return;
      for (let i = c.index + 1; i < end; i += 1) {
        if (!lines[i]?.blank && !furniture[i] && !known.has(i) && !hints.headingLines?.has(i)) guesses.push({ index: i, penalty: LINE_BUDGET_PENALTY, evidence: ['line-budget'] });
      }
    });
    candidates = [...candidates, ...guesses].sort((a, b) => a.index - b.index);
    strongBefore = countStrong();
    costs = new Map();
    ({ solution, first } = solveAnyFirst());
    guessed = true;
  }
  if (!solution) throw new FolioError([unsatisfiable(lines, file, strongAndBudget, anchors, options.pages)]);
  const { best, margins, otherCount } = solution;
  if (options.pages === undefined && otherCount && otherCount.cost - best.cost < COUNT_MARGIN) {
    throw new FolioError([ambiguousCount(lines, file, candidates, best.starts, otherCount.starts)]);
  }

  const byIndex = new Map(candidates.map((c) => [c.index, c]));
  const candidateAt = (index: number | undefined): Candidate | undefined => (index === undefined ? undefined : byIndex.get(index));
  const pages: RestoredPage[] = best.starts.map((j, k) => {
    const c = at(j);
    const nextStart = best.starts[k + 1];
    const end = nextStart === undefined ? lines.length : at(nextStart).index;
    const u = units(c.index, end);
    const L = budgetAt(c.index);
    const evidence: Evidence[] = [...c.evidence];
    evidence.push(Math.abs(u - L) <= 2 ? 'full-page' : 'short-page');
    if (holdsOpening(c.index, end)) evidence.push('chapter-opening');
    let confidence = c.anchor ? 1 : CONFIDENCE_CEILING * (1 - Math.exp(-(margins[k] ?? 0) / MARGIN_SCALE));
    if (!c.anchor && c.evidence.includes('line-budget')) confidence = Math.min(confidence, LINE_BUDGET_CONFIDENCE);
    if (anchors.length === 0) confidence = Math.min(confidence, UNANCHORED_CONFIDENCE);
    return { page: first + k, start: c.index, end, units: u, evidence, confidence: Math.round(confidence * 100) / 100 };
  });

  // A page that is overfull, or a stub that ends no chapter, says one page start too few or too
  // many near it; a page opened at a guess fixes the pages after it only as well as the guess
  // (a start missed elsewhere shifts every page between the miss and the guess). Either makes
  // every page between the surviving folios around it uncertain.
  const odd = new Set<number>();
  pages.forEach((p, k) => {
    const L = budgetAt(p.start);
    const capacity = (holdsOpening(p.start, p.end) ? L : L + OPEN_PAGE_SLACK) * measureRatio(p.start, p.end);
    const overfull = p.units > capacity * (1 + OVERFULL_SHARE);
    let last = p.end - 1;
    while (last > p.start && (lines[last]?.blank || furniture[last])) last -= 1;
    const stub = k + 1 < pages.length && p.units < STUB_SHARE * L && !sentenceEnd.test(lines[last]?.text.trim() ?? '');
    if (overfull || stub) odd.add(k);
  });
  const anchored = (p: RestoredPage): boolean => candidateAt(p.start)?.anchor !== undefined;
  let spanStart = 0;
  for (let k = 0; k <= pages.length; k += 1) {
    const page = pages[k];
    if (page !== undefined && !(k > spanStart && anchored(page))) continue;
    const span = pages.slice(spanStart, k);
    if (span.some((p, i) => odd.has(spanStart + i) || p.evidence.includes('line-budget'))) {
      for (const p of span) if (!anchored(p)) p.confidence = Math.min(p.confidence, ANOMALY_CONFIDENCE);
    }
    spanStart = k;
  }
  // Guessed page starts that still need a stub or an overfull page to meet the folios mean the
  // folios themselves disagree.
  const firstOdd = pages[Math.min(...odd)];
  if (guessed && firstOdd) {
    const before = [...anchors].reverse().find((a) => a.index <= firstOdd.start);
    const after = anchors.find((a) => a.index > firstOdd.start);
    const folioAt = (c: Candidate | undefined): string => (c?.anchor ? `folio ${c.anchor.folio} (line ${lines[c.anchor.folioIndex]?.n})` : 'the file start');
    throw new FolioError([
      message(
        'import-004',
        `Unexpected printed folios that no page layout can satisfy: ${folioAt(before)} and ${after ? folioAt(after) : 'the file end'}; even guessed page starts leave page ${firstOdd.page} with ${firstOdd.units} lines (a page holds about ${budgetAt(firstOdd.start)}); expected a folio or a page start that is wrong, or too few marked page starts to fix the pages there`,
        { file, line: lines[firstOdd.start]?.n ?? 1 },
      ),
    ]);
  }
  // Without the count from the publisher, the count rests on the pages after the last surviving
  // folio: if any of them opens at a guess, or is uncertain, so is the count, and the import
  // stops rather than return it (the pages between folios are fixed by their folios).
  if (options.pages === undefined) {
    const lastAnchor = pages.findLastIndex((p) => candidateAt(p.start)?.anchor !== undefined);
    const tail = pages.slice(Math.max(0, lastAnchor));
    // The last page, which no page start bounds but the file's end, could be two if it holds more than one.
    const full = (p: RestoredPage): boolean => p === pages[pages.length - 1] && p.units > (holdsOpening(p.start, p.end) ? budgetAt(p.start) : budgetAt(p.start) + OPEN_PAGE_SLACK) * measureRatio(p.start, p.end);
    const doubtful = tail.find((p, k) => odd.has(Math.max(0, lastAnchor) + k) || full(p) || (k > 0 || lastAnchor < 0 ? p.evidence.includes('line-budget') || (anchors.length > 0 && p.confidence <= WARN_CONFIDENCE) : false));
    if (doubtful) {
      const anchor = lastAnchor >= 0 ? candidateAt(pages[lastAnchor]?.start)?.anchor : undefined;
      throw new FolioError([
        message(
          'import-013',
          `Unexpected page count the evidence cannot fix: the pages after ${anchor ? `folio ${anchor.folio} (line ${lines[anchor.folioIndex]?.n})` : 'the file start'} rest on guessed page starts from page ${doubtful.page} (line ${lines[doubtful.start]?.n ?? 1}) on, so ${pages.length} pages is a guess; expected the count from the publisher (\`folio import --pages N\`, or \`pages:\` in the editorial file)`,
          { file, line: lines[doubtful.start]?.n ?? 1 },
        ),
      ]);
    }
  }
  // A page far longer than the budget means the anchors forced a page count the layout does not hold.
  for (const p of pages) {
    const L = budgetAt(p.start);
    if (p.units > L * LONG_STRETCH * measureRatio(p.start, p.end)) {
      const before = [...anchors].reverse().find((a) => a.index <= p.start);
      const after = anchors.find((a) => a.index > p.start);
      throw new FolioError([
        message(
          'import-004',
          `Unexpected page ${p.page} of ${p.units} lines (a page holds about ${L}): the inferred page starts disagree with ${before?.anchor ? `folio ${before.anchor.folio} at line ${lines[before.anchor.folioIndex]?.n}` : 'the file start'} and ${after?.anchor ? `folio ${after.anchor.folio} at line ${lines[after.anchor.folioIndex]?.n}` : 'the file end'}`,
          { file, line: lines[p.start]?.n ?? 1 },
        ),
      ]);
    }
  }
  // Without folios every page is uncertain: one warning says so, rather than one per page.
  if (anchors.length === 0) messages.push(message('import-009', `No printed folios survive in the source: all ${pages.length} pages are restored from the layout alone, none with confidence above ${UNANCHORED_CONFIDENCE}; check them in the proof`, { file }));
  for (const p of pages) {
    if (anchors.length > 0 && p.confidence < WARN_CONFIDENCE) messages.push(message('import-008', `Unexpected uncertainty about where page ${p.page} starts (confidence ${p.confidence})`, { file, line: lines[p.start]?.n ?? 1 }));
  }
  return { pages, folioBlocks, furniture, budget: measure.budget, messages };
}

/**
 * Names the two surviving folios that cannot both be right: the first pair whose pages in
 * between are more, or fewer, than the page starts between them allow.
 */
function unsatisfiable(lines: readonly SourceLine[], file: string, candidates: readonly Candidate[], anchors: readonly Candidate[], pages: number | undefined): Message {
  let a = anchors[0];
  let b = anchors[1];
  for (let k = 0; k + 1 < anchors.length; k += 1) {
    const from = anchors[k] as Candidate;
    const to = anchors[k + 1] as Candidate;
    const between = candidates.filter((c) => c.index > from.index && c.index < to.index).length;
    const needed = (to.anchor?.folio ?? 0) - (from.anchor?.folio ?? 0) - 1;
    if (needed < 0 || needed > between) {
      a = from;
      b = to;
      break;
    }
  }
  if (pages !== undefined && !(a?.anchor && b?.anchor && anchors.length > 1)) {
    return message('import-013', `Unexpected page count: no layout of the source holds ${pages} pages with its surviving folios, expected a count the text can hold`, { file, line: 1 });
  }
  return message(
    'import-004',
    `Unexpected printed folios that no page layout can satisfy${a?.anchor && b?.anchor ? `: folio ${a.anchor.folio} (line ${lines[a.anchor.folioIndex]?.n}) and folio ${b.anchor.folio} (line ${lines[b.anchor.folioIndex]?.n})` : ''}`,
    { file, line: a?.anchor ? lines[a.anchor.folioIndex]?.n ?? 1 : 1 },
  );
}

/** The stretch of source lines over which two layouts of different page counts disagree. */
function ambiguousCount(lines: readonly SourceLine[], file: string, candidates: readonly Candidate[], best: readonly number[], other: readonly number[]): Message {
  const a = new Set(best.map((j) => candidates[j]?.index ?? 0));
  const b = new Set(other.map((j) => candidates[j]?.index ?? 0));
  const differ = [...a].filter((i) => !b.has(i)).concat([...b].filter((i) => !a.has(i)));
  const from = lines[Math.min(...differ)]?.n ?? 1;
  const to = lines[Math.max(...differ)]?.n ?? from;
  return message(
    'import-013',
    `Unexpected page count the evidence cannot fix: ${best.length} or ${other.length} pages fit the source about as well, laid out differently between lines ${from} and ${to}; expected the count from the publisher (\`folio import --pages N\`, or \`pages:\` in the editorial file)`,
    { file, line: from },
  );
}
