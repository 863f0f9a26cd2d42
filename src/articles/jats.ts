/**
 * One article as JATS 1.3 (Journal Archiving and Interchange), made from the chapter's syntax
 * tree: the opening (title, subtitle, byline, author note) becomes `<front>`, headings nest as
 * `<sec>`, footnotes go to `<back>` as an `<fn-group>` called by `<xref ref-type="fn">`, and every
 * printed page break is an empty `<target id="page-N">` where the page begins (see the README).
 */
import type { Paragraph, PhrasingContent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { IssueMeta } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import type { PageMarker } from '../markdown/nodes.js';
import { dateParts, type Article } from './article.js';
import { el, xmlDocument, type XmlChild, type XmlElement } from './xml.js';

/** The public identifier of the JATS 1.3 Archiving DTD: readers that know it need no network. */
export const jatsDoctype =
  '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 20210610//EN" "JATS-archivearticle1-3.dtd">';

/** The id of the `<target>` where printed page `page` begins: the same as the EPUB's page-break ids. */
export function pageTargetId(page: number): string {
  return `page-${page}`;
}

/** The id of a footnote in JATS: XML ids must start with a letter, note labels are numbers. */
export function footnoteId(identifier: string): string {
  return `fn-${identifier.replace(/[^A-Za-z0-9._-]/gu, '-')}`;
}

/** The id the author note has in `<author-notes>`. */
export const authorNoteId = footnoteId('author');

/** What `articleJats` makes: the document and the problems found on the way. */
export interface JatsResult {
  xml: string;
  messages: Message[];
}

/** One block-level writer's state: where lone page markers wait for the next text to begin. */
interface Writer {
  article: Article;
  pending: PageMarker[];
  messages: Message[];
}

function target(marker: PageMarker): XmlElement {
  return el('target', { 'target-type': 'page', id: pageTargetId(marker.page) });
}

function inline(node: PhrasingContent, writer: Writer): XmlChild[] {
  switch (node.type) {
    case 'text':
      return [node.value];
    case 'emphasis':
      return [el('italic', {}, ...inlines(node.children, writer))];
    case 'strong':
      return [el('bold', {}, ...inlines(node.children, writer))];
    case 'inlineCode':
      return [el('monospace', {}, node.value)];
    case 'break':
      // JATS allows <break/> in titles and table cells, not in a paragraph: a line break there reads as a space.
      return [' '];
    case 'link':
      return [el('ext-link', { 'ext-link-type': 'uri', 'xlink:href': node.url }, ...inlines(node.children, writer))];
    case 'pageMarker':
      return [target(node)];
    case 'footnoteReference':
      // The author note is the contributor's (`<author-notes>`), linked from `<contrib>`.
      if (node.identifier === 'author') return [];
      return [el('xref', { 'ref-type': 'fn', rid: footnoteId(node.identifier) }, (node.label ?? node.identifier).replace(/-\d+$/u, ''))];
    default:
      return [toString(node)];
  }
}

function inlines(nodes: readonly PhrasingContent[], writer: Writer): XmlChild[] {
  return nodes.flatMap((node) => inline(node, writer));
}

/** Text that begins a page takes the page's `<target>` first. */
function withPending(children: XmlChild[], writer: Writer): XmlChild[] {
  const waiting = writer.pending.map(target);
  writer.pending = [];
  return [...waiting, ...children];
}

function paragraph(node: Paragraph, writer: Writer): XmlElement {
  return el('p', {}, ...withPending(inlines(node.children, writer), writer));
}

/** A node's text, its table cells apart, so that no two words run together. */
function plainText(node: RootContent): string {
  if (node.type === 'table' || node.type === 'tableRow') return node.children.map(plainText).join(' ');
  return toString(node);
}

function block(node: RootContent, writer: Writer): XmlElement[] {
  switch (node.type) {
    case 'paragraph':
      return [paragraph(node, writer)];
    case 'blockquote':
      return [el('disp-quote', {}, ...node.children.flatMap((child) => block(child, writer)))];
    case 'list':
      return [
        el(
          'list',
          { 'list-type': node.ordered ? 'order' : 'bullet' },
          ...node.children.map((item) => el('list-item', {}, ...item.children.flatMap((child) => block(child, writer)))),
        ),
      ];
    case 'code':
      return [el('preformat', {}, node.value)];
    case 'pageMarker':
      writer.pending.push(node);
      return [];
    default: {
      // What the bundled manuscripts never hold (tables, images, raw HTML) keeps its words.
      const text = plainText(node);
      const place = { file: writer.article.chapter.path, ...(node.position ? { line: node.position.start.line, column: node.position.start.column } : {}) };
      writer.messages.push(message('articles-001', `Unexpected \`${node.type}\` in an article, expected paragraphs, headings, lists or quotes; written to JATS as a plain paragraph`, place));
      return text.trim() === '' ? [] : [el('p', {}, ...withPending([text], writer))];
    }
  }
}

/** The running text: blocks before the first heading, then one `<sec>` per heading, nested by depth. */
function body(writer: Writer): XmlElement {
  const root = el('body');
  const open: { depth: number; sec: XmlElement }[] = [];
  let titleSeen = false;
  for (const node of writer.article.tree.children) {
    if (node.type === 'yaml' || node.type === 'footnoteDefinition' || node.type === 'byline' || node.type === 'subtitle') continue;
    if (node.type === 'heading' && node.depth === 1 && !titleSeen) {
      // The title is the front's `<article-title>`.
      titleSeen = true;
      continue;
    }
    if (node.type === 'heading') {
      while (open.length > 0 && (open[open.length - 1] as { depth: number }).depth >= node.depth) open.pop();
      const sec = el('sec', {}, el('title', {}, ...withPending(inlines(node.children, writer), writer)));
      (open[open.length - 1]?.sec ?? root).children.push(sec);
      open.push({ depth: node.depth, sec });
      continue;
    }
    (open[open.length - 1]?.sec ?? root).children.push(...block(node, writer));
  }
  // A marker after the last text (a page left blank at the end) still marks its page.
  if (writer.pending.length > 0) root.children.push(el('p', {}, ...withPending([], writer)));
  return root;
}

/** The notes, in the order the chapter defines them, each with its printed number as label. */
function back(writer: Writer): XmlElement | undefined {
  const notes = writer.article.tree.children.flatMap((node) => {
    if (node.type !== 'footnoteDefinition' || node.identifier === 'author') return [];
    const label = (node.label ?? node.identifier).replace(/-\d+$/u, '');
    return [el('fn', { id: footnoteId(node.identifier) }, el('label', {}, label), ...node.children.flatMap((child) => block(child, writer)))];
  });
  return notes.length > 0 ? el('back', {}, el('fn-group', {}, ...notes)) : undefined;
}

function journalMeta(issue: IssueMeta): XmlElement {
  return el(
    'journal-meta',
    {},
    el('journal-title-group', {}, el('journal-title', {}, issue.journal)),
    issue.issn !== undefined && el('issn', { 'publication-format': 'print' }, issue.issn),
    issue.publisher !== undefined && el('publisher', {}, el('publisher-name', {}, issue.publisher)),
  );
}

function articleMeta(article: Article, issue: IssueMeta): XmlElement {
  const { chapter } = article;
  const date = dateParts(issue.date);
  const original = article.original;
  return el(
    'article-meta',
    {},
    chapter.doi !== undefined && el('article-id', { 'pub-id-type': 'doi' }, chapter.doi),
    el(
      'title-group',
      {},
      el('article-title', {}, article.title),
      article.subtitle !== undefined && el('subtitle', {}, article.subtitle),
      original !== undefined && el('trans-title-group', { 'xml:lang': original.language }, el('trans-title', {}, original.title)),
    ),
    article.contributors.length > 0 &&
      el(
        'contrib-group',
        {},
        ...article.contributors.map((c) =>
          el(
            'contrib',
            { 'contrib-type': 'author' },
            el('name', { 'name-style': c.style }, el('surname', {}, c.surname), c.given !== undefined && el('given-names', {}, c.given)),
            article.authorNote !== undefined && el('xref', { 'ref-type': 'author-notes', rid: authorNoteId }),
          ),
        ),
      ),
    article.authorNote !== undefined && el('author-notes', {}, el('fn', { id: authorNoteId }, el('p', {}, article.authorNote))),
    date !== undefined &&
      el('pub-date', { 'publication-format': 'print', 'date-type': 'pub', 'iso-8601-date': issue.date }, el('day', {}, date.day), el('month', {}, date.month), el('year', {}, date.year)),
    issue.volume !== undefined && el('volume', {}, issue.volume),
    el('issue', {}, issue.issue),
    el('fpage', {}, String(chapter.firstPage)),
    el('lpage', {}, String(chapter.lastPage)),
  );
}

/** Makes the JATS document of one article. Pure: it reads nothing and writes nothing. */
export function articleJats(article: Article, issue: IssueMeta): JatsResult {
  const writer: Writer = { article, pending: [], messages: [] };
  const front = el('front', {}, journalMeta(issue), articleMeta(article, issue));
  const root = el(
    'article',
    {
      'xmlns:xlink': 'http://www.w3.org/1999/xlink',
      'xmlns:mml': 'http://www.w3.org/1998/Math/MathML',
      'dtd-version': '1.3',
      'article-type': 'research-article',
      'xml:lang': article.chapter.language,
    },
    front,
    body(writer),
    back(writer),
  );
  return { xml: xmlDocument(root, jatsDoctype), messages: writer.messages };
}
