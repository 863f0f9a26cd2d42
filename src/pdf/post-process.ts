/**
 * Finishes the PDF Chromium printed: document metadata (title, issue, language, authors), an
 * outline with a bookmark per chapter and its sections, page labels equal to the printed
 * folios (so a reader's "page 12" is the viewer's page 12), and a text layer without the soft
 * hyphens no line broke at.
 */
import { decodePDFRawStream, PDFDocument, PDFHexString, PDFName, PDFNull, PDFNumber, PDFRawStream, type PDFRef } from 'pdf-lib';

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
 * Adds metadata, outline and page labels to Chromium's PDF; given several (the chunks of an
 * issue, in page order), joins their pages into one first.
 */
export async function finishPdf(bytes: Uint8Array | readonly PdfPart[], facts: PdfFacts): Promise<Uint8Array> {
  const doc = bytes instanceof Uint8Array ? await PDFDocument.load(bytes, { updateMetadata: false }) : await joinPdfs(bytes);
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
  dropUnusedSoftHyphens(doc);
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

/** Some pages of a PDF: `count` pages from page `first` (0-based). */
export interface PdfPart {
  bytes: Uint8Array;
  first: number;
  count: number;
}

/** The pages of several PDFs, in order, in one document; each PDF is read once. */
export async function joinPdfs(parts: readonly PdfPart[]): Promise<PDFDocument> {
  const only = parts[0];
  if (parts.length === 1 && only) {
    const doc = await PDFDocument.load(only.bytes, { updateMetadata: false });
    if (only.first === 0 && only.count === doc.getPageCount()) return doc;
  }
  // Neighbouring pages of one PDF are copied in one go, so their fonts are copied once.
  const runs: PdfPart[] = [];
  for (const part of parts) {
    const last = runs.at(-1);
    if (last && last.bytes === part.bytes && last.first + last.count === part.first) last.count += part.count;
    else runs.push({ ...part });
  }
  const doc = await PDFDocument.create({ updateMetadata: false });
  const loaded = new Map<Uint8Array, PDFDocument>();
  for (const part of runs) {
    const source = loaded.get(part.bytes) ?? (await PDFDocument.load(part.bytes, { updateMetadata: false }));
    loaded.set(part.bytes, source);
    const pages = await doc.copyPages(source, Array.from({ length: part.count }, (_, i) => part.first + i));
    for (const page of pages) doc.addPage(page);
  }
  return doc;
}

/**
 * Chromium draws every soft hyphen: one a line broke at as a visible hyphen, one it did not as
 * an invisible zero-width glyph, both marked `ActualText U+00AD`. The unused ones then sit
 * inside words of the text layer ("co\u00ADop\u00ADer\u00ADa\u00ADtion"), and search and copy
 * suffer. An unused one is known by its glyph: the one a zero move (`0 0 Td`) follows, in the
 * font of the moment. Those glyphs are dropped; the page looks the same, used hyphens stay.
 */
export function dropUnusedSoftHyphens(doc: PDFDocument): number {
  const span = /\/Span<<\/ActualText <FEFF00AD> >> BDC\n(-?[\d.]+ -?[\d.]+ Td) <([0-9A-Fa-f]+)> Tj\nEMC\n/g;
  const font = /\/(\S+) -?[\d.]+ Tf/g;
  let dropped = 0;
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    const filter = object.dict.get(PDFName.of('Filter'));
    if (filter !== undefined && filter !== PDFName.of('FlateDecode')) continue;
    const text = Buffer.from(decodePDFRawStream(object).decode()).toString('latin1');
    if (!text.includes('/ActualText <FEFF00AD>')) continue;
    // The font in force at each offset, from the Tf operators before it.
    const fonts = [...text.matchAll(font)].map((m) => ({ at: m.index ?? 0, name: m[1] as string }));
    const fontAt = (at: number) => fonts.filter((f) => f.at < at).at(-1)?.name ?? '';
    const invisible = new Set<string>();
    for (const m of text.matchAll(span)) {
      const end = (m.index ?? 0) + m[0].length;
      if (text.startsWith('0 0 Td ', end)) invisible.add(`${fontAt(m.index ?? 0)} ${m[2]}`);
    }
    const cleaned = text.replace(span, (whole: string, move: string, glyph: string, at: number) => {
      if (!invisible.has(`${fontAt(at)} ${glyph}`)) return whole;
      dropped += 1;
      return `${move}\n`;
    });
    const stream = doc.context.flateStream(Buffer.from(cleaned, 'latin1'));
    for (const [key, value] of object.dict.entries()) {
      if (key !== PDFName.of('Length') && key !== PDFName.of('Filter') && key !== PDFName.of('DecodeParms')) stream.dict.set(key, value);
    }
    doc.context.assign(ref, stream);
  }
  return dropped;
}
