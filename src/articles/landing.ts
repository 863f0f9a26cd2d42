/**
 * The landing page of one article: a static HTML page with the Google Scholar tags (Highwire
 * Press `citation_*` meta tags) in its head and, for a person, the title, authors, pages and
 * the opening paragraph, with links to the offprint PDF and the article's EPUB. Made as a hast tree and serialised by
 * hast-util-to-html, so every value is escaped by the serialiser.
 */
import type { Element, ElementContent, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { IssueMeta } from '../manuscript/index.js';
import { dateParts, type Article } from './article.js';

/** Options of `articleLanding`. */
export interface LandingOptions {
  /** Link the JATS file beside the page (`<slug>.jats.xml`), when it is written. */
  jats: boolean;
  /** Link the offprint beside the page (`<slug>.pdf`, also `citation_pdf_url`) unless it is turned off (default true). */
  pdf?: boolean;
  /** Link the article's EPUB beside the page (`<slug>.epub`) unless it is turned off (default true). */
  epub?: boolean;
}

function h(tagName: string, properties: Element['properties'], ...children: Array<ElementContent | string | undefined | false>): Element {
  const content: ElementContent[] = [];
  for (const child of children) {
    if (child === undefined || child === false) continue;
    content.push(typeof child === 'string' ? { type: 'text', value: child } : child);
  }
  return { type: 'element', tagName, properties, children: content };
}

function meta(name: string, content: string): Element {
  return h('meta', { name, content });
}

/** A page range as printed: `pp. 1–12`, `p. 167`. */
export function pageRange(first: number, last: number): string {
  return first === last ? `p. ${first}` : `pp. ${first}–${last}`;
}

/** The address of a file beside the page: absolute when the issue says where its articles are served. */
function addressOf(issue: IssueMeta, file: string): string {
  return `${issue.articlesUrl ?? ''}${file}`;
}

/**
 * The Google Scholar tags of an article, in the order its inclusion guidelines list them. Authors
 * are written `Surname, Given` (Han names as written), which says which name is the family name
 * whatever the order the byline prints.
 */
export function scholarTags(article: Article, issue: IssueMeta, options: { pdf?: boolean } = {}): Array<[string, string]> {
  const { chapter } = article;
  const date = dateParts(issue.date);
  const tags: Array<[string, string]> = [['citation_title', article.title]];
  // A name in Han script is family name first as written, and needs no comma to say so.
  for (const c of article.contributors) tags.push(['citation_author', c.given === undefined || /\p{Script=Han}/u.test(c.name) ? c.name.replace(/\s+/gu, '') : `${c.surname}, ${c.given}`]);
  if (date) tags.push(['citation_publication_date', `${date.year}/${date.month}/${date.day}`]);
  tags.push(['citation_journal_title', issue.journal]);
  if (issue.publisher !== undefined) tags.push(['citation_publisher', issue.publisher]);
  if (issue.issn !== undefined) tags.push(['citation_issn', issue.issn]);
  if (issue.volume !== undefined) tags.push(['citation_volume', issue.volume]);
  tags.push(['citation_issue', issue.issue]);
  tags.push(['citation_firstpage', String(chapter.firstPage)]);
  tags.push(['citation_lastpage', String(chapter.lastPage)]);
  if (options.pdf !== false) tags.push(['citation_pdf_url', addressOf(issue, `${chapter.slug}.pdf`)]);
  tags.push(['citation_language', chapter.language]);
  if (chapter.doi !== undefined) tags.push(['citation_doi', chapter.doi]);
  return tags;
}

/** Makes the landing page of one article. Pure: it reads nothing and writes nothing. */
export function articleLanding(article: Article, issue: IssueMeta, options: LandingOptions): string {
  const { chapter } = article;
  const names = article.contributors.map((c) => c.name);
  const zh = chapter.language.startsWith('zh');
  const where = `${issue.journal}, ${issue.volume !== undefined ? `vol. ${issue.volume}, ` : ''}${issue.issue}, ${pageRange(chapter.firstPage, chapter.lastPage)}`;
  const head = h(
    'head',
    {},
    h('meta', { charSet: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('title', {}, article.title),
    ...scholarTags(article, issue, options).map(([name, content]) => meta(name, content)),
    options.jats && h('link', { rel: ['alternate'], type: 'application/jats+xml', href: `${chapter.slug}.jats.xml` }),
    options.epub !== false && h('link', { rel: ['alternate'], type: 'application/epub+zip', href: `${chapter.slug}.epub` }),
    h('style', {}, 'body{max-width:40em;margin:2em auto;padding:0 1em;font-family:serif;line-height:1.5}.meta{color:#444}'),
  );
  const body = h(
    'body',
    {},
    h(
      'main',
      {},
      h(
        'article',
        {},
        h('h1', {}, article.title),
        article.subtitle !== undefined && h('p', { className: ['subtitle'] }, article.subtitle),
        names.length > 0 && h('p', { className: ['byline'] }, names.join(zh ? '、' : ', ')),
        article.authorNote !== undefined && h('p', { className: ['author-note'] }, article.authorNote),
        h('p', { className: ['meta'] }, where, chapter.doi !== undefined && ` · doi:${chapter.doi}`),
        article.firstParagraph !== undefined && h('p', { className: ['abstract'] }, article.firstParagraph),
        (options.pdf !== false || options.epub !== false) &&
          h(
            'p',
            { className: ['full-text'] },
            options.pdf !== false && h('a', { href: `${chapter.slug}.pdf`, type: 'application/pdf' }, zh ? '全文 PDF' : 'Full text (PDF)'),
            options.pdf !== false && options.epub !== false && ' · ',
            options.epub !== false && h('a', { href: `${chapter.slug}.epub`, type: 'application/epub+zip' }, zh ? '全文 EPUB' : 'Full text (EPUB)'),
          ),
      ),
    ),
  );
  const tree: Root = { type: 'root', children: [{ type: 'doctype' }, h('html', { lang: chapter.language }, head, body)] };
  return `${toHtml(tree)}\n`;
}
