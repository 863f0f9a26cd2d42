/**
 * The layout hints the structure gives the page restoration before any page is known: the lines
 * that open an article, section numerals, the run-on lines of headings and titles (never a
 * page start), and the lines a section label left inside a sentence (always one).
 */
import { authorNoteStart, englishByline, isCjkNameByline, parseCjkByline, parseCjkName } from './bylines.js';
import type { LayoutHints } from './layout.js';
import type { SourceLine } from './source.js';
import { isCjkText, numeralAlone, sentenceEnd, titleCaseShare } from './text.js';

/** The most lines a title runs to. */
export const MAX_TITLE_LINES = 6;

/** A heading's number: a Roman or Arabic numeral or a letter with a stop, or a Chinese ordinal. */
export const numberedHeading = /^(?:(?:[IVXLC]+|[ivxlc]+|\d{1,2}|[A-Za-z])\.\s+\p{Lu}|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)/u;
/** The most lines a heading runs to. */
const MAX_HEADING_LINES = 3;

/** Finds the lines that tell the layout where chapters open, where numerals stand and where headings run on. */
export function layoutHints(lines: readonly SourceLine[]): LayoutHints {
  const openingLines = new Set<number>();
  const numeralLines = new Set<number>();
  const headingLines = new Set<number>();
  lines.forEach((line, i) => {
    const t = line.text.trim();
    if (authorNoteStart.test(t) && /\p{L}/u.test(t)) openingLines.add(i);
    if (englishByline.test(t) && t.endsWith('*')) openingLines.add(i);
    if (parseCjkByline(t)) openingLines.add(i);
    else if (parseCjkName(t)) {
      // Last in its stretch: what follows opens a page (a space-started line) or is a folio block.
      let before = i - 1;
      while (before >= 0 && lines[before]?.blank) before -= 1;
      let after = i + 1;
      while (after < lines.length && lines[after]?.blank) after += 1;
      const next = lines[after];
      const last = !next || next.indented || /^\s*\d{1,4}\s*$/u.test(next.text);
      if (isCjkNameByline(t, lines[before]?.text, last)) openingLines.add(i);
    }
    if (numeralAlone.test(t)) numeralLines.add(i);
    // A numbered heading (`iv. Disruptions to …`, `4. Actions count …`, `（一）…`) after a blank
    // line or a sentence's end: its further lines, up to a blank, never open a page (a heading is not split).
    const previous = lines[i - 1];
    if ((previous === undefined || previous.blank || sentenceEnd.test(previous.text.trim())) && numberedHeading.test(t) && !sentenceEnd.test(t)) {
      for (let j = i + 1; j < lines.length && j <= i + MAX_HEADING_LINES && !lines[j]?.blank; j += 1) {
        headingLines.add(j);
        if (sentenceEnd.test(lines[j]?.text.trim() ?? '') || /[?？]$/u.test(lines[j]?.text.trim() ?? '')) break;
      }
    }
  });
  for (const i of openingLines) for (const j of titleRunOn(lines, i)) headingLines.add(j);
  return { openingLines, numeralLines, headingLines, labelBreaks: labelBreaks(lines) };
}

/**
 * The second and further lines of a title set after an opening line (an author note or a
 * byline, then the title, as the extraction leaves the title block after the text): a title is
 * not split across pages, so a guessed page start never falls there.
 */
function titleRunOn(lines: readonly SourceLine[], opening: number): number[] {
  let j = opening + 1;
  while (j < lines.length && !lines[j]?.blank) j += 1;
  while (j < lines.length && lines[j]?.blank) j += 1;
  const first = lines[j]?.text.trim() ?? '';
  if (first === '' || sentenceEnd.test(first) || authorNoteStart.test(first)) return [];
  const runOn: number[] = [];
  for (let k = j + 1; k < lines.length && k <= j + MAX_TITLE_LINES && !lines[k]?.blank; k += 1) runOn.push(k);
  return runOn;
}

/**
 * The lines after a section label the extraction left inside a sentence: a short title-cased
 * line after a blank, between a line that ends no sentence and one that goes on in lower case.
 */
function labelBreaks(lines: readonly SourceLine[]): Set<number> {
  const breaks = new Set<number>();
  const textNear = (from: number, step: 1 | -1): number => {
    let j = from + step;
    while (j >= 0 && j < lines.length && lines[j]?.blank) j += step;
    return j;
  };
  lines.forEach((line, i) => {
    const t = line.text.trim();
    // Left at a page's end, a label is never the page's first line, nor a section numeral.
    if (line.blank || line.indented || numeralAlone.test(t) || numberedHeading.test(t) || !lines[i - 1]?.blank || isCjkText(t) || sentenceEnd.test(t) || t.split(/\s+/u).length > 6 || !/^\p{Lu}/u.test(t) || titleCaseShare(t) < 0.6) return;
    const before = lines[textNear(i, -1)]?.text.trim() ?? '';
    const after = textNear(i, 1);
    const next = lines[after]?.text.trim() ?? '';
    if (before !== '' && !sentenceEnd.test(before) && !isCjkText(before) && /^\p{Ll}/u.test(next)) breaks.add(after);
  });
  return breaks;
}
