/**
 * Reading the PDF as a reader's copy has it: its pages' text in rows, the running heads and
 * folios told from the page text by what they say (a number, or phrases of the issue's
 * metadata) and where they stand (the band at the top or bottom where such lines recur).
 */
import { readFile } from 'node:fs/promises';
import { resolvePrintGeometry, runningTitle, type IssueMeta } from '../manuscript/index.js';
import { cjkShare } from '../import/source.js';
import type { OriginalPage } from './pages.js';
import { readPdfObjects, type PdfObjects } from './pdf-objects.js';
import { readPdfText, type PdfLine, type PdfPage } from './pdf-text.js';
import { words } from './words.js';

/** One row of a page: the lines that share a baseline band (a running head may be split in two). */
interface Row {
  lines: PdfLine[];
  yMin: number;
  yMax: number;
}

/** A PDF page read for the check: its text rows split into furniture, running text and notes. */
export interface PdfPageText {
  index: number;
  /** Words of the page, furniture left out, hyphenated words rejoined. */
  words: string[];
  /** Words of the running text above the notes, in reading order. */
  body: string[];
  /** The page's text lines, furniture left out, as printed (for reading again with another page's words). */
  lines: string[];
  /** Text of the running heads and folio lines that were set aside. */
  furniture: string[];
  /** The folio printed, when one was found. */
  folio: number | null;
}

const fold = (w: string): string => w.toLocaleLowerCase('en');
const isNumber = (w: string): boolean => /^\d+$/.test(w);

/** Phrases a running head may print, as word lists: journal, issue, titles, authors. */
export function runningHeadPhrases(issue: IssueMeta): string[][] {
  const texts = new Set<string>([issue.journal, issue.issue]);
  const { print } = resolvePrintGeometry(issue.geometry);
  if (issue.publisher) texts.add(issue.publisher);
  for (const c of issue.chapters) {
    texts.add(c.title);
    texts.add(runningTitle(c, print));
    for (const a of c.authors) texts.add(a);
    if (c.authors.length > 0) texts.add(c.authors.join(' '));
  }
  return [...texts].map((t) => words(t).map(fold)).filter((p) => p.length > 0);
}

/**
 * Reads a row as furniture: nothing but whole phrases of the running heads and at most two
 * numbers standing alone (the folio). Returns the standalone numbers, or undefined when the
 * row holds anything else.
 */
export function furnitureNumbers(ws: readonly string[], phrases: readonly string[][]): string[] | undefined {
  if (ws.length === 0) return undefined;
  const folded = ws.map(fold);
  // best[i]: the standalone numbers of the cheapest cut of folded[i..] into phrases and numbers.
  const best: (string[] | undefined)[] = new Array<string[] | undefined>(folded.length + 1).fill(undefined);
  best[folded.length] = [];
  for (let i = folded.length - 1; i >= 0; i -= 1) {
    let choice: string[] | undefined;
    for (const p of phrases) {
      const rest = best[i + p.length];
      if (rest === undefined || i + p.length > folded.length) continue;
      if (p.every((w, k) => folded[i + k] === w) && (choice === undefined || rest.length < choice.length)) choice = rest;
    }
    const word = folded[i] ?? '';
    const after = best[i + 1];
    if (isNumber(word) && after !== undefined && (choice === undefined || after.length + 1 < choice.length)) choice = [word, ...after];
    best[i] = choice;
  }
  const found = best[0];
  return found !== undefined && found.length <= 2 ? found : undefined;
}

const isFurnitureText = (ws: readonly string[], phrases: readonly string[][]): boolean => furnitureNumbers(ws, phrases) !== undefined;

function rowsOf(page: PdfPage): Row[] {
  const lines = [...page.lines].filter((l) => l.words.length > 0).sort((a, b) => a.yMin - b.yMin || a.xMin - b.xMin);
  const rows: Row[] = [];
  for (const line of lines) {
    const last = rows[rows.length - 1];
    const mid = (line.yMin + line.yMax) / 2;
    if (last && mid >= last.yMin && mid <= last.yMax) {
      last.lines.push(line);
      last.yMin = Math.min(last.yMin, line.yMin);
      last.yMax = Math.max(last.yMax, line.yMax);
    } else rows.push({ lines: [line], yMin: line.yMin, yMax: line.yMax });
  }
  for (const r of rows) r.lines.sort((a, b) => a.xMin - b.xMin);
  return rows;
}

const rowText = (r: Row): string => r.lines.map((l) => l.words.map((w) => w.text).join(' ')).join(' ');

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The bands where running heads and folios stand: the positions at which furniture-like top
 * and bottom rows recur over the document (an opening page's title, which may read like a
 * running head, stands lower and is kept as text).
 */
