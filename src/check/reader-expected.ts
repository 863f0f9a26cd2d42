/**
 * What a reader should meet in the reading engine, read from the manuscript alone: the first
 * words of every printed page (after its `:page[N]` marker, the page's running text) and, for
 * every footnote call, the words its note begins with, by chapter and printed call mark.
 */
import type { Root, RootContent } from 'mdast';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { printedLabel } from '../html/target.js';
import type { Manuscript } from '../manuscript/index.js';
import type { Originals } from './pages.js';
import { words } from './words.js';

/** How many of a page's (or a note's) first words the engine's screen must begin with. */
export const wordsCompared = 6;

/** What the reader should be shown. */
export interface ReaderExpectations {
  /** The first words of a printed page's running text (notes left out), and the editor's words it may open with. */
  page(page: number): { first: string[]; editorial: string[]; file?: string; line?: number } | undefined;
  /**
   * The first words of the notes a call with mark `mark` on printed page `page` may lead to: one,
   * or one per chapter on a page two chapters share (each may have its note `1`).
   */
  notes(page: number, mark: string): string[][];
}

const parser = unified().use(remarkParse).use(remarkFrontmatter).use(remarkGfm).use(remarkDirective);

/** The words of a node's text, text node by text node, as the check counts them. */
function nodeWords(node: RootContent, out: string[]): void {
  if (node.type === 'text' || node.type === 'inlineCode') out.push(...words(node.value));
  else if (node.type === 'footnoteReference') out.push(printedLabel(node.label ?? node.identifier));
  if ('children' in node) for (const child of node.children as RootContent[]) nodeWords(child, out);
}

/** A chapter's notes by printed call mark (`1`, `*`): the words each note begins with. */
function chapterNotes(markdown: string): Map<string, string[]> {
  const tree = parser.parse(markdown) as Root;
  const notes = new Map<string, string[]>();
  for (const node of tree.children) {
    if (node.type !== 'footnoteDefinition') continue;
    const found: string[] = [];
    for (const child of node.children) nodeWords(child, found);
    notes.set(printedLabel(node.label ?? node.identifier), found.slice(0, wordsCompared));
  }
  return notes;
}

/** Reads what the reader should be shown from the manuscript and its reading by the check. */
export function readerExpectations(manuscript: Manuscript, originals: Originals): ReaderExpectations {
  const notesOf = new Map<string, Map<string, string[]>>();
  for (const chapter of manuscript.chapters) notesOf.set(chapter.path, chapterNotes(chapter.markdown));
  // The chapters that hold a page's markers: a page two chapters share has both.
  const chaptersOf = new Map<number, string[]>();
  for (const o of originals.order) chaptersOf.set(o.page, [...(chaptersOf.get(o.page) ?? []), o.file]);
  return {
    page(page) {
      const m = originals.manuscript.get(page);
      if (!m) return undefined;
      const found: { first: string[]; editorial: string[]; file?: string; line?: number } = { first: (m.body ?? m.words).slice(0, wordsCompared), editorial: m.editorial ?? [] };
      if (m.file !== undefined) found.file = m.file;
      if (m.line !== undefined) found.line = m.line;
      return found;
    },
    notes(page, mark) {
      return (chaptersOf.get(page) ?? []).map((file) => notesOf.get(file)?.get(mark)).filter((n): n is string[] => n !== undefined);
    },
  };
}
