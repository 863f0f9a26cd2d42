/**
 * Finishes the PDF Chromium printed: document metadata (title, issue, language, authors), an
 * outline with a bookmark per chapter and its sections, and page labels equal to the printed
 * folios, so a reader's "page 12" is the viewer's page 12.
 */
import { PDFDocument, PDFHexString, PDFName, PDFNull, PDFNumber, type PDFRef } from 'pdf-lib';

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

/** Adds metadata, outline and page labels to Chromium's PDF. */
export async function finishPdf(bytes: Uint8Array, facts: PdfFacts): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
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
  return doc.save({ useObjectStreams: false });

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