function furnitureBands(rows: Row[][], phrases: readonly string[][]): { top?: number; bottom?: number } {
  const tops: number[] = [];
  const bottoms: number[] = [];
  for (const pageRows of rows) {
    const first = pageRows[0];
    const last = pageRows[pageRows.length - 1];
    if (first && isFurnitureText(words(rowText(first)), phrases)) tops.push(first.yMin);
    if (last && last !== first && isFurnitureText(words(rowText(last)), phrases)) bottoms.push(last.yMin);
  }
  // Nothing stands above a running head or below a bottom folio: the bands are the highest and
  // the lowest such rows. (A median would fall on an opening page's title in a short issue,
  // where titles are as many as running heads.)
  const bands: { top?: number; bottom?: number } = {};
  const t = tops.length > 0 ? Math.min(...tops) : undefined;
  const b = bottoms.length > 0 ? Math.max(...bottoms) : undefined;
  if (t !== undefined) bands.top = t;
  if (b !== undefined) bands.bottom = b;
  return bands;
}

const near = (a: number, b: number | undefined): boolean => b !== undefined && Math.abs(a - b) <= 3;

/**
 * The words of lines in reading order, with words broken at a line end rejoined: a line ending
 * in a hyphen joins the next line's first word when the joined word is one the original page
 * has (a typeset hyphenation); otherwise the hyphen stays and separates words, as it does in
 * the source (`China-` / `LAC`).
 */
export function joinLines(lines: readonly string[], vocabulary: ReadonlySet<string>): string[] {
  // A soft hyphen is no letter: inside a word it is nothing; at a line end (alone, or before the
  // hyphen the typesetter printed for it) it is a hyphen.
  const cleaned = lines.map((raw) => raw.replace(/\u00AD-?(?=\s*$)/u, '-').replace(/\u00AD/g, ''));
  const out: string[] = [];
  let carry = '';
  cleaned.forEach((raw, i) => {
    let text = carry + raw;
    carry = '';
    const next = cleaned[i + 1];
    const broken = /(\p{L}+)[-\u2010]$/u.exec(text.trimEnd());
    if (broken && next !== undefined) {
      const head = broken[1] ?? '';
      const tail = /^\s*(\p{L}+)/u.exec(next)?.[1];
      if (tail !== undefined && vocabulary.has(`${head}${tail}`.normalize('NFKC'))) {
        text = text.trimEnd().slice(0, -1);
        carry = text.slice(text.length - head.length);
        text = text.slice(0, text.length - head.length);
      }
    }
    out.push(...words(text));
  });
  if (carry !== '') out.push(...words(carry));
  return out;
}

/** A run of rows set this much closer than the page's running text may be notes. */
const NOTE_PITCH = 0.85;
/** ...and it is notes only below a gap this much wider than the running text's pitch. */
const NOTE_GAP = 1.2;

/**
 * Where the notes begin by their setting, or `rows.length` where there are none to be told this
 * way: a run of rows at the foot at one pitch, closer than the running text above it, below a gap
 * wider than that text's pitch (the note area's rule and margin). pdftotext's boxes for CJK rows
 * barely shrink with the type (8 pt notes measured 0.93 of 9.9 pt text), while their leading does.
 * The run must be set closer than both the page's own text above it (so a page copyfitted to a
 * tighter leading, its notes tightened with it, is read as it is set) and the issue's usual
 * pitch for the script, `pitch` (so a title's or heading's wide spacing above does not make a
 * page's text look close-set). A run of one row, or with too little text above it to measure,
 * is left to the size test.
 */
export function closeSetNotes(rows: readonly Row[], pitch: number | undefined): number {
  const step = (k: number): number => (rows[k]?.yMin ?? 0) - (rows[k - 1]?.yMin ?? 0);
  const n = rows.length;
  if (n < 4 || pitch === undefined) return n;
  const notePitch = step(n - 1);
  let first = n - 1;
  while (first > 1 && step(first) <= notePitch * 1.15) first -= 1;
  const above = Array.from({ length: first - 1 }, (_, k) => step(k + 1)).filter((d) => d > 0);
  const textPitch = above.length >= 2 ? median(above) : undefined;
  if (textPitch === undefined) return n;
  const close = notePitch < textPitch * NOTE_PITCH && notePitch < pitch * NOTE_PITCH;
  return close && step(first) >= textPitch * NOTE_GAP ? first : n;
}

