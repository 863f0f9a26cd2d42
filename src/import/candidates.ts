/**
 * The evidence for page starts in a source, before any page is chosen: the lines that may
 * open a page (the file's first line, every surviving folio block, every space-started line,
 * and line-budget guesses in long stretches with none), and the line budget a full page holds.
 */
import type { FolioBlock } from './folio-blocks.js';
import type { LayoutHints } from './layout.js';
import { cjkShare, displayWidth, type SourceLine } from './source.js';

/** How a page start was found. */
export type Evidence = 'folio-anchor' | 'space-start' | 'section-label' | 'line-budget' | 'full-page' | 'short-page' | 'file-start' | 'chapter-opening';

/** A line that may open a page. */
export interface Candidate {
  index: number;
  anchor?: FolioBlock;
  /** Cost of opening a page here: 0 for strong evidence. */
  penalty: number;
  evidence: Evidence[];
}

/** A space-started line right after a section numeral is the numeral's heading, indented as headings are. */
export const NUMERAL_PENALTY = 4;
/**
 * A short space-started line right after a short line that ends no sentence is more often a
 * title's or a heading's second line than a page's first: lengths in display columns.
 */
export const SHORT_PAIR_PENALTY = 3;
export const SHORT_PREVIOUS_WIDTH = 56;
export const SHORT_LINE_WIDTH = 40;
/**
 * In Chinese text, a space-started line that goes on with a Latin word after a line that ends
 * in one is a Latin phrase wrapped at its space (`…（fundamental` / ` collateral）…`) more
 * often than a page's first line.
 */
