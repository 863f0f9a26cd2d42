/**
 * Where each element Folio writes into JATS may stand, taken from the JATS 1.3 Journal
 * Archiving and Interchange tag library (the "Content Model" and "Contained by" of each
 * element). Debian packages no JATS DTD (`apt-cache search jats` finds none) and a build must
 * not fetch one, so the files are checked against this table: the elements we emit, what each
 * may contain, in which order. It is a subset of the tag set, not the DTD: an element not in
 * the table is reported, so the table grows with the writer.
 */
import type { Element } from '@xmldom/xmldom';

/**
 * One element's content model: its children in groups that must come in the order given (an
 * element of group 2 never before one of group 1; within a group any order and any number),
 * and whether text may stand between them (mixed content).
 */
export interface ContentModel {
  order: readonly (readonly string[])[];
  text: boolean;
}

const inline = ['italic', 'bold', 'monospace', 'xref', 'target', 'ext-link'];
const paraLevel = ['p', 'disp-quote', 'list', 'preformat'];

/** The content models of the elements Folio writes, from the JATS 1.3 Archiving tag library. */
export const jatsNesting: Readonly<Record<string, ContentModel>> = {
  article: { order: [['front'], ['body'], ['back']], text: false },
  front: { order: [['journal-meta'], ['article-meta']], text: false },
  'journal-meta': { order: [['journal-title-group'], ['issn'], ['publisher']], text: false },
  'journal-title-group': { order: [['journal-title']], text: false },
  'journal-title': { order: [inline], text: true },
  issn: { order: [], text: true },
  publisher: { order: [['publisher-name']], text: false },
  'publisher-name': { order: [], text: true },
  // article-id*, title-group, contrib-group*, author-notes?, pub-date*, volume*, issue*, fpage, lpage
  'article-meta': { order: [['article-id'], ['title-group'], ['contrib-group'], ['author-notes'], ['pub-date'], ['volume'], ['issue'], ['fpage'], ['lpage']], text: false },
  'article-id': { order: [], text: true },
  'title-group': { order: [['article-title'], ['subtitle'], ['trans-title-group']], text: false },
  'article-title': { order: [inline], text: true },
  subtitle: { order: [inline], text: true },
  'trans-title-group': { order: [['trans-title']], text: false },
  'trans-title': { order: [inline], text: true },
  'contrib-group': { order: [['contrib']], text: false },
  contrib: { order: [['name', 'xref']], text: false },
  name: { order: [['surname'], ['given-names']], text: false },
  surname: { order: [], text: true },
  'given-names': { order: [], text: true },
  'author-notes': { order: [['label'], ['fn', 'p']], text: false },
  fn: { order: [['label'], paraLevel], text: false },
  label: { order: [], text: true },
  'pub-date': { order: [['day'], ['month'], ['year']], text: false },
  day: { order: [], text: true },
  month: { order: [], text: true },
  year: { order: [], text: true },
  volume: { order: [], text: true },
  issue: { order: [], text: true },
  fpage: { order: [], text: true },
  lpage: { order: [], text: true },
  body: { order: [paraLevel, ['sec']], text: false },
  sec: { order: [['label'], ['title'], paraLevel, ['sec']], text: false },
  title: { order: [inline], text: true },
  p: { order: [inline], text: true },
  italic: { order: [inline], text: true },
  bold: { order: [inline], text: true },
  monospace: { order: [inline], text: true },
  'ext-link': { order: [inline], text: true },
  xref: { order: [inline], text: true },
  target: { order: [], text: true },
  'disp-quote': { order: [paraLevel], text: false },
  list: { order: [['list-item']], text: false },
  'list-item': { order: [paraLevel], text: false },
  preformat: { order: [], text: true },
  back: { order: [['fn-group']], text: false },
  'fn-group': { order: [['label'], ['fn']], text: false },
};

/** One element out of place: its path from the root and what is wrong. */
export interface NestingProblem {
  path: string;
  reason: string;
  line?: number;
  column?: number;
}

function where(node: Element): { line?: number; column?: number } {
  return { ...(node.lineNumber !== undefined && node.lineNumber !== null ? { line: node.lineNumber } : {}), ...(node.columnNumber !== undefined && node.columnNumber !== null ? { column: node.columnNumber } : {}) };
}

/**
 * Checks every element under `root` against the table: known, holding only children its model
 * names, in its order, and text only where its content is mixed.
 */
export function checkNesting(root: Element, table: Readonly<Record<string, ContentModel>> = jatsNesting): NestingProblem[] {
  const problems: NestingProblem[] = [];
  const walk = (node: Element, path: string): void => {
    const model = table[node.tagName];
    if (!model) {
      problems.push({ path, reason: `Unexpected element \`${node.tagName}\`, expected one of the elements the JATS nesting table lists`, ...where(node) });
      return;
    }
    let group = 0;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3 && !model.text && (child.nodeValue ?? '').trim() !== '') {
        problems.push({ path, reason: `Unexpected text in \`${node.tagName}\`, expected only elements there`, ...where(node) });
      }
      if (child.nodeType !== 1) continue;
      const element = child as Element;
      const at = model.order.findIndex((names) => names.includes(element.tagName));
      const childPath = `${path}/${element.tagName}`;
      if (at < 0) problems.push({ path: childPath, reason: `Unexpected \`${element.tagName}\` inside \`${node.tagName}\`, expected ${model.order.flat().map((n) => `\`${n}\``).join(', ') || 'no element'}`, ...where(element) });
      else if (at < group) problems.push({ path: childPath, reason: `Unexpected \`${element.tagName}\` after \`${model.order[group]?.join('`/`')}\` inside \`${node.tagName}\`, expected it before`, ...where(element) });
      else group = at;
      walk(element, childPath);
    }
  };
  walk(root, `/${root.tagName}`);
  return problems;
}
