/**
 * The finish of the PDF stage: document metadata (title, issue, language, authors), an outline
 * with a bookmark per chapter and its sections, and page labels equal to the printed folios (so
 * a reader's "page 12" is the viewer's page 12), on the issue's pages joined into one document;
 * then the PDF written whole. What goes in comes from the manuscript and from where the
 * headings landed (`pdfFacts`).
 */
import { PDFDocument, PDFHexString, PDFName, PDFNull, PDFNumber, type PDFRef } from 'pdf-lib';
import type { Manuscript } from '../manuscript/index.js';
import { FolioError, message } from '../messages.js';
import { writeFileAtomic } from '../session/index.js';
import { joinPdfs, pdfLoadOptions, type PdfPart } from './join.js';
import type { PageFacts } from './layout.js';
import type { RenderedIssue } from './print-document.js';

/** One bookmark: a title, the 1-based PDF page and how far down the page it is (0 top, 1 foot). */
export interface OutlineItem {
  title: string;
  page: number;
  top: number;
  children: OutlineItem[];
}

/** What the finished PDF says about itself. */
export interface PdfFacts {
  title: string;
  subject: string;
  language: string;
  authors: string[];
  keywords: string[];
  /** Fixed dates keep rebuilds comparable; from SOURCE_DATE_EPOCH or the issue date. */
  date?: Date;
  outline: OutlineItem[];
  /** The folio printed on the first PDF page; the rest follow in order. */
  firstFolio: number;
}

/**
 * Adds metadata, outline and page labels to PDFs of the issue's pages (cleaned by
 * `cleanPrintedPdf`); given several (the chunks of an issue, in page order), joins their pages
 * into one first.
 */
export async function finishPdf(bytes: Uint8Array | readonly PdfPart[], facts: PdfFacts): Promise<Uint8Array> {
  const doc = bytes instanceof Uint8Array ? await PDFDocument.load(bytes, pdfLoadOptions) : await joinPdfs(bytes);
  doc.setTitle(facts.title, { showInWindowTitleBar: true });
  doc.setSubject(facts.subject);
  doc.setLanguage(facts.language);
  if (facts.authors.length > 0) doc.setAuthor(facts.authors.join('; '));
  doc.setKeywords(facts.keywords);
  doc.setCreator('Folio');
  doc.setProducer('Folio (Paged.js in Chromium, pdf-lib)');
  if (facts.date) {
    doc.setCreationDate(facts.date);
    doc.setModificationDate(facts.date);
  }
  const context = doc.context;
  const catalog = doc.catalog;
  catalog.set(PDFName.of('PageLabels'), context.obj({ Nums: [0, { S: 'D', St: facts.firstFolio }] }));
  const pages = doc.getPages();
  if (facts.outline.length > 0) {
    const outlinesRef = context.nextRef();
    const { first, last, count } = addItems(facts.outline, outlinesRef);
    context.assign(outlinesRef, context.obj({ Type: 'Outlines', First: first, Last: last, Count: count }));
    catalog.set(PDFName.of('Outlines'), outlinesRef);
    catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
  }
  // All objects in one go: pdf-lib otherwise waits a timer tick every 50 objects, which on a
  // tagged issue (thousands of struct elements) is most of the time spent saving.
  return doc.save({ useObjectStreams: false, objectsPerTick: Infinity });

  function addItems(items: OutlineItem[], parent: PDFRef): { first: PDFRef; last: PDFRef; count: number } {
    const refs = items.map(() => context.nextRef());
    let count = items.length;
    items.forEach((item, index) => {
      const page = pages[Math.min(Math.max(item.page, 1), pages.length) - 1];
      if (!page) throw new Error(`Unexpected outline target page ${item.page}, expected 1–${pages.length}`);
      const top = page.getHeight() * (1 - item.top);
      const dict = context.obj({
        Title: PDFHexString.fromText(item.title),
        Parent: parent,
        Dest: [page.ref, PDFName.of('XYZ'), PDFNull, PDFNumber.of(Math.round(top)), PDFNull],
      });
      const ref = refs[index] as PDFRef;
      if (index > 0) dict.set(PDFName.of('Prev'), refs[index - 1] as PDFRef);
      if (index < refs.length - 1) dict.set(PDFName.of('Next'), refs[index + 1] as PDFRef);
      if (item.children.length > 0) {
        const sub = addItems(item.children, ref);
        dict.set(PDFName.of('First'), sub.first);
        dict.set(PDFName.of('Last'), sub.last);
        // Negative: chapters start closed, so the outline opens as a table of contents.
        dict.set(PDFName.of('Count'), PDFNumber.of(-sub.count));
      }
      context.assign(ref, dict);
    });
    count = items.length;
    return { first: refs[0] as PDFRef, last: refs[refs.length - 1] as PDFRef, count };
  }
}

/** Metadata and outline for pdf-lib, from the manuscript and where the headings landed; dated `sourceDateEpoch` (seconds), else the issue date. */
export function pdfFacts(manuscript: Manuscript, issue: RenderedIssue, facts: readonly PageFacts[], sourceDateEpoch: number | undefined): PdfFacts {
  const meta = manuscript.issue;
  const outline: OutlineItem[] = issue.chapters.map((chapter, index) => {
    const headings = facts.flatMap((page) => page.headings.filter((h) => h.chapter === index + 1).map((h) => ({ ...h, page: page.index })));
    const title = headings.find((h) => h.level === 1);
    return {
      title: chapter.title,
      page: title?.page ?? chapter.firstPage - (facts[0]?.starts[0] ?? 1) + 1,
      top: title?.top ?? 0,
      children: headings.filter((h) => h.level === 2).map((h) => ({ title: h.text, page: h.page, top: h.top, children: [] })),
    };
  });
  const date = sourceDateEpoch !== undefined ? new Date(sourceDateEpoch * 1000) : meta.date ? new Date(`${meta.date}T00:00:00Z`) : undefined;
  return {
    title: `${meta.journal} · ${meta.issue}`,
    subject: meta.description ?? `${meta.journal}, ${meta.issue}`,
    language: meta.languages[0] ?? 'en',
    authors: [...new Set(manuscript.chapters.flatMap((c) => c.authors))],
    keywords: [meta.journal, meta.issue],
    outline,
    firstFolio: facts[0]?.starts[0] ?? 1,
    ...(date ? { date } : {}),
  };
}

/** Writes through a temporary file and a rename, so an old PDF stays whole if anything fails. */
export async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    throw new FolioError([message('pdf-008', `Unexpected failure writing \`${file}\`: ${(error as Error).message}`)]);
  }
}
