/**
 * The Crossref deposit of an issue (schema 5.3.1): one `doi_batch` with the journal, the issue
 * and one `journal_article` per article. Crossref takes an article only with its `doi_data` (a
 * DOI and the address it resolves to), so a deposit is depositable only when every article has
 * a DOI, the issue names its depositor, ISSN and web address; what is missing is said, never
 * invented.
 */
import type { IssueMeta } from '../manuscript/index.js';
import { dateParts, type Article } from './article.js';
import { el, xmlDocument, type XmlElement } from './xml.js';

/** The namespace of Crossref's deposit schema 5.3.1. */
export const crossrefNamespace = 'http://www.crossref.org/schema/5.3.1';

/** What `issueCrossref` makes: the document, and why it cannot be deposited (empty when it can). */
export interface CrossrefResult {
  xml: string;
  /** Each thing the deposit lacks, in words: `no \`doi\` for 2 of the 12 articles (slug, slug)`. Empty: depositable. */
  missing: string[];
}

/** Options of `issueCrossref`. */
export interface CrossrefOptions {
  /** The deposit's `doi_batch_id`: unique per deposit. */
  batchId: string;
  /** When the deposit is made: Crossref keeps the deposit with the latest timestamp. */
  depositedAt: Date;
}

/**
 * When a deposit is made: at SOURCE_DATE_EPOCH (seconds, as `sourceDateEpoch` reads it) when
 * set, so that a rebuild of the same manuscript writes the same bytes, else now.
 */
export function depositTime(epoch: number | undefined, now: () => Date = () => new Date()): Date {
  return epoch !== undefined ? new Date(epoch * 1000) : now();
}

/** Crossref's timestamp: the UTC time as digits, yyyyMMddHHmmss, which grows with each deposit. */
export function crossrefTimestamp(at: Date): string {
  return at.toISOString().replace(/\D/gu, '').slice(0, 14);
}

/** Crossref wants ISO 639-1 language codes: `zh`, not `zh-Hans`. */
function crossrefLanguage(tag: string): string {
  return tag.split('-')[0] ?? tag;
}

function publicationDate(issue: IssueMeta): XmlElement | undefined {
  const date = dateParts(issue.date);
  // Crossref's order is month, day, year.
  return date && el('publication_date', { media_type: 'print' }, el('month', {}, date.month), el('day', {}, date.day), el('year', {}, date.year));
}

function doiData(doi: string | undefined, resource: string | undefined): XmlElement | undefined {
  return doi !== undefined && resource !== undefined ? el('doi_data', {}, el('doi', {}, doi), el('resource', {}, resource)) : undefined;
}

function journalArticle(article: Article, issue: IssueMeta): XmlElement {
  const { chapter } = article;
  const original = article.original;
  const resource = issue.articlesUrl !== undefined ? `${issue.articlesUrl}${chapter.slug}.html` : undefined;
  return el(
    'journal_article',
    { publication_type: 'full_text', language: crossrefLanguage(chapter.language) },
    el(
      'titles',
      {},
      el('title', {}, article.title),
      article.subtitle !== undefined && el('subtitle', {}, article.subtitle),
      original !== undefined && el('original_language_title', { language: crossrefLanguage(original.language) }, original.title),
    ),
    article.contributors.length > 0 &&
      el(
        'contributors',
        {},
        ...article.contributors.map((c, k) =>
          el('person_name', { sequence: k === 0 ? 'first' : 'additional', contributor_role: 'author' }, c.given !== undefined && el('given_name', {}, c.given), el('surname', {}, c.surname)),
        ),
      ),
    publicationDate(issue),
    el('pages', {}, el('first_page', {}, String(chapter.firstPage)), el('last_page', {}, String(chapter.lastPage))),
    // A translation says so when both DOIs are known (Crossref's relations program).
    original?.doi !== undefined &&
      chapter.doi !== undefined &&
      el(
        'rel:program',
        { 'xmlns:rel': 'http://www.crossref.org/relations.xsd' },
        el('rel:related_item', {}, el('rel:intra_work_relation', { 'relationship-type': 'isTranslationOf', 'identifier-type': 'doi' }, original.doi)),
      ),
    doiData(chapter.doi, resource),
  );
}

/** What keeps the deposit from being accepted, each in words a person can act on. */
function missingForDeposit(articles: readonly Article[], issue: IssueMeta): string[] {
  const missing: string[] = [];
  if (issue.depositor === undefined) missing.push('no `depositor` (name and e-mail) in issue.yaml');
  if (issue.issn === undefined) missing.push('no `issn` for the journal');
  if (issue.date === undefined) missing.push('no issue `date`');
  if (issue.articlesUrl === undefined) missing.push('no `articlesUrl` for the DOIs to resolve to');
  const without = articles.filter((a) => a.chapter.doi === undefined).map((a) => a.chapter.slug);
  if (without.length > 0) missing.push(`no \`doi\` for ${without.length === articles.length ? (articles.length === 1 ? 'the article' : `any of the ${articles.length} articles`) : `${without.length} of the ${articles.length} articles`} (${without.join(', ')})`);
  return missing;
}

/** Makes the Crossref deposit of the issue's articles. Pure: it reads nothing and writes nothing. */
export function issueCrossref(articles: readonly Article[], issue: IssueMeta, options: CrossrefOptions): CrossrefResult {
  const depositor = issue.depositor;
  const registrant = depositor?.registrant ?? issue.publisher;
  const head = el(
    'head',
    {},
    el('doi_batch_id', {}, options.batchId),
    el('timestamp', {}, crossrefTimestamp(options.depositedAt)),
    depositor !== undefined && el('depositor', {}, el('depositor_name', {}, depositor.name), el('email_address', {}, depositor.email)),
    registrant !== undefined && el('registrant', {}, registrant),
  );
  const journal = el(
    'journal',
    {},
    el(
      'journal_metadata',
      { language: crossrefLanguage(issue.languages[0] ?? 'en') },
      el('full_title', {}, issue.journal),
      issue.issn !== undefined && el('issn', { media_type: 'print' }, issue.issn),
    ),
    el(
      'journal_issue',
      {},
      publicationDate(issue),
      issue.volume !== undefined && el('journal_volume', {}, el('volume', {}, issue.volume)),
      el('issue', {}, issue.issue),
      doiData(issue.doi, issue.articlesUrl),
    ),
    ...articles.map((article) => journalArticle(article, issue)),
  );
  const root = el(
    'doi_batch',
    {
      xmlns: crossrefNamespace,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      version: '5.3.1',
      'xsi:schemaLocation': `${crossrefNamespace} https://www.crossref.org/schemas/crossref5.3.1.xsd`,
    },
    head,
    el('body', {}, journal),
  );
  return { xml: xmlDocument(root), missing: missingForDeposit(articles, issue) };
}
