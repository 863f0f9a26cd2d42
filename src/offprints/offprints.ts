/**
 * The offprints stage: for every article and section (`offprintChapters`), a PDF of its own cut
 * from the finished issue PDF: the chapter's printed pages, whole (a page the chapter shares
 * with its neighbour is in both offprints, as a printer's offprint has it), copied with their
 * content streams unchanged and their share of the issue's structure tree (`joinPdfs`), so the
 * offprint stays tagged; page labels equal to the printed folios; the chapter's bookmark and
 * sections as its outline; its own title, authors, journal, issue and page range as metadata.
 * Written whole or not at all to `articles/<slug>.pdf`; `folio check` proves each against the
 * issue PDF, page by page (src/check/offprints.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFArray } from 'pdf-lib';
import { offprintChapters, offprintFile, offprintOutputs, type Chapter, type Manuscript } from '../manuscript/index.js';
import type { Resolved } from '../resolve/index.js';
import { message, type Message } from '../messages.js';
import { dropInvalid, setAsideInvalid, writeFileAtomic } from '../session/index.js';
import type { StageReport } from '../stage.js';
import { finishPdf, type PdfFacts } from '../pdf/finish.js';
import { pdfLoadOptions } from '../pdf/join.js';
import { moveOutline, readOutline } from './outline.js';

/** Options of `buildOffprints`. */
export interface BuildOffprintsOptions {
  /**
   * The run, resolved (`resolve()`): the manuscript, the finished issue PDF the pages are cut
   * from (`settings.files.pdf`, the PDF stage's output, without errors), the build folder
   * (offprints go to `<outDir>/articles/<slug>.pdf`) and the build date (SOURCE_DATE_EPOCH, else
   * the issue date, as the issue PDF's).
   */
  resolved: Resolved;
}

/** One offprint made: its chapter, file and printed pages. */
export interface Offprint {
  slug: string;
  file: string;
  firstPage: number;
  lastPage: number;
}

/** What `buildOffprints` made. */
export interface BuildOffprintsResult extends StageReport {
  offprints: Offprint[];
  written: string[];
}

/** The printed folio of the issue PDF's first page: its page labels' start (the PDF stage writes one range). */
function firstFolio(doc: PDFDocument): number {
  const nums = doc.catalog.lookupMaybe(PDFName.of('PageLabels'), PDFDict)?.lookupMaybe(PDFName.of('Nums'), PDFArray);
  const range = nums?.lookupMaybe(1, PDFDict);
  return range?.lookupMaybe(PDFName.of('St'), PDFNumber)?.asNumber() ?? 1;
}

/** `pp. 13–29`, or `p. 92` for a one-page offprint. */
export function pageRange(chapter: Pick<Chapter, 'firstPage' | 'lastPage'>): string {
  return chapter.firstPage === chapter.lastPage ? `p. ${chapter.firstPage}` : `pp. ${chapter.firstPage}–${chapter.lastPage}`;
}

/** What an offprint says about itself: its chapter's title, authors and language, and where in the issue it stands. */
export function offprintFacts(manuscript: Manuscript, chapter: Chapter, outline: PdfFacts['outline'], date: Date | undefined): PdfFacts {
  const { journal, issue } = manuscript.issue;
  return {
    title: chapter.title,
    subject: `${journal}, ${issue}, ${pageRange(chapter)}`,
    language: chapter.language,
    authors: chapter.authors,
    keywords: [journal, issue, pageRange(chapter)],
    outline,
    firstFolio: chapter.firstPage,
    ...(date ? { date } : {}),
  };
}

/** Makes the offprints the issue asks for (`outputs.offprints`, on unless false). Nothing is printed. */
export async function buildOffprints(options: BuildOffprintsOptions): Promise<BuildOffprintsResult> {
  const started = performance.now();
  const result: BuildOffprintsResult = { offprints: [], written: [], messages: [], timings: {} };
  const { manuscript, settings } = options.resolved;
  const chapters = offprintOutputs(manuscript).pdf ? offprintChapters(manuscript) : [];
  if (chapters.length === 0) return result;
  const bytes = await readFile(settings.files.pdf);
  const issue = await PDFDocument.load(bytes, pdfLoadOptions);
  const folio = firstFolio(issue);
  // The PDF stage writes one bookmark per chapter, in order; another outline gives each
  // offprint its title alone.
  const outline = readOutline(issue);
  const ownOutline = outline.length === manuscript.chapters.length;
  const epoch = settings.environment.sourceDateEpoch;
  const date = epoch !== undefined ? new Date(epoch * 1000) : manuscript.issue.date ? new Date(`${manuscript.issue.date}T00:00:00Z`) : undefined;
  result.timings.read = Math.round(performance.now() - started);
  for (const chapter of chapters) {
    const file = offprintFile(settings.outDir, chapter, '.pdf');
    const first = chapter.firstPage - folio + 1;
    const count = chapter.lastPage - chapter.firstPage + 1;
    if (first < 1 || first + count - 1 > issue.getPageCount()) {
      result.messages.push(message('offprints-001', `Unexpected pages ${chapter.firstPage}–${chapter.lastPage} of \`${chapter.slug}\` outside the issue PDF's folios ${folio}–${folio + issue.getPageCount() - 1}, expected the chapter's pages in the PDF`, { file: settings.files.pdf }));
      continue;
    }
    const item = ownOutline ? outline[manuscript.chapters.indexOf(chapter)] : undefined;
    const own = item ? moveOutline(item, first, first + count - 1) : { title: chapter.title, page: 1, top: 0, children: [] };
    try {
      const pdf = await finishPdf([{ bytes, first: first - 1, count, loaded: issue }], offprintFacts(manuscript, chapter, [own], date));
      await writeFileAtomic(file, pdf);
    } catch (error) {
      result.messages.push(message('offprints-002', `Unexpected failure making the offprint \`${chapter.slug}.pdf\`: ${(error as Error).message}`, { file }));
      continue;
    }
    result.offprints.push({ slug: chapter.slug, file, firstPage: chapter.firstPage, lastPage: chapter.lastPage });
    result.written.push(file);
  }
  result.timings.total = Math.round(performance.now() - started);
  return result;
}

/**
 * After the check: an offprint it found wrong (`check-013`, `check-014`), or every offprint when
 * the issue PDF they were cut from was set aside (`issueSetAside`, its path), is kept as
 * `<slug>.invalid.pdf`, never at the path a pipeline takes it from; a good one replaces an
 * earlier invalid copy. Returns the offprints where they now are, and a note for each set aside.
 */
export async function settleOffprints(files: readonly string[], checkMessages: readonly Message[], issueSetAside: string | undefined): Promise<{ outputs: string[]; messages: Message[] }> {
  const outputs: string[] = [];
  const messages: Message[] = [];
  for (const file of files) {
    const wrong = checkMessages.some((m) => (m.ruleId === 'check-013' || m.ruleId === 'check-014') && m.place?.file === file);
    if (!wrong && issueSetAside === undefined) {
      await dropInvalid(file);
      outputs.push(file);
      continue;
    }
    const aside = await setAsideInvalid(file);
    const why = wrong ? 'failed the check' : `was cut from \`${path.basename(issueSetAside ?? '')}\`, which was set aside`;
    messages.push(message('check-011', `The offprint ${why}: kept for inspection as \`${aside}\`, not at \`${file}\``, { file: aside }));
    outputs.push(aside);
  }
  return { outputs, messages };
}
