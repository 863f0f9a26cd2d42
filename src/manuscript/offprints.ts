/**
 * Offprints: an article or section of an issue on its own, as a PDF cut from the issue's pages
 * and as an EPUB of its one chapter. The PDF stage's offprints, the EPUB stage and the check all
 * read from here which chapters get them, and which printed pages each holds.
 */
import path from 'node:path';
import type { Chapter, Manuscript } from './load.js';
import type { Edition } from './editions.js';
import { findPageMarkers } from './markers.js';

/**
 * The chapters that get offprints: every article and section, in both languages. Front and back
 * matter (a cover, a masthead, the publisher's back page) are the issue's own pages, which nobody
 * reads, cites or sends on apart from it.
 */
export function offprintChapters(manuscript: Manuscript): Chapter[] {
  return manuscript.chapters.filter((chapter) => chapter.kind !== 'front-matter' && chapter.kind !== 'back-matter');
}

/** Which offprints the issue asks for (`outputs:` in issue.yaml): each kind on unless set to false. */
export function offprintOutputs(manuscript: Manuscript): { pdf: boolean; epub: boolean } {
  const outputs = manuscript.issue.outputs;
  return { pdf: outputs?.offprints ?? true, epub: outputs?.articleEpubs ?? true };
}

/**
 * One chapter as a manuscript of its own, for its EPUB: its language alone, and the printed pages
 * its `:page[N]` markers name, which its page-list must hold exactly.
 */
export function chapterEdition(manuscript: Manuscript, slug: string): Edition & { chapter: Chapter } {
  const chapter = manuscript.chapters.find((c) => c.slug === slug);
  if (!chapter) throw new Error(`Unexpected chapter \`${slug}\`, expected one of the issue's`);
  const edition: Manuscript = { ...manuscript, issue: { ...manuscript.issue, languages: [chapter.language] }, chapters: [chapter] };
  return { language: chapter.language, manuscript: edition, pages: findPageMarkers(edition).map((m) => m.page), chapter };
}

/** Where a chapter's offprint goes in the build folder: `articles/<slug>.pdf` and `.epub`, beside its landing page. */
export function offprintFile(outDir: string, chapter: Pick<Chapter, 'slug'>, extension: '.pdf' | '.epub'): string {
  return path.join(outDir, 'articles', `${chapter.slug}${extension}`);
}
