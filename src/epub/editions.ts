/**
 * EPUB editions by language: beside the bilingual book of an issue, one book per language,
 * made by the same `buildEpub` from the manuscript of that language's chapters. Each has its
 * own title, identifier, navigation in its language and page-list, and names the other books
 * in a note at its front and in `dc:relation` (a reading system cannot follow a link from one
 * EPUB file into another, so the note gives file names and identifiers, not links).
 */
import path from 'node:path';
import { editionFile, editionLanguages, offprintChapters, offprintFile, offprintOutputs, type Chapter, type Manuscript } from '../manuscript/index.js';
import { escapeXml } from './cover.js';
import { nameBasedUrn, type PublicationMetadata } from './metadata.js';

/** What `buildEpub` needs to make one edition: its language and the books it names. */
export interface EditionOptions {
  /** The language whose chapters the edition holds. */
  language: string;
  /** The other editions' languages and file names (base names: they sit in the same folder). */
  others: { language: string; file: string }[];
  /** The file name of the whole, bilingual book. */
  whole: string;
}

/** A book the edition names: its language (absent for the whole issue), file name and identifier. */
export interface RelatedBook {
  language?: string;
  label: string;
  file: string;
  identifier: string;
}

/** Labels an edition prints: in English for `en` and any language we have no words for, else in Chinese. */
function chinese(language: string): boolean {
  return /^zh\b/iu.test(language);
}

/** A language's name as the edition's readers say it; a fixed table, so no ICU update changes the bytes. */
function languageName(language: string, inLanguage: string): string {
  const names: Record<string, [string, string]> = { en: ['English', '英文'], zh: ['Chinese', '中文'] };
  const known = names[language.split('-')[0] ?? ''];
  if (!known) return language;
  return chinese(inLanguage) ? known[1] : known[0];
}

/**
 * A name-based (version 5 style) UUID URN for an edition: the issue's identifier and the
 * language, hashed, so each edition keeps its identifier across builds and none equals another's.
 */
export function editionIdentifier(issueIdentifier: string, language: string): string {
  return nameBasedUrn(`folio-edition:${issueIdentifier}\u0000${language}`);
}

/** The edition's title: the issue's and the language (`…, English edition`, `…（中文版）`). */
function editionTitle(title: string, language: string): string {
  return chinese(language) ? `${title}（${languageName(language, language)}版）` : `${title}, ${languageName(language, language)} edition`;
}

/** The metadata of an edition: the whole issue's, with its own title, identifier and related books. */
export function editionMetadata(metadata: PublicationMetadata, edition: EditionOptions): PublicationMetadata & { relations: RelatedBook[]; editionNote: EditionNote } {
  const relations: RelatedBook[] = [
    ...edition.others.map((other) => ({
      language: other.language,
      label: chinese(edition.language) ? `本期${languageName(other.language, edition.language)}版` : `This issue in ${languageName(other.language, edition.language)}`,
      file: other.file,
      identifier: editionIdentifier(metadata.identifier, other.language),
    })),
    { label: chinese(edition.language) ? '本期双语全本' : 'The whole issue, in both languages', file: edition.whole, identifier: metadata.identifier },
  ];
  const title = editionTitle(metadata.title, edition.language);
  return {
    ...metadata,
    title,
    identifier: editionIdentifier(metadata.identifier, edition.language),
    relations,
    editionNote: { title: chinese(edition.language) ? '版本说明' : 'About this edition', relations },
  };
}

/** The note at the front of an edition that names the other books. */
export interface EditionNote {
  title: string;
  relations: RelatedBook[];
}

/** The XHTML body of the edition note: a heading, then one line per related book. */
export function editionNoteBody(note: EditionNote, language: string): string {
  const [colon, open, close] = chinese(language) ? ['：', '（', '）'] : [': ', ' (', ')'];
  const lines = note.relations.map((r) => `<p>${escapeXml(r.label)}${colon}<code>${escapeXml(r.file)}</code>${open}<code>${escapeXml(r.identifier)}</code>${close}</p>`);
  return [`<h1>${escapeXml(note.title)}</h1>`, ...lines].join('\n');
}

/** The editions `buildEpub` makes beside the whole book at `out`: one per language, or none. */
export function plannedEditions(manuscript: Manuscript, out: string): { out: string; edition: EditionOptions }[] {
  const languages = editionLanguages(manuscript);
  return languages.map((language) => ({
    out: editionFile(out, language),
    edition: {
      language,
      others: languages.filter((l) => l !== language).map((l) => ({ language: l, file: path.basename(editionFile(out, l)) })),
      whole: path.basename(out),
    },
  }));
}

/** What `buildEpub` needs to make the EPUB of one article or section: its chapter and the whole book it names. */
export interface ArticleEpubOptions {
  /** The slug of the chapter the EPUB holds. */
  slug: string;
  /** The file name of the whole issue's book, relative to the article's EPUB (`../<issue>.epub`). */
  whole: string;
}

/** A name-based UUID URN for an article's EPUB: the issue's identifier and the chapter's slug, hashed. */
export function articleEpubIdentifier(issueIdentifier: string, slug: string): string {
  return nameBasedUrn(`folio-article:${issueIdentifier}\u0000${slug}`);
}

/**
 * The metadata of an article's EPUB: the whole issue's, with the chapter's title, an identifier
 * of its own and a note naming the issue it comes from and its printed pages.
 */
export function articleEpubMetadata(metadata: PublicationMetadata, chapter: Chapter, article: ArticleEpubOptions): PublicationMetadata & { relations: RelatedBook[]; editionNote: EditionNote } {
  const zh = chinese(chapter.language);
  const pages = chapter.firstPage === chapter.lastPage ? `${chapter.firstPage}` : `${chapter.firstPage}–${chapter.lastPage}`;
  const from = zh ? `选自 ${metadata.journal} ${metadata.issue}，第 ${pages} 页` : `From ${metadata.journal}, ${metadata.issue}, ${chapter.firstPage === chapter.lastPage ? 'p.' : 'pp.'} ${pages}`;
  const relations: RelatedBook[] = [{ label: from, file: article.whole, identifier: metadata.identifier }];
  return {
    ...metadata,
    title: chapter.title,
    identifier: articleEpubIdentifier(metadata.identifier, chapter.slug),
    relations,
    editionNote: { title: zh ? '关于本文' : 'About this article', relations },
  };
}

/** The article EPUBs `buildEpub` makes beside the whole book at `out`, under `<folder of out>/articles/`: one per article and section, or none. */
export function plannedArticleEpubs(manuscript: Manuscript, out: string): { out: string; article: ArticleEpubOptions }[] {
  if (!offprintOutputs(manuscript).epub) return [];
  const folder = path.dirname(out);
  return offprintChapters(manuscript).map((chapter) => {
    const file = offprintFile(folder, chapter, '.epub');
    return { out: file, article: { slug: chapter.slug, whole: path.relative(path.dirname(file), out) } };
  });
}
