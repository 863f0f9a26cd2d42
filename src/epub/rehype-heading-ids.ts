/**
 * rehype plugin (EPUB): gives every section heading below the chapter title an id, so the
 * table of contents can link to it. Ids a heading already has are kept; new ones are numbered
 * in document order, which is stable for a given manuscript and never clashes with the
 * `page-N` and `fn-…` ids of page markers and notes.
 */
import type { Element, Root } from 'hast';
import type { Plugin } from 'unified';
import { visit } from 'unist-util-visit';

/** Options of `rehypeHeadingIds`. */
export interface Options {
  /** Prefix of the ids made (default `sec-`). */
  prefix?: string;
  /** Heading elements that get ids (default h2 to h6: h1 is the chapter title). */
  headings?: readonly string[];
}

const rehypeHeadingIds: Plugin<[Options?], Root> = (options) => {
  const prefix = options?.prefix ?? 'sec-';
  const headings = new Set(options?.headings ?? ['h2', 'h3', 'h4', 'h5', 'h6']);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(prefix)) throw new TypeError(`rehypeHeadingIds: unexpected prefix \`${prefix}\`, expected a letter then letters, digits, - or _`);
  return (tree: Root) => {
    const taken = new Set<string>();
    visit(tree, 'element', (node: Element) => {
      if (typeof node.properties.id === 'string') taken.add(node.properties.id);
    });
    let count = 0;
    visit(tree, 'element', (node: Element) => {
      if (!headings.has(node.tagName) || (typeof node.properties.id === 'string' && node.properties.id !== '')) return;
      let id: string;
      do {
        count += 1;
        id = `${prefix}${count}`;
      } while (taken.has(id));
      taken.add(id);
      node.properties.id = id;
    });
  };
};

export default rehypeHeadingIds;
