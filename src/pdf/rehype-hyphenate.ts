/**
 * rehype plugin (print): puts soft hyphens into English words, since Chromium on Linux has no
 * hyphenation dictionaries and `hyphens: auto` would do nothing there. Words keep at least
 * `leftMin` letters before and `rightMin` after a break, and words under seven letters are left
 * whole: fewer, better breaks, as Chromium cannot limit consecutive hyphens. Only text under an element whose
 * language is one of `languages` is touched, so the Chinese section stays as it is.
 */
import type { Element, Root, Text } from 'hast';
import { createRequire } from 'node:module';
import type { Plugin } from 'unified';
import { visitParents } from 'unist-util-visit-parents';

/** Options of `rehypeHyphenate`. */
export interface Options {
  /** Language of the tree's root, as the chapter section declares it. */
  lang: string;
  /** Letters kept before a break (default 3). */
  leftMin?: number;
  /** Letters kept after a break (default 3). */
  rightMin?: number;
}

const softHyphen = '\u00AD';

const rehypeHyphenate: Plugin<[Options], Root> = (options) => {
  if (typeof options?.lang !== 'string') throw new TypeError('rehypeHyphenate: expected `lang`, the language of the tree');
  const leftMin = options.leftMin ?? 3;
  const rightMin = options.rightMin ?? 3;
  if (!Number.isInteger(leftMin) || !Number.isInteger(rightMin) || leftMin < 1 || rightMin < 1) {
    throw new TypeError('rehypeHyphenate: `leftMin` and `rightMin` must be positive integers');
  }
  // The patterns are CommonJS; loading them per attachment keeps the plugin free of module state.
  const { hyphenateSync } = createRequire(import.meta.url)('hyphen/en-us') as typeof import('hyphen/en-us');
  const marker = '\u0001';
  const hyphenateWord = (word: string): string => {
    const parts = hyphenateSync(word, { hyphenChar: marker, minWordLength: leftMin + rightMin }).split(marker);
    let out = '';
    let done = 0;
    for (const [index, part] of parts.entries()) {
      out += part;
      done += part.length;
      if (index < parts.length - 1 && done >= leftMin && word.length - done >= rightMin) out += softHyphen;
    }
    return out;
  };
  return (tree: Root) => {
    visitParents(tree, 'text', (node: Text, ancestors) => {
      const lang = [...ancestors].reverse().find((a): a is Element => a.type === 'element' && typeof a.properties.lang === 'string')?.properties.lang;
      const language = typeof lang === 'string' ? lang : options.lang;
      if (!/^en\b/i.test(language)) return;
      // Titles, headings and bylines are set unhyphenated, as the original sets them.
      if (ancestors.some((a) => a.type === 'element' && (/^h[1-6]$/.test(a.tagName) || hasClass(a, 'byline') || hasClass(a, 'subtitle')))) return;
      // Only plain lowercase-led or capitalised words of letters: no numbers, URLs or acronyms.
      node.value = node.value.replace(/\b[A-Za-z][a-z]{6,}\b/g, hyphenateWord);
    });
  };
};

export default rehypeHyphenate;

function hasClass(element: Element, name: string): boolean {
  const list = element.properties.className;
  return Array.isArray(list) && list.includes(name);
}
