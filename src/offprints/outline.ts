/**
 * The issue PDF's outline read back: one bookmark per chapter, with its sections, where the PDF
 * stage put them. An offprint keeps its chapter's bookmark and sections, moved to its own pages.
 */
import { PDFArray, PDFDict, type PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import type { OutlineItem } from '../pdf/finish.js';

const names = { outlines: PDFName.of('Outlines'), first: PDFName.of('First'), next: PDFName.of('Next'), title: PDFName.of('Title'), dest: PDFName.of('Dest') };

/** The outline of a PDF as `finishPdf` writes one: titles, 1-based pages and how far down each page. */
export function readOutline(doc: PDFDocument): OutlineItem[] {
  const pages = doc.getPages();
  const pageNumber = new Map(pages.map((page, index) => [page.ref, index + 1]));
  const seen = new Set<PDFDict>();
  const items = (first: PDFDict | undefined): OutlineItem[] => {
    const list: OutlineItem[] = [];
    for (let item = first; item && !seen.has(item); item = item.lookupMaybe(names.next, PDFDict)) {
      seen.add(item);
      const title = item.lookupMaybe(names.title, PDFString, PDFHexString)?.decodeText() ?? '';
      const dest = item.lookupMaybe(names.dest, PDFArray);
      const target = dest?.get(0);
      const page = target instanceof PDFRef ? pageNumber.get(target) : undefined;
      if (page === undefined) continue;
      const y = dest?.lookupMaybe(3, PDFNumber)?.asNumber();
      const height = pages[page - 1]?.getHeight() ?? 1;
      list.push({ title, page, top: y === undefined ? 0 : 1 - y / height, children: items(item.lookupMaybe(names.first, PDFDict)) });
    }
    return list;
  };
  return items(doc.catalog.lookupMaybe(names.outlines, PDFDict)?.lookupMaybe(names.first, PDFDict));
}

/** An outline item and its children on pages `first`–`last` (1-based), renumbered from 1 there. */
export function moveOutline(item: OutlineItem, first: number, last: number): OutlineItem {
  const inside = (i: OutlineItem) => i.page >= first && i.page <= last;
  return {
    title: item.title,
    page: inside(item) ? item.page - first + 1 : 1,
    top: inside(item) ? item.top : 0,
    children: item.children.filter(inside).map((child) => moveOutline(child, first, last)),
  };
}
