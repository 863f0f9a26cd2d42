/**
 * The text of every printed page, read two ways: from the raw source (the import report says
 * where each page starts) and from the manuscript (between `:page[N]` and the next marker,
 * footnote bodies counted on the page that calls them).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Root, RootContent } from 'mdast';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { findFolioBlocks } from '../import/folio-blocks.js';
import { readSource } from '../import/source.js';
import type { Chapter, Manuscript } from '../manuscript/index.js';
import { words } from './words.js';

/** Words of each printed page, in reading order, with the chapter file that holds them. */
export interface PageText {
  page: number;
  words: string[];
  /** The page's running text alone, footnote bodies left out: where its first and last words are read. */
  body?: string[];
  /** Labels of the footnotes called on the page (`1`, `2`; the author note's `author` left out). */
  calls?: string[];
  /** Words an editor supplied (a title the source lacks): printed on the page, absent from the source. */
  editorial?: string[];
  /** Manuscript file and line of the page marker, where known. */
  file?: string;
  line?: number;
}

const parser = unified().use(remarkParse).use(remarkFrontmatter).use(remarkGfm).use(remarkDirective);

/** The number printed for a note: a label repeated within a chapter carries a `-2` suffix. */
export function printedNumber(label: string): string {
  return label.replace(/-\d+$/u, '');
}

/**
 * A chapter's text from one page marker to the next, as the chapter alone reads it: the words,
 * the running text's words, the footnote calls and the editor's words, with the marker's line.
 */
export interface PageStretch {
  page: number;
  line: number;
  words: string[];
  body: string[];
  calls: string[];
  editorial: string[];
}

/** Reads one chapter into its stretches, in order. Text before the chapter's first marker is on no page. */
export function chapterStretches(chapter: Chapter): PageStretch[] {
  const stretches: PageStretch[] = [];
  const tree = parser.parse(chapter.markdown) as Root;
  const definitions = new Map<string, RootContent>();
  for (const node of tree.children) if (node.type === 'footnoteDefinition') definitions.set(node.identifier, node);
  let current: PageStretch | undefined;
  const counted = new Set<string>();
  let silent = false;
  let inNote = false;
  const add = (text: string): void => {
    if (current && silent) current.editorial.push(...words(text));
    if (!current || silent) return;
    const found = words(text);
    current.words.push(...found);
    if (!inNote) current.body.push(...found);
  };
  const walk = (node: RootContent | Root): void => {
    if (node.type === 'yaml' || node.type === 'footnoteDefinition') return;
    if (node.type === 'textDirective' && node.name === 'page') {
      const label = node.children.map((c) => ('value' in c ? c.value : '')).join('');
      current = { page: Number(label), line: node.position?.start.line ?? 0, words: [], body: [], calls: [], editorial: [] };
      stretches.push(current);
      return;
    }
    if (node.type === 'heading' && node.depth === 1 && (chapter.titleSource === 'editor' || chapter.titleSource === 'supplied')) {
      // A title the editor supplied is not in the source; its footnote calls still count.
      silent = true;
      for (const child of node.children) walk(child);
      silent = false;
      return;
    }
    if (node.type === 'footnoteReference') {
      if (node.identifier !== 'author') {
        add(printedNumber(node.label ?? node.identifier));
        if (current && !silent) current.calls.push(printedNumber(node.label ?? node.identifier));
      }
      const definition = definitions.get(node.identifier);
      if (definition && !counted.has(node.identifier)) {
        counted.add(node.identifier);
        // The note's body belongs to the page of its call; read it there, after the call.
        const saved = silent;
        silent = false;
        inNote = true;
        // A printed note starts with its number, as its call does.
        if (node.identifier !== 'author') add(printedNumber(node.label ?? node.identifier));
        if ('children' in definition) for (const child of definition.children) walk(child as RootContent);
        inNote = false;
        silent = saved;
      }
      return;
    }
    if (node.type === 'text' || node.type === 'inlineCode') add(node.value);
    if ('children' in node) for (const child of node.children as RootContent[]) walk(child);
  };
  walk(tree);
  return stretches;
}

/**
 * Reads the pages of a manuscript: each chapter's stretches (`stretchesOf`, by default read
 * from the chapter; the check may pass ones it kept), a page's stretches joined in reading
 * order, the page placed at its first marker. Markers out of order or repeated are reported
 * by the caller.
 */
export function manuscriptPages(manuscript: Manuscript, stretchesOf: (chapter: Chapter) => PageStretch[] = chapterStretches): { pages: Map<number, PageText>; order: { page: number; file: string; line: number }[] } {
  const pages = new Map<number, PageText>();
  const order: { page: number; file: string; line: number }[] = [];
  for (const chapter of manuscript.chapters) {
    for (const stretch of stretchesOf(chapter)) {
      order.push({ page: stretch.page, file: chapter.path, line: stretch.line });
      const page = pages.get(stretch.page);
      if (!page) {
        pages.set(stretch.page, { page: stretch.page, words: [...stretch.words], body: [...stretch.body], calls: [...stretch.calls], editorial: [...stretch.editorial], file: chapter.path, line: stretch.line });
        continue;
      }
      page.words.push(...stretch.words);
      (page.body ??= []).push(...stretch.body);
      (page.calls ??= []).push(...stretch.calls);
      (page.editorial ??= []).push(...stretch.editorial);
    }
  }
  return { pages, order };
}

/** Reads the pages of the raw source, using the page starts the import report records. */
export async function sourcePages(
  sourceFile: string,
  report: { pages: { page: number; startLine: number; endLine: number; textEnd?: number }[] },
): Promise<{ pages: Map<number, PageText>; folios: { folio: number; line: number }[] }> {
  const { lines } = readSource(await readFile(sourceFile), sourceFile);
  const blocks = findFolioBlocks(lines);
  const furniture = new Set<number>();
  for (const b of blocks) for (let i = b.first; i <= b.last; i += 1) furniture.add(i);
  const pages = new Map<number, PageText>();
  // A word broken at a hyphen across a page break (`China-` / `EU`) belongs wholly to the next
  // page, where the manuscript puts its page marker (before the whole word).
  let carried = '';
  for (const p of report.pages) {
    const text: string[] = [carried];
    carried = '';
    // The line where the page's running text ends: from the import report, else the last line.
    let last = -1;
    for (let n = p.startLine; n <= p.endLine; n += 1) {
      const i = n - 1;
      if (furniture.has(i)) continue;
      // The author note's mark `*` is a call, not a word; everything else is page text.
      text.push(lines[i]?.text ?? '');
      if (p.textEnd === undefined ? (lines[i]?.text ?? '').trim() !== '' : n === p.textEnd) last = text.length - 1;
    }
    const broken = last > 0 ? /(?<=^|\s)(\S*[^\s-]-)\s*$/u.exec(text[last] ?? '') : null;
    if (broken?.[1] && p !== report.pages[report.pages.length - 1]) {
      carried = broken[1];
      text[last] = (text[last] ?? '').slice(0, broken.index);
    }
    pages.set(p.page, { page: p.page, words: words(text.join('\n')), file: sourceFile, line: p.startLine });
  }
  return { pages, folios: blocks.map((b) => ({ folio: b.folio, line: lines[b.folioIndex]?.n ?? 0 })) };
}

/** Resolves the source file a manuscript names in issue.yaml. */
export function manuscriptSource(manuscript: Manuscript): string | undefined {
  return manuscript.issue.source ? path.resolve(manuscript.dir, manuscript.issue.source) : undefined;
}
