/**
 * rehype plugin (print): tells every text block which printed page it belongs to
 * (`data-folio`), following the page starts that `rehypePageBreakBlocks` marked, and gives the
 * blocks of a copyfitted page their level (`data-fit`). Footnotes are marked too, as Paged.js
 * moves them out of their paragraph. These attributes let the browser see which printed page
 * spills over, and let CSS tighten exactly one page.
 */
import type { Element, Root } from 'hast';
import type { Plugin } from 'unified';
import { visitParents } from 'unist-util-visit-parents';

/** Options of `rehypeFolioBlocks`. */
export interface Options {
  /** Copyfit level per printed page; pages not listed are set as designed. */
  fit?: ReadonlyMap<number, number>;
  /** The folio in force before the tree's first page start (a chapter that opens mid-page). */
  initialFolio?: number;
}

const blocks = new Set(['p', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'dt', 'dd', 'pre', 'table', 'figure', 'aside', 'blockquote', 'div', 'hr']);

const rehypeFolioBlocks: Plugin<[Options?], Root> = (options) => {
  const fit = options?.fit ?? new Map<number, number>();
  if (!(fit instanceof Map)) throw new TypeError('rehypeFolioBlocks: `fit` must be a Map of page to level');
  return (tree: Root) => {
    let folio = options?.initialFolio;
    visitParents(tree, 'element', (node: Element, ancestors) => {
      const start = node.properties.dataFolioStart;
      if (start !== undefined) folio = Number(start);
      if (folio === undefined) return;
      const isNote = node.tagName === 'span' && Array.isArray(node.properties.className) && node.properties.className.includes('footnote');
      const insideBlock = ancestors.some((a) => a.type === 'element' && a.properties.dataFolio !== undefined && !isNoteElement(a));
      if (!isNote && (!blocks.has(node.tagName) || insideBlock || hasBlockChild(node))) return;
      node.properties.dataFolio = String(folio);
      const level = fit.get(folio);
      if (level) node.properties.dataFit = String(level);
    });
  };
};

export default rehypeFolioBlocks;

function isNoteElement(node: Element): boolean {
  return Array.isArray(node.properties.className) && node.properties.className.includes('footnote');
}

/** A container of blocks (a list, a byline of paragraphs) is not itself a text block. */
function hasBlockChild(node: Element): boolean {
  return node.children.some((child) => child.type === 'element' && blocks.has(child.tagName));
}
