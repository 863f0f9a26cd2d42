/**
 * Reads the structure of the restored pages: where chapters open (author note, title block,
 * byline, all moved to the foot of the opening page by the extraction), the footnotes at the
 * foot of each page, and the running text, which goes on as a stream of lines with page starts.
 */
import { authorNoteStart, bylineAuthors, englishByline, isCjkNameByline, parseCjkByline, parseCjkName } from './bylines.js';
import { MAX_TITLE_LINES, numberedHeading } from './hints.js';
import type { Layout } from './layout.js';
import type { SourceLine } from './source.js';
import { cjkShare, displayWidth } from './source.js';
import { isCjkText, normaliseSpaces, numeralAlone, sentenceEnd, titleCaseShare } from './text.js';

/** A line of running text, with the page it opens (if it is a page's first line of text). */
export interface BodyLine {
  index: number;
  text: string;
  /** The page this line opens, if any. */
  opensPage?: number;
  /** A blank line stood before it in the source (single-spaced text only). */
  blankBefore: boolean;
}

/** A numbered note at the foot of a page. */
export interface PageNote {
  label: string;
  page: number;
  lines: number[];
  text: string;
}

/** What the extraction moved to the foot of a chapter's opening page. */
export interface Opening {
  page: number;
  kind: 'article' | 'news' | 'back-matter';
  titleLines: string[];
  subtitleLines: string[];
  byline?: string;
  authors: string[];
  authorNote?: string;
  /** The marker of the author note in the byline (`*`), when the byline calls it. */
  bylineCallsNote: boolean;
  /** Lines the opening occupies (title, byline, note), in source order. */
  lines: number[];
}

/** One chapter as found in the source, before it is written as Markdown. */
export interface SourceChapter {
  opening?: Opening;
  firstPage: number;
  lastPage: number;
  language: string;
  body: BodyLine[];
  notes: PageNote[];
}

const noteStart = /^(\d{1,2})\s+(\S.*)$/u;
/**
 * What a note call follows: a letter, a closing quote or bracket (`power1`, `”2`), or a
 * punctuation mark right after a letter (`enemies,3`, `end.4`), the common style for calls.
 * A digit before the punctuation (`1,3`, `2.5`) is a number, not a call.
 */
export const callBefore = String.raw`(?:[\p{L}”’"')\]）》」]|\p{L}[,.;:!?，。；：])`;

interface PageParts {
  page: number;
  body: number[];
  notes: PageNote[];
  opening?: Opening;
  /**
   * A short title the extraction left at the very end of the page: the title of a section that
   * opens here. `undecided` when it follows a sentence's end, where it could as well be a
   * heading of the text left at the foot of its page: the import says what it chose.
   */
  sectionTitle?: { text: string; line: number; undecided?: boolean };
}

