/**
 * Facts about a PDF for the PDF tests, read with the tools a person would use (poppler's
 * pdftotext, pdffonts, pdftoppm; pdf-lib for the catalogue), and the text of each printed page
 * read straight from the Markdown, independent of the HTML stage.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import type { Manuscript } from '../src/manuscript/index.js';

const run = promisify(execFile);

/** The text pdftotext reads from one PDF page (1-based). */
export async function pageText(pdf: string, page: number): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-f', String(page), '-l', String(page), pdf, '-'], { maxBuffer: 1 << 24 });
  return stdout;
}

/** One page's words as pdftotext reads them, with where they sit (points from the top). */
export interface PageWords {
  height: number;
  words: Array<{ text: string; top: number; bottom: number }>;
}

/**
 * The words of every page in one `pdftotext -bbox` run, in reading order: lines top to bottom
 * (words whose baselines lie within a few points are one line), words left to right. Sorting
 * by place, not stream order: Chromium may paint a justified line after the line below it.
 */
export async function allPageWords(pdf: string): Promise<PageWords[]> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-bbox', pdf, '-'], { maxBuffer: 1 << 28 });
  const pages: PageWords[] = [];
  for (const page of stdout.matchAll(/<page width="[\d.]+" height="([\d.]+)">([\s\S]*?)<\/page>/g)) {
    const words = [...(page[2] ?? '').matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((w) => ({
      text: unescapeXml(w[4] ?? ''),
      left: Number(w[1]),
      top: Number(w[2]),
      bottom: Number(w[3]),
    }));
    const lines: Array<typeof words> = [];
    for (const word of [...words].sort((a, b) => a.bottom - b.bottom)) {
      const line = lines.at(-1);
      if (line && Math.abs((line[0]?.bottom ?? 0) - word.bottom) < 4) line.push(word);
      else lines.push([word]);
    }
    const ordered = lines.flatMap((line) => line.sort((a, b) => a.left - b.left)).map(({ text, top, bottom }) => ({ text, top, bottom }));
    pages.push({ height: Number(page[1]), words: ordered });
  }
  return pages;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** The fonts pdffonts lists: name, type, and whether each is embedded. */
export async function pdfFonts(pdf: string): Promise<Array<{ name: string; type: string; embedded: boolean }>> {
  const { stdout } = await run('pdffonts', [pdf]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      // Columns: name, type (may hold spaces), encoding, emb, sub, uni, object, id.
      const match = /^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line);
      if (!match) throw new Error(`Unexpected pdffonts line: ${line}`);
      return { name: match[1] as string, type: match[2] as string, embedded: match[4] === 'yes' };
    });
}

/** Renders pages to PNG files `prefix-NNN.png` at the given resolution. */
export async function pagesToPng(pdf: string, prefix: string, dpi: number, first?: number, last?: number): Promise<void> {
  const range = first === undefined ? [] : ['-f', String(first), '-l', String(last ?? first)];
  await run('pdftoppm', ['-r', String(dpi), '-png', ...range, pdf, prefix], { maxBuffer: 1 << 24 });
}

