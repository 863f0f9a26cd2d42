/**
 * Editions by language: the chapters of one language of a bilingual issue, as a manuscript of
 * their own. The EPUB stage makes a book of each and the check holds each book's page-list to
 * the printed pages its chapters carry, so both read the split from here.
 */
import type { Manuscript } from './load.js';
import { findPageMarkers } from './markers.js';

/** One language's share of an issue. */
export interface Edition {
  /** The BCP 47 tag of its chapters (`en`, `zh-Hans`). */
  language: string;
  /** The manuscript of its chapters only, with `languages` set to its language alone. */
  manuscript: Manuscript;
  /** The printed pages its chapters' `:page[N]` markers name, in reading order. */
  pages: number[];
}

/**
 * The languages an issue splits into: those of its chapters, in the order issue.yaml lists
 * languages (then first use). None for a one-language issue (there is nothing to split) or one
 * whose `outputs.editions` is false.
 */
export function editionLanguages(manuscript: Manuscript): string[] {
  if (manuscript.issue.outputs?.editions === false) return [];
  const used = new Set(manuscript.chapters.map((c) => c.language));
  const ordered = [...new Set([...manuscript.issue.languages, ...used])].filter((l) => used.has(l));
  return ordered.length > 1 ? ordered : [];
}

/** The edition of one language: its chapters, and the pages their markers name. */
export function editionOf(manuscript: Manuscript, language: string): Edition {
  const chapters = manuscript.chapters.filter((c) => c.language === language);
  const edition: Manuscript = { ...manuscript, issue: { ...manuscript.issue, languages: [language] }, chapters };
  return { language, manuscript: edition, pages: findPageMarkers(edition).map((m) => m.page) };
}

/** Every edition of an issue, in `editionLanguages` order. */
export function manuscriptEditions(manuscript: Manuscript): Edition[] {
  return editionLanguages(manuscript).map((language) => editionOf(manuscript, language));
}

/** Where an edition goes beside the whole issue's EPUB: `<issue>.epub` gives `<issue>.<language>.epub`. */
export function editionFile(issueEpub: string, language: string): string {
  return `${issueEpub.replace(/\.epub$/u, '')}.${language}.epub`;
}
