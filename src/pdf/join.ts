/**
 * Chunks printed apart joined into one PDF: their pages in order, each source read once, the
 * pages copied as pdf-lib copies them, and their structure trees joined into one
 * (./structure-tree.ts), so the issue stays a tagged PDF, as each chunk Chromium printed is.
 */
import { PDFArray, PDFDict, PDFDocument, PDFName, type PDFObject, PDFPage, PDFPageLeaf, PDFRef, PDFStream, ParseSpeeds } from 'pdf-lib';
import { joinStructure, measureTree, structureNames, type JoinSource, type PlacedRun } from './structure-tree.js';

/** Read in one go, not a timer tick every 100 objects as pdf-lib does by default. */
export const pdfLoadOptions = { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest };

/** Some pages of a PDF: `count` pages from page `first` (0-based). */
export interface PdfPart {
  bytes: Uint8Array;
  first: number;
  count: number;
  /**
   * The PDF of `bytes`, read already: a caller that cuts many parts from one PDF (the offprints)
   * reads it once. Only read from, never changed.
   */
  loaded?: PDFDocument;
}

/**
 * The pages of several PDFs, in order, in one document; each PDF is read once. Chromium's
 * tagged PDFs keep their structure: the joined document has one structure tree, a Document
 * element holding each part's elements in page order (see `joinStructure`).
 */
export async function joinPdfs(parts: readonly PdfPart[]): Promise<PDFDocument> {
  const loaded = new Map<Uint8Array, PDFDocument>();
  const only = parts[0];
  if (parts.length === 1 && only && !only.loaded) {
    const doc = await PDFDocument.load(only.bytes, pdfLoadOptions);
    if (only.first === 0 && only.count === doc.getPageCount()) return doc;
    loaded.set(only.bytes, doc);
  }
  // Neighbouring pages of one PDF are copied as one run.
  const runs: PdfPart[] = [];
  for (const part of parts) {
    const last = runs.at(-1);
    if (last && last.bytes === part.bytes && last.first + last.count === part.first) last.count += part.count;
    else runs.push({ ...part });
  }
  const doc = await PDFDocument.create({ updateMetadata: false });
  const sources = new Map<Uint8Array, JoinSource>();
  for (const run of runs) {
    if (sources.has(run.bytes)) continue;
    const source = loaded.get(run.bytes) ?? run.loaded ?? (await PDFDocument.load(run.bytes, pdfLoadOptions));
    sources.set(run.bytes, readSource(source, doc));
  }
  // Every page has its new reference before any is copied, so whatever points at a source page
  // (a struct element's /Pg, a link) lands on its copy, not on a second copy of the old page.
  const placed = runs.map((run): PlacedRun => {
    const source = sources.get(run.bytes) as JoinSource;
    const pages = source.pages.slice(run.first, run.first + run.count);
    if (run.first < 0 || pages.length !== run.count) {
      throw new Error(`Unexpected pages ${run.first + 1}–${run.first + run.count} of a PDF of ${source.pages.length} pages, expected pages it has`);
    }
    const refs = pages.map((page) => {
      const ref = doc.context.nextRef();
      if (!source.refs.has(page.ref)) source.refs.set(page.ref, ref);
      return ref;
    });
    return { source, first: run.first, refs };
  });
  for (const { source, first, refs } of placed) {
    refs.forEach((ref, index) => {
      const leaf = copyPage((source.pages[first + index] as PDFPage).node, source.copy);
      doc.context.assign(ref, leaf);
      doc.addPage(PDFPage.of(leaf, ref, doc));
    });
  }
  joinStructure(doc, placed);
  const lang = [...sources.values()].map((source) => source.doc.catalog.get(structureNames.lang)).find((value) => value !== undefined);
  if (lang) doc.catalog.set(structureNames.lang, lang.clone());
  return doc;
}

/** A source PDF ready to be copied from into `into`: its copier, and its structure tree measured. */
function readSource(doc: PDFDocument, into: PDFDocument): JoinSource {
  const refs = new Map<PDFRef, PDFRef>();
  const from = doc.context;
  const to = into.context;
  // pdf-lib's PDFObjectCopier, with the reference map in our hands (to point pages at their copies).
  const copy = (object: PDFObject): PDFObject => {
    if (object instanceof PDFRef) {
      const known = refs.get(object);
      if (known) return known;
      const ref = to.nextRef();
      refs.set(object, ref);
      const value = from.lookup(object);
      if (value) to.assign(ref, value instanceof PDFPageLeaf ? copyPage(value, copy) : copy(value));
      return ref;
    }
    if (object instanceof PDFDict) {
      const clone = object.clone(to);
      for (const [key, value] of object.entries()) clone.set(key, copy(value));
      return clone;
    }
    if (object instanceof PDFArray) {
      const clone = object.clone(to);
      for (let index = 0; index < object.size(); index += 1) clone.set(index, copy(object.get(index)));
      return clone;
    }
    if (object instanceof PDFStream) {
      const clone = object.clone(to);
      for (const [key, value] of object.dict.entries()) clone.dict.set(key, copy(value));
      return clone;
    }
    return object.clone();
  };
  const pages = doc.getPages();
  const source: JoinSource = { doc, pages, refs, copy };
  const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  if (root) source.tree = measureTree(doc, root, pages);
  return source;
}

/** A page as pdf-lib copies one: what it inherits from the page tree made its own, no parent. */
function copyPage(node: PDFPageLeaf, copy: (object: PDFObject) => PDFObject): PDFPageLeaf {
  const leaf = node.clone();
  for (const entry of PDFPageLeaf.InheritableEntries) {
    const key = PDFName.of(entry);
    const value = leaf.get(key) === undefined ? node.getInheritableAttribute(key) : undefined;
    if (value) leaf.set(key, value);
  }
  leaf.delete(structureNames.parent);
  return copy(leaf) as PDFPageLeaf;
}