/** The catalogue facts: page labels (start of the decimal run), outline titles, language. */
export async function catalogue(pdf: Uint8Array): Promise<{ pageLabelStart?: number; outline: string[]; language?: string; title?: string; pages: number }> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const catalog = doc.catalog;
  const labels = catalog.lookupMaybe(PDFName.of('PageLabels'), PDFDict);
  const nums = labels?.lookupMaybe(PDFName.of('Nums'), PDFArray);
  const first = nums?.lookupMaybe(1, PDFDict);
  const start = first?.lookupMaybe(PDFName.of('St'), PDFNumber)?.asNumber();
  const outline: string[] = [];
  const outlines = catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const walk = (item: PDFDict | undefined, depth: number) => {
    for (let node = item; node; node = node.lookupMaybe(PDFName.of('Next'), PDFDict)) {
      const title = node.lookup(PDFName.of('Title'));
      outline.push(`${'  '.repeat(depth)}${title && 'decodeText' in title ? (title as { decodeText(): string }).decodeText() : '?'}`);
      walk(node.lookupMaybe(PDFName.of('First'), PDFDict), depth + 1);
    }
  };
  walk(outlines?.lookupMaybe(PDFName.of('First'), PDFDict), 0);
  const lang = catalog.lookup(PDFName.of('Lang'));
  const result: { pageLabelStart?: number; outline: string[]; language?: string; title?: string; pages: number } = { outline, pages: doc.getPageCount() };
  if (start !== undefined) result.pageLabelStart = start;
  if (lang && 'decodeText' in lang) result.language = (lang as { decodeText(): string }).decodeText();
  const title = doc.getTitle();
  if (title !== undefined) result.title = title;
  return result;
}

/** The text of one printed page, from the Markdown: its body and the notes it calls. */
export interface PrintedPage {
  page: number;
  body: string;
  notes: string;
  /** The running head a PDF page of this chapter may carry (recto short title). */
  shortTitle: string;
}

/**
 * Splits every chapter's Markdown at its page markers. Markup is stripped by hand here (not
 * by the HTML stage under test): front matter, directive fences, heading marks, emphasis,
 * footnote calls (their notes are collected for the page that calls them) and escapes.
 */
export function printedPages(manuscript: Manuscript): Map<number, PrintedPage> {
  const pages = new Map<number, PrintedPage>();
  for (const chapter of manuscript.chapters) {
    const text = chapter.markdown.replace(/^---\n[\s\S]*?\n---\n/, '');
    const notes = new Map<string, string>();
    const body = text.replace(/^\[\^([^\]]+)\]:[ \t]*(.*(?:\n(?:[ \t]+.*|))*)/gm, (_, label: string, note: string) => {
      notes.set(label, note);
      return '';
    });
    const parts = body.split(/:page\[(\d+)\]/);
    for (let i = 1; i < parts.length; i += 2) {
      const page = Number(parts[i]);
      const segment = parts[i + 1] ?? '';
      const called = [...new Set([...segment.matchAll(/\[\^([^\]]+)\]/g)].map((m) => m[1] as string))];
      pages.set(page, {
        page,
        body: plain(segment.replace(/\[\^[^\]]+\]/g, '')),
        notes: called.map((label) => plain(notes.get(label) ?? '')).join(' '),
        shortTitle: chapter.shortTitle ?? chapter.title,
      });
    }
  }
  return pages;
}

function plain(markdown: string): string {
  return markdown
    .replace(/^:::\s*\w*\s*$/gm, '')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/(?<!\\)[*_]+/g, '')
    .replace(/\\(.)/g, '$1')
    .trim();
}

/**
 * What two texts are compared on: no whitespace, no hyphens of any kind (a hyphen the line
 * breaker added at a line end looks like one in the text), no digits and no asterisks
 * (footnote calls and markers, folios), so line breaks and marks do not matter, words do.
 */
export function comparable(text: string): string {
  return text.replace(/[\s\u00AD\u2010\u2011\-\d*]+/g, '');
}

/**
 * A page's words split by where they sit: the top margin (running head), the text area (text
 * and notes), the bottom margin (drop folio). `topMargin` and `bottomMargin` are in points.
 */
export function zones(page: PageWords, topMargin: number, bottomMargin: number): { head: string; text: string; foot: string } {
  const pick = (test: (w: PageWords['words'][number]) => boolean) =>
    page.words
      .filter(test)
      .map((w) => w.text)
      .join(' ');
  return {
    head: pick((w) => w.bottom <= topMargin),
    text: pick((w) => w.bottom > topMargin && w.top < page.height - bottomMargin),
    foot: pick((w) => w.top >= page.height - bottomMargin),
  };
}
