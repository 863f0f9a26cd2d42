/**
 * The text of a PDF, page by page and line by line with positions, as poppler's `pdftotext
 * -bbox-layout` reads it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One word with its box, in PDF points from the top-left corner. */
export interface PdfWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** One line as pdftotext groups it, in its reading order. */
export interface PdfLine {
  words: PdfWord[];
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** One page of the PDF. */
export interface PdfPage {
  /** 1-based index of the page in the PDF. */
  index: number;
  width: number;
  height: number;
  lines: PdfLine[];
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return entities[name] ?? whole;
  });
}

const attribute = /(xMin|yMin|xMax|yMax)="([^"]*)"/g;
/** The attributes as pdftotext writes them, in this order and nothing else. */
const pdftotextBox = /^xMin="([^"]*)" yMin="([^"]*)" xMax="([^"]*)" yMax="([^"]*)"$/;

/** The box of a line or word: its four coordinates, each the first of its name. */
function box(attrs: string): { xMin: number; yMin: number; xMax: number; yMax: number } {
  const usual = pdftotextBox.exec(attrs);
  if (usual) return { xMin: Number(usual[1]), yMin: Number(usual[2]), xMax: Number(usual[3]), yMax: Number(usual[4]) };
  const found: Partial<Record<string, number>> = {};
  for (const m of attrs.matchAll(attribute)) found[m[1] ?? ''] ??= Number(m[2]);
  return { xMin: found.xMin ?? Number.NaN, yMin: found.yMin ?? Number.NaN, xMax: found.xMax ?? Number.NaN, yMax: found.yMax ?? Number.NaN };
}

/** Parses the XHTML `pdftotext -bbox-layout` writes. */
export function parseBboxLayout(xhtml: string): PdfPage[] {
  const pages: PdfPage[] = [];
  const tag = /<page width="([^"]*)" height="([^"]*)">|<\/page>|<line ([^>]*)>|<\/line>|<word ([^>]*)>([^<]*)<\/word>/g;
  let page: PdfPage | undefined;
  let line: PdfLine | undefined;
  for (const m of xhtml.matchAll(tag)) {
    if (m[1] !== undefined) {
      page = { index: pages.length + 1, width: Number(m[1]), height: Number(m[2]), lines: [] };
      pages.push(page);
    } else if (m[3] !== undefined) {
      line = { words: [], ...box(m[3]) };
      page?.lines.push(line);
    } else if (m[4] !== undefined) {
      line?.words.push({ text: unescapeXml(m[5] ?? ''), ...box(m[4]) });
    } else if (m[0] === '</line>') {
      line = undefined;
    } else {
      page = undefined;
    }
  }
  return pages;
}

/** Reads the text of every page of a PDF with pdftotext (poppler-utils); `signal` stops it. */
export async function readPdfText(file: string, signal?: AbortSignal): Promise<PdfPage[]> {
  const { stdout } = await run('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 1 << 30, encoding: 'utf8', ...(signal ? { signal } : {}) });
  return parseBboxLayout(stdout);
}
