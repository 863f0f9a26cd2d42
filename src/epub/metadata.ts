/**
 * The publication metadata of an issue's EPUB, derived from the manuscript alone so that the
 * same manuscript always gives the same package document.
 */
import { createHash } from 'node:crypto';
import type { Manuscript } from '../manuscript/index.js';

/** One author of the issue, in the language of the chapter that names them. */
export interface Creator {
  name: string;
  language?: string;
}

/** What the package document says about the book's accessibility. */
export interface AccessibilityMetadata {
  accessModes: string[];
  accessModesSufficient: string[];
  features: string[];
  hazards: string[];
  summary: string;
  conformsTo: string;
  certifiedBy?: string;
}

/** Everything the package document, the navigation and the cover say about the issue. */
export interface PublicationMetadata {
  identifier: string;
  title: string;
  journal: string;
  issue: string;
  /** The primary language: the package's and the navigation document's. */
  language: string;
  languages: string[];
  creators: Creator[];
  publisher?: string;
  description?: string;
  /** Publication date as given in issue.yaml (YYYY-MM-DD). */
  date?: string;
  /** `dcterms:modified`, CCYY-MM-DDThh:mm:ssZ. */
  modified: string;
  /** The instant every file in the zip is stamped with. */
  timestamp: Date;
  /** What the page-break markers and the page-list follow. */
  printSource: string;
  accessibility: AccessibilityMetadata;
}

/** The earliest instant a zip (DOS) timestamp can hold. */
const zipEpoch = Date.UTC(1980, 0, 1);

/**
 * Resolves the build time: an explicit SOURCE_DATE_EPOCH (seconds) wins, then the issue date,
 * then the zip epoch, never the clock, so a rebuild is byte-identical.
 */
export function buildInstant(manuscript: Manuscript, sourceDateEpoch?: number): Date {
  if (sourceDateEpoch !== undefined && Number.isFinite(sourceDateEpoch)) {
    return new Date(Math.max(zipEpoch, Math.floor(sourceDateEpoch) * 1000));
  }
  if (manuscript.issue.date) return new Date(Math.max(zipEpoch, Date.parse(`${manuscript.issue.date}T00:00:00Z`)));
  return new Date(zipEpoch);
}

/** The book's primary language: the first of the issue's languages. */
export function primaryLanguage(manuscript: Manuscript): string {
  return manuscript.issue.languages[0] ?? manuscript.chapters[0]?.language ?? 'en';
}

/** A name-based (version 5 style) UUID URN from the issue's identity, stable across builds. */
export function derivedIdentifier(journal: string, issue: string): string {
  return nameBasedUrn(`folio:${journal}\u0000${issue}`);
}

/** A name-based (version 5 style, SHA-1) UUID URN of `name`: the same name, the same identifier. */
export function nameBasedUrn(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What the accessibility summary says, true of a book with this many figures besides the cover. */
export function accessibilitySummary(figures: number): string {
  return [
    'This publication has a table of contents, landmarks and a page list that follows the printed edition, with a marker at each printed page break.',
    'Footnotes are linked from their calls and back.',
    'Every document states its language.',
    figures === 0
      ? 'The only image, the cover, has a text alternative; all other content is text.'
      : `The cover and the ${figures === 1 ? 'figure have' : `${figures} figures have`} text alternatives; all other content is text.`,
    'No hazards are known.',
  ].join(' ');
}

/** Derives the publication metadata of a manuscript; `figures` counts its images besides the cover. */
export function publicationMetadata(manuscript: Manuscript, timestamp: Date, figures = 0): PublicationMetadata {
  const { issue } = manuscript;
  const creators: Creator[] = [];
  const seen = new Set<string>();
  for (const chapter of manuscript.chapters) {
    for (const name of chapter.authors) {
      const trimmed = name.trim();
      if (trimmed === '' || seen.has(trimmed)) continue;
      seen.add(trimmed);
      creators.push(chapter.language === issue.languages[0] ? { name: trimmed } : { name: trimmed, language: chapter.language });
    }
  }
  const languages = [...new Set([...issue.languages, ...manuscript.chapters.map((c) => c.language)])];
  const language = primaryLanguage(manuscript);
  const title = `${issue.journal}, ${issue.issue}`;
  const metadata: PublicationMetadata = {
    identifier: issue.identifier ?? derivedIdentifier(issue.journal, issue.issue),
    title,
    journal: issue.journal,
    issue: issue.issue,
    language,
    languages,
    creators,
    modified: `${timestamp.toISOString().slice(0, 19)}Z`,
    timestamp,
    printSource: `${title}, print edition, ${issue.pages} pages`,
    accessibility: {
      // The cover (and any figure) is an image with a text alternative; the rest is text.
      accessModes: ['textual', 'visual'],
      accessModesSufficient: ['textual'],
      features: [
        'alternativeText',
        'pageBreakMarkers',
        'pageNavigation',
        'readingOrder',
        'structuralNavigation',
        'tableOfContents',
      ],
      hazards: ['none'],
      summary: accessibilitySummary(figures),
      conformsTo: 'EPUB Accessibility 1.1 - WCAG 2.1 Level AA',
    },
  };
  if (issue.publisher) {
    metadata.publisher = issue.publisher;
    metadata.accessibility.certifiedBy = issue.publisher;
  }
  if (issue.description && issue.description.trim() !== '') metadata.description = issue.description.trim();
  if (issue.date) metadata.date = issue.date;
  return metadata;
}
