/**
 * Restores the printed pages of a source text. The extraction joins pages end to end; what
 * is left of the pagination is (a) a leading space on most page-opening lines, (b) a few
 * folio blocks (folio and running head) that survived, and (c) the steady number of lines a
 * full page holds. A dynamic programme chooses the page starts that best fit the line budget,
 * with every surviving folio as a hard anchor.
 */
import { message, FolioError, type Message } from '../messages.js';
import { cjkShare, displayWidth, type SourceLine } from './source.js';

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

/** How a page start was found. */
export type Evidence = 'folio-anchor' | 'space-start' | 'line-budget' | 'full-page' | 'short-page' | 'file-start' | 'chapter-opening';

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
}

interface Candidate {
  index: number;
  anchor?: FolioBlock;
  penalty: number;
  evidence: Evidence[];
}

const folioPattern = /^\s*(\d{1,4})\s*$/;
const terminal = /[.!?。！？…:;：；]["”’」』)）]?$/u;

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
  textIndexes.forEach((i, k) => {
    const window = textIndexes.slice(Math.max(0, k - radius), k + radius + 1);
    const share = window.filter((j) => alternating.get(j)).length / window.length;
    doubled.set(i, share >= 0.7);
  });
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

/** Restores the pages of a source. Throws FolioError when anchors and layout cannot agree. */
export function restorePages(lines: readonly SourceLine[], file: string, hints: LayoutHints, firstFolio = 1): Layout {
  const messages: Message[] = [];
  const folioBlocks = findFolioBlocks(lines);
  const furniture = lines.map(() => false);
  for (const b of folioBlocks) for (let i = b.first; i <= b.last; i += 1) furniture[i] = true;
  const weights = lineWeights(lines, furniture);
  const prefix = [0];
  for (const w of weights) prefix.push((prefix[prefix.length - 1] ?? 0) + w);
  const units = (from: number, to: number): number => (prefix[to] ?? 0) - (prefix[from] ?? 0);
  const isCjkLine = (i: number): boolean => cjkShare(lines[i]?.text ?? '') > 0.5;

  const firstText = lines.findIndex((l) => !l.blank);
  if (firstText < 0) throw new FolioError([message('import-002', 'Unexpected empty source, expected the text of an issue', { file })]);

  // Candidates: the file's first line, every folio block, every space-started line.
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
    const blockBefore = folioBlocks.find((b) => b.last === i - 1);
    if (blockBefore) return;
    let penalty = 0;
    if (before >= 0 && hints.numeralLines.has(before)) penalty += 4;
    const prev = lines[before];
    if (before === i - 1 && prev && !terminal.test(prev.text) && prev.text.trim().length < 56 && line.text.trim().length < 40) penalty += 3;
    byIndex.set(i, { index: i, penalty, evidence: ['space-start'] });
  });
  let candidates = [...byIndex.values()].sort((a, b) => a.index - b.index);
  if (candidates.length < 2) {
    throw new FolioError([message('import-003', 'Unexpected text without page starts, expected lines that open printed pages', { file, line: 1 })]);
  }

  // The full-page budget: the most common distance between page starts, by script.
  const gaps = { latin: [] as number[], cjk: [] as number[] };
  for (let k = 0; k + 1 < candidates.length; k += 1) {
    const a = candidates[k];
    const b = candidates[k + 1];
    if (!a || !b || isCjkLine(a.index) !== isCjkLine(b.index)) continue;
    const u = units(a.index, b.index);
    if (u >= 8) (isCjkLine(a.index) ? gaps.cjk : gaps.latin).push(u);
  }
  const latin = mode(gaps.latin) ?? mode(gaps.cjk) ?? 30;
  const budget = { latin, cjk: mode(gaps.cjk) ?? latin };
  const budgetAt = (i: number): number => (isCjkLine(i) ? budget.cjk : budget.latin);

  // A page set on a wider measure (smaller type, such as a back page) holds more lines.
  const widthOf = (i: number): number => displayWidth(lines[i]?.text.trim() ?? '');
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const typicalWidth = median(lines.map((l, i) => (l.blank || furniture[i] ? -1 : widthOf(i))).filter((w) => w > 0));
  const measureRatio = (from: number, to: number): number => {
    const widths: number[] = [];
    for (let i = from; i < to; i += 1) if (!lines[i]?.blank && !furniture[i]) widths.push(widthOf(i));
    if (widths.length < 8 || typicalWidth === 0) return 1;
    return Math.min(1.6, Math.max(1, median(widths) / typicalWidth));
  };

  // Long stretches without a page start get line-budget candidates.
  const synthetic: Candidate[] = [];
  for (let k = 0; k < candidates.length; k += 1) {
    const a = candidates[k];
    if (!a) continue;
    const endIndex = candidates[k + 1]?.index ?? lines.length;
    const L = budgetAt(a.index);
    if (units(a.index, endIndex) <= L * 1.35 * measureRatio(a.index, endIndex)) continue;
    for (let i = a.index + 1; i < endIndex; i += 1) {
      const u = units(a.index, i);
      if (lines[i]?.blank || furniture[i]) continue;
      if (Math.abs(u % L) <= 1 || Math.abs((u % L) - L) <= 1) {
        if (u >= L - 1) synthetic.push({ index: i, penalty: 30, evidence: ['line-budget'] });
      }
    }
  }
  candidates = [...candidates, ...synthetic].sort((a, b) => a.index - b.index);

  const openingPrefix = [0];
  for (let i = 0; i < lines.length; i += 1) openingPrefix.push((openingPrefix[i] ?? 0) + (hints.openingLines.has(i) ? 1 : 0));
  const holdsOpening = (from: number, to: number): boolean => (openingPrefix[to] ?? 0) - (openingPrefix[from] ?? 0) > 0;

  const pageCost = (from: number, to: number, last: boolean): number => {
    const u = units(from, to);
    const L = budgetAt(from);
    const capacity = (holdsOpening(from, to) ? L : L + 2) * measureRatio(from, to);
    let cost = 0;
    if (u > capacity) cost += 15 * (u - capacity);
    if (!last && u < L - 3) cost += 2 + 0.1 * (L - 3 - u);
    return cost;
  };

  // Passing over a space-started line with nothing against it costs: it is strong evidence.
  const strongBefore = [0];
  for (const c of candidates) strongBefore.push((strongBefore[strongBefore.length - 1] ?? 0) + (c.evidence.includes('space-start') && c.penalty === 0 ? 1 : 0));
  const skipCost = (i: number, j: number): number => 20 * ((strongBefore[j] ?? 0) - (strongBefore[i + 1] ?? 0));

  const solve = (first: number): { starts: number[]; cost: number } | undefined => {
    const m = candidates.length;
    const maxPages = m;
    const INF = Number.POSITIVE_INFINITY;
    // best[j][k]: least cost with candidate j opening page index k (0-based).
    const best: Float64Array[] = candidates.map(() => new Float64Array(maxPages).fill(INF));
    const back: Int32Array[] = candidates.map(() => new Int32Array(maxPages).fill(-1));
    const allowed = (c: Candidate, k: number): boolean => !c.anchor || c.anchor.folio - first === k;
    const c0 = candidates[0];
    if (!c0 || !allowed(c0, 0)) return undefined;
    (best[0] as Float64Array)[0] = 0;
    for (let j = 1; j < m; j += 1) {
      const cj = candidates[j] as Candidate;
      for (let i = j - 1; i >= 0; i -= 1) {
        const ci = candidates[i] as Candidate;
        if (units(ci.index, cj.index) > budgetAt(ci.index) * 1.6 && i < j - 1) break;
        const cost = pageCost(ci.index, cj.index, false) + cj.penalty + skipCost(i, j);
        const bi = best[i] as Float64Array;
        const bj = best[j] as Float64Array;
        for (let k = 0; k + 1 < maxPages; k += 1) {
          const v = bi[k] as number;
          if (v === INF || !allowed(cj, k + 1)) continue;
          if (v + cost < (bj[k + 1] as number)) {
            bj[k + 1] = v + cost;
            (back[j] as Int32Array)[k + 1] = i;
          }
        }
        if (ci.anchor) break; // a page never spans a surviving folio
      }
    }
    let bestEnd: { j: number; k: number; cost: number } | undefined;
    for (let j = m - 1; j >= 0; j -= 1) {
      const cj = candidates[j] as Candidate;
      const tail = pageCost(cj.index, lines.length, true) + skipCost(j, m);
      const bj = best[j] as Float64Array;
      for (let k = 0; k < maxPages; k += 1) {
        const v = (bj[k] as number) + tail;
        if (v < (bestEnd?.cost ?? INF)) bestEnd = { j, k, cost: v };
      }
      if (cj.anchor) break; // the last page cannot lie before a surviving folio
    }
    if (!bestEnd) return undefined;
    const starts: number[] = [];
    for (let j = bestEnd.j, k = bestEnd.k; j >= 0 && k >= 0; ) {
      starts.push(j);
      const prev = (back[j] as Int32Array)[k] as number;
      j = prev;
      k -= 1;
      if (prev < 0) break;
    }
    starts.reverse();
    if (candidates[starts[0] ?? -1] !== c0) return undefined;
    return { starts, cost: bestEnd.cost };
  };

  const anchors = candidates.filter((c) => c.anchor);
  let solution = solve(firstFolio);
  let first = firstFolio;
  if (!solution && anchors[0]?.anchor) {
    // The text may not start at folio 1 (a part of an issue, or pagination continued across a
    // volume): try every first folio the first surviving folio allows, and keep the best layout.
    const before = candidates.findIndex((c) => c === anchors[0]);
    for (let r = 0; r <= before; r += 1) {
      const tried = anchors[0].anchor.folio - r;
      const attempt = tried >= 1 ? solve(tried) : undefined;
      if (attempt && (!solution || attempt.cost < solution.cost)) {
        solution = attempt;
        first = tried;
      }
    }
  }
  if (!solution) {
    // Name the two surviving folios that cannot both be right: the first pair whose pages
    // in between are more, or fewer, than the page starts between them allow.
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
    throw new FolioError([
      message(
        'import-004',
        `Unexpected printed folios that no page layout can satisfy${a?.anchor && b?.anchor ? `: folio ${a.anchor.folio} (line ${lines[a.anchor.folioIndex]?.n}) and folio ${b.anchor.folio} (line ${lines[b.anchor.folioIndex]?.n})` : ''}`,
        { file, line: a?.anchor ? lines[a.anchor.folioIndex]?.n ?? 1 : 1 },
      ),
    ]);
  }

  const pages: RestoredPage[] = solution.starts.map((j, k) => {
    const c = candidates[j] as Candidate;
    const next = candidates[solution.starts[k + 1] ?? -1];
    const end = next ? next.index : lines.length;
    const u = units(c.index, end);
    const L = budgetAt(c.index);
    const cost = pageCost(c.index, end, !next) + (k > 0 ? c.penalty : 0);
    const evidence: Evidence[] = [...c.evidence];
    evidence.push(Math.abs(u - L) <= 2 ? 'full-page' : 'short-page');
    if (holdsOpening(c.index, end)) evidence.push('chapter-opening');
    let confidence = c.anchor ? 1 : c.evidence.includes('line-budget') ? 0.5 : 0.95 - Math.min(0.45, cost / 30);
    if (anchors.length === 0) confidence = Math.min(confidence, 0.7);
    return { page: first + k, start: c.index, end, units: u, evidence, confidence: Math.round(confidence * 100) / 100 };
  });

  // A page far longer than the budget means the anchors forced a page count the layout does not hold.
  for (const p of pages) {
    const L = budgetAt(p.start);
    if (p.units > L * 1.35 * measureRatio(p.start, p.end)) {
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
  if (anchors.length === 0) messages.push(message('import-009', 'No printed folios survive in the source: pages are restored from the layout alone', { file }));
  for (const p of pages) {
    if (p.confidence < 0.6) messages.push(message('import-008', `Unexpected uncertainty about where page ${p.page} starts (confidence ${p.confidence})`, { file, line: lines[p.start]?.n ?? 1 }));
  }
  return { pages, folioBlocks, furniture, budget, messages };
}
