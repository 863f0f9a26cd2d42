/**
 * Why the import stops rather than return pages it cannot stand behind: the messages that name
 * the stretch of source lines the evidence does not fix (two folios that no layout holds, a
 * page count two layouts fit about as well, a tail of guessed pages, a page far over the budget).
 */
import { message, type Message } from '../messages.js';
import type { Candidate, LineBudget } from './candidates.js';
import type { SourceLine } from './source.js';

/** What the diagnoses read: the source, its file, and the line budget. */
export interface DiagnosisContext {
  lines: readonly SourceLine[];
  file: string;
  measure: LineBudget;
}

/** A page as the diagnoses see it. */
interface DiagnosedPage {
  page: number;
  start: number;
  end: number;
  units: number;
}

const folioAt = (context: DiagnosisContext, c: Candidate | undefined, none: string): string =>
  c?.anchor ? `folio ${c.anchor.folio} (line ${context.lines[c.anchor.folioIndex]?.n})` : none;

/** The surviving folios before and after a line. */
function foliosAround(anchors: readonly Candidate[], index: number): { before?: Candidate; after?: Candidate } {
  const before = [...anchors].reverse().find((a) => a.index <= index);
  const after = anchors.find((a) => a.index > index);
  return { ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

/**
 * No layout holds the surviving folios: names the folio no layout reaches (`stuckAt`, a
 * candidate position) and the one before it, with the pages the folios ask for and the page
 * starts the text between them offers. Without `stuckAt`, the text after the last folio (or the
 * page count asked for) is what no layout holds.
 */
export function unsatisfiable(context: DiagnosisContext, candidates: readonly Candidate[], stuckAt: number | undefined, pages: number | undefined): Message {
  const { lines, file } = context;
  const anchors = candidates.filter((c) => c.anchor);
  const stuck = stuckAt === undefined ? undefined : candidates[stuckAt];
  if (stuck?.anchor) {
    const before = [...anchors].reverse().find((a) => a.index < stuck.index);
    const needed = stuck.anchor.folio - (before?.anchor?.folio ?? 1) - (before ? 1 : 0);
    const offered = candidates.filter((c) => c.index > (before?.index ?? -1) && c.index < stuck.index).length;
    const lineCount = (lines[stuck.index]?.n ?? 1) - (before ? lines[before.index]?.n ?? 1 : 1);
    return message(
      'import-004',
      `Unexpected printed folios that no page layout can satisfy: ${folioAt(context, before, 'the file start')} and ${folioAt(context, stuck, '')}; the ${lineCount} lines between them hold no layout of ${needed} ${needed === 1 ? 'page' : 'pages'} between the folios (${offered} possible page starts); expected a folio or a page start that is wrong, or too few marked page starts to fix the pages there`,
      { file, line: lines[(before ?? stuck).anchor?.folioIndex ?? 0]?.n ?? 1 },
    );
  }
  const last = anchors[anchors.length - 1];
  if (pages !== undefined) {
    return message('import-013', `Unexpected page count: no layout of the source holds ${pages} pages with its surviving folios${last?.anchor ? ` (the last, ${folioAt(context, last, '')}, leaves ${pages - last.anchor.folio} pages for the rest of the text)` : ''}, expected a count the text can hold`, { file, line: last?.anchor ? lines[last.anchor.folioIndex]?.n ?? 1 : 1 });
  }
  return message(
    'import-004',
    `Unexpected printed folios that no page layout can satisfy: no layout holds the text after ${folioAt(context, last, 'the file start')}; expected a folio or a page start that is wrong`,
    { file, line: last?.anchor ? lines[last.anchor.folioIndex]?.n ?? 1 : 1 },
  );
}

/** Two layouts of different page counts fit about as well: the stretch where they disagree. */
export function ambiguousCount(context: DiagnosisContext, candidates: readonly Candidate[], best: readonly number[], other: readonly number[]): Message {
  const { lines, file } = context;
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

/** Guessed page starts that still need a stub or an overfull page to meet the folios: the folios disagree. */
export function guessesDisagree(context: DiagnosisContext, anchors: readonly Candidate[], page: DiagnosedPage): Message {
  const { before, after } = foliosAround(anchors, page.start);
  return message(
    'import-004',
    `Unexpected printed folios that no page layout can satisfy: ${folioAt(context, before, 'the file start')} and ${folioAt(context, after, 'the file end')}; even guessed page starts leave page ${page.page} with ${page.units} lines (a page holds about ${context.measure.budgetAt(page.start)}); expected a folio or a page start that is wrong, or too few marked page starts to fix the pages there`,
    { file: context.file, line: context.lines[page.start]?.n ?? 1 },
  );
}

/** The pages after the last folio rest on guesses from `page` on: the count is a guess. */
export function countRestsOnGuesses(context: DiagnosisContext, lastAnchor: Candidate | undefined, page: DiagnosedPage, pageCount: number): Message {
  const { lines, file } = context;
  return message(
    'import-013',
    `Unexpected page count the evidence cannot fix: the pages after ${folioAt(context, lastAnchor, 'the file start')} rest on guessed page starts from page ${page.page} (line ${lines[page.start]?.n ?? 1}) on, so ${pageCount} pages is a guess; expected the count from the publisher (\`folio import --pages N\`, or \`pages:\` in the editorial file)`,
    { file, line: lines[page.start]?.n ?? 1 },
  );
}

/** A page far longer than the budget: the folios forced a page count the layout does not hold. */
export function pageTooLong(context: DiagnosisContext, anchors: readonly Candidate[], page: DiagnosedPage): Message {
  const { lines } = context;
  const { before, after } = foliosAround(anchors, page.start);
  const at = (c: Candidate | undefined, none: string): string => (c?.anchor ? `folio ${c.anchor.folio} at line ${lines[c.anchor.folioIndex]?.n}` : none);
  return message(
    'import-004',
    `Unexpected page ${page.page} of ${page.units} lines (a page holds about ${context.measure.budgetAt(page.start)}): the inferred page starts disagree with ${at(before, 'the file start')} and ${at(after, 'the file end')}`,
    { file: context.file, line: lines[page.start]?.n ?? 1 },
  );
}
