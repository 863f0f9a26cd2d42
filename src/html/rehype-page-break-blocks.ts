/**
 * rehype plugin (print): makes every page marker start a block that Paged.js breaks before,
 * so PDF page N holds printed page N. A marker at a block's start marks that block; a marker
 * between blocks moves into the next block; a marker in mid-paragraph splits the paragraph
 * there: the first part (`page-end`) has its last line justified like a full line, the second
 * (`continued`) has no indent. The marker attribute is `data-folio-start`, not an inline style
 * (Paged.js 0.4.3 ignores break-before on elements with a style attribute) and not `data-page`
 * (Paged.js owns it).
 */
import type { Element, ElementContent, Parent, Root, RootContent } from 'hast';
import { toString } from 'hast-util-to-string';
import type { Plugin } from 'unified';
import { visitParents } from 'unist-util-visit-parents';

/** Options of `rehypePageBreakBlocks`. */
export interface Options {
  /** Elements that a mid-block marker splits (default: paragraphs, list items, headings, cells). */
  splittable?: readonly string[];
}

const defaultSplittable = ['p', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'dd', 'dt', 'td', 'th', 'figcaption', 'pre'];

const rehypePageBreakBlocks: Plugin<[Options?], Root> = (options) => {
  const splittable = new Set(options?.splittable ?? defaultSplittable);
  if ([...splittable].some((name) => typeof name !== 'string')) {
    throw new TypeError('rehypePageBreakBlocks: `splittable` must be a list of tag names');
  }
  return (tree: Root) => {
    const found: Array<{ marker: Element; ancestors: Parent[] }> = [];
    visitParents(tree, 'element', (node, ancestors) => {
      if (isPageMarker(node)) found.push({ marker: node, ancestors: [...ancestors] });
    });
    // Last marker first: splitting keeps the earlier part in the original element, so the
    // ancestor chains of earlier markers stay valid.
    for (const { marker, ancestors } of found.reverse()) {
      const page = String(marker.properties.ariaLabel);
      // The source line travels with the page start so a PDF problem can name a line.
      const line = marker.position?.start.line;
      const blockIndex = findLastIndex(ancestors, (a) => a.type === 'element' && splittable.has((a as Element).tagName));
      if (blockIndex === -1) {
        markNextBlock(marker, ancestors.at(-1), page, line);
        continue;
      }
      const block = ancestors[blockIndex] as Element;
      const chain = [...ancestors.slice(blockIndex), marker] as Array<Parent | Element>;
      if (textBefore(chain).trim() === '') {
        markStart(block, page, line);
        continue;
      }
      const after = splitAt(chain);
      addClass(block, 'page-end');
      addClass(after, 'continued');
      markStart(after, page, line);
      const container = ancestors[blockIndex - 1];
      if (container) container.children.splice(container.children.indexOf(block as RootContent & ElementContent) + 1, 0, after as RootContent & ElementContent);
    }
  };
};

export default rehypePageBreakBlocks;

function isPageMarker(node: Element): boolean {
  return node.tagName === 'span' && node.properties.role === 'doc-pagebreak' && node.properties.ariaLabel !== undefined;
}

/** A marker between blocks: it moves into the next element, which starts the page. */
function markNextBlock(marker: Element, parent: Parent | undefined, page: string, line: number | undefined): void {
  if (!parent) return;
  const index = parent.children.indexOf(marker);
  const next = parent.children.slice(index + 1).find((child): child is Element => child.type === 'element' && !isPageMarker(child));
  if (!next) {
    markStart(marker, page, line);
    return;
  }
  parent.children.splice(index, 1);
  next.children.unshift(marker);
  markStart(next, page, line);
}

function markStart(element: Element, page: string, line: number | undefined): void {
  element.properties.dataFolioStart = page;
  if (line !== undefined) element.properties.dataSourceLine = String(line);
}

/** The text of the block that comes before the marker. */
function textBefore(chain: Array<Parent | Element>): string {
  let text = '';
  for (let depth = 0; depth < chain.length - 1; depth += 1) {
    const parent = chain[depth] as Parent;
    const child = chain[depth + 1] as ElementContent;
    const index = parent.children.indexOf(child as RootContent & ElementContent);
    text += parent.children.slice(0, index).map((node) => toString(node as Element)).join('');
  }
  return text;
}

/**
 * Splits the block `chain[0]` before the marker `chain.at(-1)`: the block keeps what comes
 * before, and the returned copy (same tags, no ids) holds the marker and what follows.
 */
function splitAt(chain: Array<Parent | Element>): Element {
  let tail: ElementContent | undefined;
  for (let depth = chain.length - 2; depth >= 0; depth -= 1) {
    const parent = chain[depth] as Element;
    const child = chain[depth + 1] as ElementContent;
    const index = parent.children.indexOf(child);
    const rest = parent.children.slice(index + 1);
    const properties = { ...parent.properties };
    delete properties.id;
    const copy: Element = {
      type: 'element',
      tagName: parent.tagName,
      properties,
      children: tail === undefined ? [child, ...rest] : [tail, ...rest],
    };
    parent.children = parent.children.slice(0, tail === undefined ? index : index + 1);
    tail = copy;
  }
  return tail as Element;
}

function addClass(element: Element, name: string): void {
  const current = element.properties.className;
  const list = Array.isArray(current) ? current.map(String) : typeof current === 'string' ? String(current).split(' ') : [];
  if (!list.includes(name)) list.push(name);
  element.properties.className = list;
}

function findLastIndex<T>(list: readonly T[], test: (item: T) => boolean): number {
  for (let index = list.length - 1; index >= 0; index -= 1) if (test(list[index] as T)) return index;
  return -1;
}