/** Splits a PDF page into furniture, running text and notes, and reads its words. */
export function readPdfPage(page: PdfPage, rows: Row[], bands: { top?: number; bottom?: number; lineHeight?: number; pitch?: number }, phrases: readonly string[][], vocabulary: ReadonlySet<string>): PdfPageText {
  const furniture: string[] = [];
  let folio: number | null = null;
  const kept: Row[] = [];
  rows.forEach((r, k) => {
    const edge = k === 0 || k === rows.length - 1 || k === 1 || k === rows.length - 2;
    const numbers = edge && (near(r.yMin, bands.top) || near(r.yMin, bands.bottom)) ? furnitureNumbers(words(rowText(r)), phrases) : undefined;
    if (numbers !== undefined) {
      furniture.push(rowText(r));
      const n = numbers[0];
      if (n !== undefined && folio === null) folio = Number(n);
      return;
    }
    kept.push(r);
  });
  // Notes: the run of rows at the foot set smaller than the running text, or set closer.
  const height = bands.lineHeight;
  let split = kept.length;
  if (height !== undefined) {
    while (split > 0) {
      const r = kept[split - 1];
      if (!r || r.yMax - r.yMin >= height * 0.88) break;
      split -= 1;
    }
    // A page of small type throughout (a table, a list set small) has no separate notes.
    if (split === 0) split = kept.length;
  }
  split = Math.min(split, closeSetNotes(kept, bands.pitch));
  const lineTexts = kept.map((r) => r.lines.map((l) => l.words.map((w) => w.text).join(' ')).join(' '));
  const all = joinLines(lineTexts, vocabulary);
  const body = joinLines(lineTexts.slice(0, split), vocabulary);
  return { index: page.index, words: all, body, lines: lineTexts, furniture, folio };
}

/** A PDF being read: its text by pdftotext in a child process, its objects by pdf-lib on this thread. */
export interface PdfReading {
  text: Promise<PdfPage[]>;
  objects: Promise<PdfObjects>;
}

/** Starts reading a PDF, both ways at once; the caller goes on with other work meanwhile. `signal` stops pdftotext. */
export function startReadingPdf(file: string, signal?: AbortSignal): PdfReading {
  const text = readPdfText(file, signal);
  const objects = readFile(file).then(readPdfObjects);
  // A failure is kept for whoever awaits it, and is no unhandled rejection until then.
  text.catch(() => undefined);
  objects.catch(() => undefined);
  return { text, objects };
}

/** A page more than this share CJK characters is read at the CJK text size. */
const CJK_PAGE_SHARE = 0.5;

/** Whether a page's rows are mostly CJK text (set in its own size). */
const isCjkPage = (rows: readonly Row[]): boolean => cjkShare(rows.map(rowText).join('')) > CJK_PAGE_SHARE;

/** Reads every page of a PDF for the check. */
export async function readPdfPages(reading: PdfReading, issue: IssueMeta, originals: readonly OriginalPage[]): Promise<{ pages: PdfPageText[]; labels: string[] | undefined; count: number; text: PdfPage[] }> {
  const [pdf, { labels }] = await Promise.all([reading.text, reading.objects]);
  const phrases = runningHeadPhrases(issue);
  const rows = pdf.map(rowsOf);
  const bands: { top?: number; bottom?: number; lineHeight?: number } = furnitureBands(rows, phrases);
  const heights = rows.flat().map((r) => r.yMax - r.yMin);
  const lineHeight = median(heights);
  if (lineHeight !== undefined) bands.lineHeight = lineHeight;
  const cjkPages = rows.map(isCjkPage);
  const scriptHeights = {
    cjk: median(rows.filter((_, i) => cjkPages[i]).flat().map((r) => r.yMax - r.yMin)),
    latin: median(rows.filter((_, i) => !cjkPages[i]).flat().map((r) => r.yMax - r.yMin)),
  };
  const pitches = (rs: readonly Row[]): number[] => rs.slice(1).map((r, k) => r.yMin - (rs[k]?.yMin ?? r.yMin)).filter((d) => d > 0);
  const scriptPitches = {
    cjk: median(rows.filter((_, i) => cjkPages[i]).flatMap(pitches)),
    latin: median(rows.filter((_, i) => !cjkPages[i]).flatMap(pitches)),
  };
  const pages = pdf.map((p, i) => {
    const vocabulary = new Set(originals[i]?.words ?? []);
    // Each script is set in its own size: a page is read at the size and pitch of its script's running text.
    const own = rows[i] ?? [];
    const script = cjkPages[i] ? 'cjk' : 'latin';
    const height = scriptHeights[script];
    const pitch = scriptPitches[script];
    return readPdfPage(p, own, { ...bands, ...(height === undefined ? {} : { lineHeight: height }), ...(pitch === undefined ? {} : { pitch }) }, phrases, vocabulary);
  });
  return { pages, labels, count: pdf.length, text: pdf };
}