function isTitleLike(text: string, typicalWidth: number): boolean {
  const t = text.trim();
  if (t === '' || sentenceEnd.test(t) || /,\s/u.test(t)) return false;
  if (isCjkText(t)) return displayWidth(t) < typicalWidth * 0.8 && !/[。，；]/u.test(t);
  return displayWidth(t) < typicalWidth * 0.85 && /^[\p{Lu}\d“"‘(]/u.test(t);
}

/** The most lines an author note or a title runs to. */
const MAX_NOTE_LINES = 6;
/** A line at least this share of the typical line's width is running text. */
const TEXT_WIDTH_SHARE = 0.9;

/** Splits every page into running text, foot notes and an opening block. */
export function readPages(lines: readonly SourceLine[], layout: Layout): PageParts[] {
  const widths = lines.filter((l) => !l.blank).map((l) => displayWidth(l.text.trim())).sort((a, b) => a - b);
  const typicalWidth = widths[Math.floor(widths.length / 2)] ?? 60;
  const parts: PageParts[] = [];
  layout.pages.forEach((page, k) => {
    const textLines: number[] = [];
    for (let i = page.start; i < page.end; i += 1) if (!layout.furniture[i] && !lines[i]?.blank) textLines.push(i);
    const text = (i: number): string => lines[i]?.text.trim() ?? '';

    // Notes: numbered paragraphs at the foot whose numbers are called higher up the page.
    const notes: PageNote[] = [];
    let notesFrom = textLines.length;
    for (let p = 0; p < textLines.length; p += 1) {
      const i = textLines[p] as number;
      const m = noteStart.exec(text(i));
      if (!m) continue;
      const prevBlank = lines[i - 1]?.blank ?? true;
      if (!prevBlank) continue;
      const label = m[1] as string;
      const above = textLines.slice(0, p).map(text).join('\n');
      const call = new RegExp(`(?<=${callBefore})${label}(?=\\s|$|[.,;:，。；）)])`, 'u');
      if (!call.test(above)) continue;
      notesFrom = p;
      break;
    }
    // The opening block: author note, title lines and byline. The extraction leaves it at the
    // end of the page's text, but a title set first comes first: the block is read wherever it
    // stands, and every other line of the page stays the page's text.
    let opening: Opening | undefined;
    const block = new Set<number>();
    const noteAt = textLines.findIndex((i, p) => p >= 0 && authorNoteStart.test(text(i)) && /\p{L}/u.test(text(i)));
    const enBylineAt = textLines.findIndex((i) => englishByline.test(text(i)) && text(i).endsWith('*'));
    let cjkBylineAt = textLines.findIndex((i) => parseCjkByline(text(i)) !== undefined);
    const lastAt = textLines.length - 1;
    if (cjkBylineAt < 0 && lastAt > 0 && isCjkNameByline(text(textLines[lastAt] as number), text(textLines[lastAt - 1] as number), true)) cjkBylineAt = lastAt;
    // Lines that run on without a blank line between them, from line `p` in direction `step`.
    const run = (p: number, step: 1 | -1, limit: number, stop: (q: number) => boolean): number[] => {
      const out: number[] = [];
      for (let q = p; q >= 0 && q < textLines.length && out.length < limit; q += step) {
        const i = textLines[q] as number;
        const neighbour = out.length === 0 ? undefined : (out[out.length - 1] as number);
        if (neighbour !== undefined && (step === 1 ? lines[i - 1]?.blank : lines[neighbour - 1]?.blank)) break;
        if (stop(q)) break;
        out.push(i);
      }
      return step === 1 ? out : out.reverse();
    };
    const titleFirst = (all: readonly number[], notes: readonly number[]): number[] => {
      const top = run(0, 1, MAX_TITLE_LINES + 1, (q) => notes.includes(all[q] as number));
      const next = all[top.length];
      const joined = top.map(text).join(' ');
      const titled =
        top.length > 0 &&
        top.length <= MAX_TITLE_LINES &&
        next !== undefined &&
        (lines[next - 1]?.blank ?? false) &&
        top.every((i) => displayWidth(text(i)) < typicalWidth * TEXT_WIDTH_SHARE) &&
        !sentenceEnd.test(joined) &&
        // A comma before a lowercase word, or a lowercase word last, reads as a sentence.
        !/,\s+\p{Ll}/u.test(joined) &&
        !/(?:^|\s)\p{Ll}+$/u.test(joined) &&
        titleCaseShare(joined) >= 0.75;
      return titled ? top : [];
    };
    if (noteAt >= 0 || enBylineAt >= 0) {
      const noteLines = noteAt >= 0 ? run(noteAt, 1, MAX_NOTE_LINES, (q) => q > noteAt && englishByline.test(text(textLines[q] as number))) : [];
      let titleLines: number[] = [];
      if (enBylineAt >= 0) {
        // The title stands right above the byline, without a blank line between.
        // A line as wide as the running text is the text's, not the title's (a title set first
        // follows the last line of the page before without a blank line).
        titleLines = run(enBylineAt - 1, -1, MAX_TITLE_LINES, (q) => noteLines.includes(textLines[q] as number) || displayWidth(text(textLines[q] as number)) >= typicalWidth * TEXT_WIDTH_SHARE);
      } else if (noteAt >= 0) {
        // No byline: the title, if the text has one, follows the author note at the end of the page.
        const after = textLines.indexOf(noteLines[noteLines.length - 1] as number) + 1;
        titleLines = after < textLines.length && after > 0 ? textLines.slice(after) : [];
        // Nothing after it: a title set first stands at the top of the page, a block of short
        // title-cased lines that end no sentence, set apart from the text by a blank line.
        if (titleLines.length === 0) titleLines = titleFirst(textLines, noteLines);
      }
      const byline = enBylineAt >= 0 ? (textLines[enBylineAt] as number) : undefined;
      for (const i of [...noteLines, ...titleLines, ...(byline === undefined ? [] : [byline])]) block.add(i);
      const noteText = noteLines.map(text).reduce((acc, t) => (acc === '' ? t : joinEnglish(acc, t)), '').replace(/^\*+\s*/u, '');
      const bylineText = byline === undefined ? undefined : text(byline);
      const bylineName = bylineText ? englishByline.exec(bylineText)?.[1] : undefined;
      const noteName = /^(.+?)\s+(?:is|was|are)\s/u.exec(noteText)?.[1];
      opening = {
        page: page.page,
        kind: 'article',
        titleLines: titleLines.map(text),
        subtitleLines: [],
        authors: bylineName ? bylineAuthors(bylineName) : noteName ? [noteName] : [],
        bylineCallsNote: Boolean(bylineText?.trimEnd().endsWith('*')),
        lines: [...block].sort((x, y) => x - y),
        ...(bylineText ? { byline: normaliseSpaces(bylineText) } : {}),
        ...(noteText ? { authorNote: normaliseSpaces(noteText) } : {}),
      };
    } else if (cjkBylineAt >= 0) {
      // Title lines stand right above the byline: short lines that end no sentence.
      let from = cjkBylineAt;
      const pageMeasure = Math.max(...textLines.map((i) => displayWidth(text(i))));
      for (let p = cjkBylineAt - 1; p >= 0 && cjkBylineAt - p <= 3; p -= 1) {
        const t = text(textLines[p] as number);
        if (displayWidth(t) >= pageMeasure * 0.9 || sentenceEnd.test(t) || /[，；]$/u.test(t)) break;
        from = p;
      }
      const titles = textLines.slice(from, cjkBylineAt).map(text);
      const byline = text(textLines[cjkBylineAt] as number);
      const parsed = parseCjkByline(byline);
      const nameOnly = parsed ? undefined : parseCjkName(byline);
      for (const i of textLines.slice(from, cjkBylineAt + 1)) block.add(i);
      opening = {
        page: page.page,
        kind: 'article',
        titleLines: titles.filter((t) => !t.startsWith('——')),
        subtitleLines: titles.filter((t) => t.startsWith('——')),
        byline,
        authors: parsed ? parsed.names : nameOnly ? [nameOnly] : [],
        bylineCallsNote: false,
        lines: textLines.slice(from, cjkBylineAt + 1),
      };
    }
    // Notes run from their first number to the opening block or the page end; the running text
    // is every other line.
    if (notesFrom < textLines.length) {
      const noteLines: number[] = [];
      for (const i of textLines.slice(notesFrom)) {
        if (block.has(i)) break;
        noteLines.push(i);
      }
      let current: PageNote | undefined;
      for (const i of noteLines) {
        const m = noteStart.exec(text(i));
        const expected = current ? String(Number(current.label) + 1) : undefined;
        if (m && (!current || m[1] === expected)) {
          current = { label: m[1] as string, page: page.page, lines: [i], text: (m[2] ?? '').trim() };
          notes.push(current);
        } else if (current) {
          current.lines.push(i);
          current.text = joinAny(current.text, text(i));
        }
      }
    }
    const inNotes = new Set(notes.flatMap((n) => n.lines));
    let body = textLines.filter((i) => !block.has(i) && !inNotes.has(i));
    let sectionTitle: PageParts['sectionTitle'];
    // A section label (`Visits & Events`) left by the extraction at the end of a page, inside a
    // sentence that runs on to the next page: known by its position and shape alone, whatever
    // the case of the word that goes on (`China-` / label / `EU Summit`). Taken out, the
    // sentence joins up again.
    const lastBody = body[body.length - 1];
    const nextPage = layout.pages[k + 1];
    if (!opening && lastBody !== undefined && nextPage && lines[lastBody - 1]?.blank && body.length > 1) {
      const t = text(lastBody);
      const nextFirst = firstText(lines, layout, nextPage.start, nextPage.end);
      const before = text(body[body.length - 2] as number);
      // Inside a sentence it can only be a label; after a sentence's end it could be a heading
      // left at the foot of its page, which a numbered heading is and a label never is.
      // A remark in brackets at an article's end (`（文中所用数据均截至2021年11月）`) is neither.
      const insideSentence = !sentenceEnd.test(before);
      const labelShaped = !numberedHeading.test(t) && !/^[（(［[].*[）)］\]]$/u.test(t) && !/[《》「」“”，、：:]/u.test(t);
      if (isTitleLike(t, typicalWidth) && !numeralAlone.test(t) && t.split(/\s+/).length <= 6 && nextFirst !== undefined && (insideSentence || labelShaped)) {
        sectionTitle = { text: t, line: lastBody, ...(insideSentence ? {} : { undecided: true }) };
        body = body.slice(0, -1);
      }
    }
    parts.push({ page: page.page, body, notes, ...(opening ? { opening } : {}), ...(sectionTitle ? { sectionTitle } : {}) });
  });
  return parts;
}

function firstText(lines: readonly SourceLine[], layout: Layout, from: number, to: number): number | undefined {
  for (let i = from; i < to; i += 1) if (!layout.furniture[i] && !lines[i]?.blank) return i;
  return undefined;
}

function joinEnglish(a: string, b: string): string {
  return /[^\s-]-$/u.test(a) ? a + b : `${a} ${b}`;
}

function joinAny(a: string, b: string): string {
  if (cjkShare(a.slice(-1)) > 0 || cjkShare(b.slice(0, 1)) > 0) return a + b;
  return joinEnglish(a, b);
}

/** Groups pages into chapters: a chapter opens where an opening block or section title stands. */
export function findChapters(lines: readonly SourceLine[], layout: Layout, parts: PageParts[]): SourceChapter[] {
  const chapters: SourceChapter[] = [];
  let current: SourceChapter | undefined;
  const text = (i: number): string => lines[i]?.text.trim() ?? '';
  for (const part of parts) {
    const firstBody = part.body[0];
    // A page that opens with a title in capitals, then a blank line, opens a section of its own.
    const capsTitle =
      firstBody !== undefined &&
      /^[\p{Lu}\d][\p{Lu}\d\s&'’,-]{6,}$/u.test(text(firstBody)) &&
      /\p{Lu}{3}/u.test(text(firstBody)) &&
      (lines[firstBody + 1]?.blank ?? false);
    let opening = part.opening;
    if (!opening && part.sectionTitle && current?.opening?.titleLines.join(' ') === part.sectionTitle.text) {
      // The label again, on a later page of its section: furniture, not a new section.
    } else if (!opening && part.sectionTitle) {
      opening = { page: part.page, kind: 'news', titleLines: [part.sectionTitle.text], subtitleLines: [], authors: [], bylineCallsNote: false, lines: [part.sectionTitle.line] };
    }
    let body = part.body;
    if (!opening && capsTitle && firstBody !== undefined) {
      opening = { page: part.page, kind: 'back-matter', titleLines: [text(firstBody)], subtitleLines: [], authors: [], bylineCallsNote: false, lines: [firstBody] };
      body = body.slice(1);
    }
    if (opening || !current) {
      current = { ...(opening ? { opening } : {}), firstPage: part.page, lastPage: part.page, language: 'en', body: [], notes: [] };
      chapters.push(current);
    }
    current.lastPage = part.page;
    body.forEach((i, p) => {
      const line: BodyLine = { index: i, text: text(i), blankBefore: Boolean(lines[i - 1]?.blank) };
      if (p === 0) line.opensPage = part.page;
      current?.body.push(line);
    });
    if (body.length === 0) current.body.push({ index: -1, text: '', opensPage: part.page, blankBefore: true });
    current.notes.push(...part.notes);
  }
  for (const chapter of chapters) {
    const sample = chapter.body.map((l) => l.text).join('');
    chapter.language = cjkShare(sample) > 0.5 ? 'zh-Hans' : 'en';
  }
  return chapters;
}

export { titleCaseShare };