export const WRAPPED_PHRASE_PENALTY = 3;
const latinEnd = /[\p{Script=Latin}\d][,.;:)）]?$/u;
const latinStart = /^[\p{Script=Latin}\d(（]/u;
/** A page start guessed from the line budget alone, in a stretch with no other evidence. */
export const LINE_BUDGET_PENALTY = 30;
/** Page starts closer than this (in budget units) are not full pages: left out of the budget's mode. */
export const MIN_BUDGET_GAP = 8;
/** The budget when a source gives no two page starts a full page apart. */
export const DEFAULT_BUDGET = 30;
/** A stretch longer than this many budgets with no page start gets line-budget candidates. */
export const LONG_STRETCH = 1.35;
/** A line-budget candidate stands within this many units of a whole number of budgets. */
export const BUDGET_TOLERANCE = 1;
/** A page set on a wider measure holds at most this many times the budget. */
export const MAX_MEASURE_RATIO = 1.6;
/** Fewer lines than this say nothing about a page's measure. */
const MIN_MEASURE_LINES = 8;

const terminal = /[.!?。！？…:;：；]["”’」』)）]?$/u;

/** The line weights and what is measured on them: how many budget units any stretch holds. */
export interface LineBudget {
  /** Budget units from line `from` to line `to` (exclusive). */
  units(from: number, to: number): number;
  /** The full-page budget by script. */
  budget: { latin: number; cjk: number };
  /** The budget of a page that starts at a line. */
  budgetAt(index: number): number;
  /** How much wider than the typical measure a stretch is set (1 to MAX_MEASURE_RATIO). */
  measureRatio(from: number, to: number): number;
  /**
   * Whether the budget of a page that starts at a line rests on enough distances between page
   * starts in its script (MIN_BUDGET_DISTANCES) to be trusted.
   */
  measuredAt(index: number): boolean;
}

/**
 * A script's budget measured on fewer distances between page starts than this is a guess
 * (a short Chinese section with half its page starts marked shows one or two, each perhaps two
 * pages long): its pages are no more certain than a guess.
 */
export const MIN_BUDGET_DISTANCES = 4;
/** A script's budget more than this many times the other script's is not taken as measured. */
export const MAX_SCRIPT_BUDGET_RATIO = 1.5;

/**
 * Weight of each line in the line budget: a blank line is a line of space on the page in
 * single-spaced text, and nothing in double-spaced text (where a blank follows every line).
 */
function lineWeights(lines: readonly SourceLine[], furniture: readonly boolean[]): number[] {
  const textIndexes = lines.map((l, i) => (l.blank ? -1 : i)).filter((i) => i >= 0);
  const alternating = new Map<number, boolean>();
  for (const i of textIndexes) alternating.set(i, Boolean(lines[i + 1]?.blank) && lines[i + 2] !== undefined && !lines[i + 2]?.blank);
  const doubled = new Map<number, boolean>();
  const radius = 10;
  // Each script's lines are read among their own: Chinese text set double-spaced right after
  // single-spaced English (a section in the other language) is double-spaced from its first line.
  for (const cjk of [false, true]) {
    const own = textIndexes.filter((i) => cjkShare(lines[i]?.text ?? '') > 0.5 === cjk);
    own.forEach((i, k) => {
      const window = own.slice(Math.max(0, k - radius), k + radius + 1);
      const share = window.filter((j) => alternating.get(j)).length / window.length;
      doubled.set(i, share >= 0.7);
    });
  }
  let lastDoubled = false;
  return lines.map((line, i) => {
    if (furniture[i]) return 0;
    if (!line.blank) {
      lastDoubled = doubled.get(i) ?? false;
      return 1;
    }
    return lastDoubled ? 0 : 1;
  });
}

function mode(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && best !== undefined && v > best)) [best, bestCount] = [v, c];
  return best;
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The lines that may open a page from strong evidence: the file start, folio blocks, space starts. */
export function evidenceCandidates(lines: readonly SourceLine[], folioBlocks: readonly FolioBlock[], furniture: readonly boolean[], hints: LayoutHints, firstText: number): Candidate[] {
  const byIndex = new Map<number, Candidate>();
  byIndex.set(firstText, { index: firstText, penalty: 0, evidence: ['file-start'] });
  for (const b of folioBlocks) {
    const start = b.first === 0 ? firstText : b.first;
    byIndex.set(start, { index: start, anchor: b, penalty: 0, evidence: ['folio-anchor'] });
  }
  const previousText = (i: number): number => {
    let j = i - 1;
    while (j >= 0 && (lines[j]?.blank || furniture[j])) j -= 1;
    return j;
  };
  lines.forEach((line, i) => {
    if (!line.indented || furniture[i] || byIndex.has(i)) return;
    const before = previousText(i);
    // A space-started line right after a folio block opens that block's page already.
    if (before >= 0 && folioBlocks.some((b) => b.last >= before && b.last < i && b.last >= i - 1)) return;
    if (folioBlocks.some((b) => b.last === i - 1)) return;
    let penalty = 0;
    if (before >= 0 && hints.numeralLines.has(before)) penalty += NUMERAL_PENALTY;
    const prev = lines[before];
    if (before === i - 1 && prev && !terminal.test(prev.text) && prev.text.trim().length < SHORT_PREVIOUS_WIDTH && line.text.trim().length < SHORT_LINE_WIDTH) penalty += SHORT_PAIR_PENALTY;
    if (prev && cjkShare(prev.text) > 0.5 && latinEnd.test(prev.text.trimEnd()) && latinStart.test(line.text.trim())) penalty += WRAPPED_PHRASE_PENALTY;
    byIndex.set(i, { index: i, penalty, evidence: ['space-start'] });
  });
  for (const i of hints.labelBreaks ?? []) {
    if (!byIndex.has(i) && !furniture[i] && !folioBlocks.some((b) => b.last === i - 1)) byIndex.set(i, { index: i, penalty: 0, evidence: ['section-label'] });
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** A full page may fall short of the budget by this share of it (a heading kept with its text, a note that did not fit). */
export const UNDERFULL_SHARE = 0.12;
/**
 * The share of the distances between page starts that must be one page of a fraction of the
 * most common distance for that distance to count as two, three or four pages.
 */
export const FRACTION_SHARE = 0.2;
/** The most pages one common distance between page starts is taken to hold. */
const MAX_PAGES_PER_GAP = 4;
/**
 * However few distances a script shows, this many must be one page of a fraction of the common
 * one (a single distance of a quarter page is a stray space-started line, not a page).
 */
export const MIN_FRACTION_PAGES = 2;

/**
 * The page budget: the most common distance between page starts, unless that distance is two
 * or more pages. Where page starts are missing, the distances are two or three pages long,
 * and the most common distance may be one of those: if enough distances are one page of a
 * half (a third, a quarter) of it, the budget is that page, as full as the pages that show it.
 */
export function fundamentalBudget(gaps: readonly number[]): number | undefined {
  const common = mode([...gaps]);
  if (common === undefined) return undefined;
  for (let k = MAX_PAGES_PER_GAP; k >= 2; k -= 1) {
    const page = common / k;
    if (page < MIN_BUDGET_GAP) continue;
    const single = gaps.filter((g) => g <= page + BUDGET_TOLERANCE && g >= page - Math.max(2, UNDERFULL_SHARE * page));
    if (single.length >= Math.max(MIN_FRACTION_PAGES, FRACTION_SHARE * gaps.length)) {
      // The pages as full as they are: the common distance's share and the single pages, by page.
      return mode([...single, ...gaps.filter((g) => Math.abs(g - common) <= BUDGET_TOLERANCE).map((g) => Math.round(g / k))]);
    }
  }
  return common;
}

/**
 * Measures the line budget on the strong candidates, by script: the page size the distances
 * between page starts are whole multiples of, leaving out the pages around a chapter opening
 * (a chapter's last page and its title page are short).
 */
export function measureBudget(lines: readonly SourceLine[], furniture: readonly boolean[], candidates: readonly Candidate[], openingLines: ReadonlySet<number> = new Set()): LineBudget {
  const weights = lineWeights(lines, furniture);
  const prefix = [0];
  for (const w of weights) prefix.push((prefix[prefix.length - 1] ?? 0) + w);
  const units = (from: number, to: number): number => (prefix[to] ?? 0) - (prefix[from] ?? 0);
  const cjkLines = lines.map((l) => cjkShare(l.text) > 0.5);
  // A page's script is its text's: a page opened at a folio block starts on a blank line or
  // on the folio, so the first line of text from there on says which budget it keeps.
  const firstTextFrom: number[] = new Array<number>(lines.length + 1).fill(lines.length);
  for (let i = lines.length - 1; i >= 0; i -= 1) firstTextFrom[i] = lines[i]?.blank || furniture[i] ? (firstTextFrom[i + 1] ?? lines.length) : i;
  const isCjkLine = (i: number): boolean => cjkLines[firstTextFrom[i] ?? i] ?? false;
  // A distance between page starts counts for the script most of its lines are in.
  const cjkPrefix = [0];
  const textPrefix = [0];
  lines.forEach((l, i) => {
    const text = !l.blank && !furniture[i];
    textPrefix.push((textPrefix[i] ?? 0) + (text ? 1 : 0));
    cjkPrefix.push((cjkPrefix[i] ?? 0) + (text && cjkLines[i] ? 1 : 0));
  });
  const isCjkStretch = (from: number, to: number): boolean => 2 * ((cjkPrefix[to] ?? 0) - (cjkPrefix[from] ?? 0)) > (textPrefix[to] ?? 0) - (textPrefix[from] ?? 0);
  const gaps = { latin: [] as number[], cjk: [] as number[] };
  const openings = [...openingLines].sort((a, b) => a - b);
  const holdsOpening = (from: number, to: number): boolean => openings.some((i) => i >= from && i < to);
  const all = { latin: [] as number[], cjk: [] as number[] };
  for (let k = 0; k + 1 < candidates.length; k += 1) {
    const a = candidates[k];
    const b = candidates[k + 1];
    if (!a || !b) continue;
    const u = units(a.index, b.index);
    if (u < MIN_BUDGET_GAP) continue;
    const script = isCjkStretch(a.index, b.index) ? 'cjk' : 'latin';
    all[script].push(u);
    const next = candidates[k + 2]?.index ?? lines.length;
    if (!holdsOpening(a.index, b.index) && !holdsOpening(b.index, next)) gaps[script].push(u);
  }
  const of = (script: 'latin' | 'cjk'): number | undefined => fundamentalBudget(gaps[script].length > 0 ? gaps[script] : all[script]);
  const latin = of('latin') ?? of('cjk') ?? DEFAULT_BUDGET;
  const budget = { latin, cjk: of('cjk') ?? latin };

  // A page set on a wider measure (smaller type, such as a back page) holds more lines.
  const lineWidths = lines.map((l) => displayWidth(l.text.trim()));
  // Each script against its own typical measure: a Chinese line is wider in display columns
  // than a Latin one on the same page, and no wider a measure for it.
  const typicalOf = (cjk: boolean): number => median(lines.map((l, i) => (l.blank || furniture[i] || (cjkLines[i] ?? false) !== cjk ? -1 : (lineWidths[i] ?? 0))).filter((w) => w > 0));
  const typical = { latin: typicalOf(false), cjk: typicalOf(true) };
  // Asked for the same stretches again and again by the solver: each is measured once.
  const ratios = new Map<string, number>();
  const measureRatio = (from: number, to: number): number => {
    const key = `${from}:${to}`;
    const known = ratios.get(key);
    if (known !== undefined) return known;
    const widths: number[] = [];
    for (let i = from; i < to; i += 1) if (!lines[i]?.blank && !furniture[i]) widths.push(lineWidths[i] ?? 0);
    const typicalWidth = isCjkStretch(from, to) ? typical.cjk : typical.latin;
    const ratio = widths.length < MIN_MEASURE_LINES || typicalWidth === 0 ? 1 : Math.min(MAX_MEASURE_RATIO, Math.max(1, median(widths) / typicalWidth));
    ratios.set(key, ratio);
    return ratio;
  };
  // Both scripts share the page's trim and type size: a budget far beyond the other script's is
  // more likely pages whose starts were lost two by two than a page that holds so many more lines.
  const plausible = (a: number, b: number): boolean => all.latin.length === 0 || all.cjk.length === 0 || a <= MAX_SCRIPT_BUDGET_RATIO * b;
  const measured = {
    latin: all.latin.length >= MIN_BUDGET_DISTANCES && plausible(budget.latin, budget.cjk),
    cjk: all.cjk.length >= MIN_BUDGET_DISTANCES && plausible(budget.cjk, budget.latin),
  };
  return { units, budget, budgetAt: (i) => (isCjkLine(i) ? budget.cjk : budget.latin), measureRatio, measuredAt: (i) => (isCjkLine(i) ? measured.cjk : measured.latin) };
}

/** Line-budget candidates in every stretch too long to be one page that has no page start. */
export function budgetCandidates(lines: readonly SourceLine[], furniture: readonly boolean[], candidates: readonly Candidate[], measure: LineBudget): Candidate[] {
  const { units, budgetAt, measureRatio } = measure;
  const synthetic: Candidate[] = [];
  for (let k = 0; k < candidates.length; k += 1) {
    const a = candidates[k];
    if (!a) continue;
    const endIndex = candidates[k + 1]?.index ?? lines.length;
    const L = budgetAt(a.index);
    if (units(a.index, endIndex) <= L * LONG_STRETCH * measureRatio(a.index, endIndex)) continue;
    // Counted from the stretch's first page start, and back from the next one: the missing
    // start lies a whole number of full pages from one of them.
    const total = units(a.index, endIndex);
    const whole = (u: number): boolean => (Math.abs(u % L) <= BUDGET_TOLERANCE || Math.abs((u % L) - L) <= BUDGET_TOLERANCE) && u >= L - BUDGET_TOLERANCE;
    for (let i = a.index + 1; i < endIndex; i += 1) {
      if (lines[i]?.blank || furniture[i]) continue;
      const u = units(a.index, i);
      if (whole(u) || (k + 1 < candidates.length && whole(total - u))) {
        synthetic.push({ index: i, penalty: LINE_BUDGET_PENALTY, evidence: ['line-budget'] });
      }
    }
  }
  return synthetic;
}
