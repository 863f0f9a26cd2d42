/**
 * Finishes the PDF Chromium printed: document metadata (title, issue, language, authors), an
 * outline with a bookmark per chapter and its sections, page labels equal to the printed
 * folios (so a reader's "page 12" is the viewer's page 12), and a text layer without the soft
 * hyphens no line broke at. Chunks printed apart are joined with their structure trees, so the
 * issue stays a tagged PDF, as each chunk Chromium printed is.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { repairSplitLigatures } from './ligature-text.js';
import {
  decodePDFRawStream,
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNull,
  PDFNumber,
  type PDFObject,
  PDFPage,
  PDFPageLeaf,
  PDFRawStream,
  PDFRef,
  PDFStream,
  ParseSpeeds,
} from 'pdf-lib';

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
 * Chromium's PDF of a layout as the pages are kept: with the unused soft hyphens taken
 * out of its text layer (`dropUnusedSoftHyphens`), and ligatures cut between two text nodes
 * read as the font maps them (`repairSplitLigatures`). Done once per layout, before the pages go
 * into the cache, so that a build joining cached pages does not do it again for every page.
 */
export async function cleanPrintedPdf(bytes: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, loadOptions);
  dropUnusedSoftHyphens(doc);
  repairSplitLigatures(doc);
  return doc.save({ useObjectStreams: false, objectsPerTick: Infinity });
}

/**
 * Adds metadata, outline and page labels to PDFs of the pages (cleaned by
 * `cleanPrintedPdf`); given several (the chunks of an issue, in page order), joins their pages
 * into one first.
 */
export async function finishPdf(bytes: Uint8Array | readonly PdfPart[], facts: PdfFacts): Promise<Uint8Array> {
  const doc = bytes instanceof Uint8Array ? await PDFDocument.load(bytes, loadOptions) : await joinPdfs(bytes);
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

/** Read in one go, not a timer tick every 100 objects as pdf-lib does by default. */
const loadOptions = { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest };

/** Some pages of a PDF: `count` pages from page `first` (0-based). */
export interface PdfPart {
  bytes: Uint8Array;
  first: number;
  count: number;
}

/**
 * The pages of several PDFs, in order, in one document; each PDF is read once. Chromium's
 * tagged PDFs keep their structure: the joined document has one structure tree, a Document
 * element holding each part's elements in page order (see `joinStructure`).
 */
export async function joinPdfs(parts: readonly PdfPart[]): Promise<PDFDocument> {
  const loaded = new Map<Uint8Array, PDFDocument>();
  const only = parts[0];
  if (parts.length === 1 && only) {
    const doc = await PDFDocument.load(only.bytes, loadOptions);
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
    const source = loaded.get(run.bytes) ?? (await PDFDocument.load(run.bytes, loadOptions));
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
  const lang = [...sources.values()].map((source) => source.doc.catalog.get(names.lang)).find((value) => value !== undefined);
  if (lang) doc.catalog.set(names.lang, lang.clone());
  return doc;
}

/** A source PDF of a join: its pages, a copier into the joined document, its structure tree. */
interface JoinSource {
  doc: PDFDocument;
  pages: PDFPage[];
  /** Source reference to joined-document reference, for everything copied so far. */
  refs: Map<PDFRef, PDFRef>;
  copy: (object: PDFObject) => PDFObject;
  /** Absent when the source is not tagged. */
  tree?: SourceTree;
}

/** A source's structure tree, and on which of its pages each element's content lies. */
interface SourceTree {
  root: PDFDict;
  pageIndex: Map<PDFRef, number>;
  /** The page each annotation sits on, for an object reference that names no page. */
  annotPages: Map<PDFRef, number>;
  /** First and last source page (0-based) of an element's content; none for an element without content. */
  extents: Map<PDFDict, { first: number; last: number }>;
}

/** A run of pages as placed in the joined document: source pages from `first`, and their new references. */
interface PlacedRun {
  source: JoinSource;
  first: number;
  refs: PDFRef[];
}

/** The names the structure tree is read and written with. */
const names = {
  type: PDFName.of('Type'),
  s: PDFName.of('S'),
  k: PDFName.of('K'),
  p: PDFName.of('P'),
  pg: PDFName.of('Pg'),
  lang: PDFName.of('Lang'),
  mcid: PDFName.of('MCID'),
  obj: PDFName.of('Obj'),
  stm: PDFName.of('Stm'),
  structParents: PDFName.of('StructParents'),
  structParent: PDFName.of('StructParent'),
  annots: PDFName.of('Annots'),
  parent: PDFName.of('Parent'),
  mcr: PDFName.of('MCR'),
  objr: PDFName.of('OBJR'),
  document: PDFName.of('Document'),
};

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
  leaf.delete(names.parent);
  return copy(leaf) as PDFPageLeaf;
}

/** The kids of a struct element (or the tree root), each looked up. */
function kidsOf(context: PDFContext, element: PDFDict): PDFObject[] {
  const kids = element.get(names.k);
  if (kids === undefined) return [];
  const value = context.lookup(kids);
  const list = value instanceof PDFArray ? value.asArray() : [kids];
  return list.map((kid) => context.lookup(kid)).filter((kid): kid is PDFObject => kid !== undefined);
}

/** What a kid is: marked content on the parent's page, a marked-content or object reference, or an element. */
function kindOf(kid: PDFObject): 'mcid' | 'mcr' | 'objr' | 'element' | undefined {
  if (kid instanceof PDFNumber) return 'mcid';
  if (!(kid instanceof PDFDict)) return undefined;
  const type = kid.get(names.type);
  if (type === names.mcr) return 'mcr';
  if (type === names.objr) return 'objr';
  return kid.has(names.s) ? 'element' : undefined;
}

/** The source page an element's own content lies on: its /Pg, else (leniently) its parent's. */
function pageOf(element: PDFDict, pageIndex: Map<PDFRef, number>, inherited: number | undefined): number | undefined {
  const pg = element.get(names.pg);
  return pg instanceof PDFRef ? pageIndex.get(pg) : inherited;
}

/** Reads a source's structure tree once: which pages each element's content lies on. */
function measureTree(doc: PDFDocument, root: PDFDict, pages: readonly PDFPage[]): SourceTree {
  const context = doc.context;
  const pageIndex = new Map(pages.map((page, index) => [page.ref, index]));
  const annotPages = new Map<PDFRef, number>();
  pages.forEach((page, index) => {
    const annots = page.node.lookupMaybe(names.annots, PDFArray);
    for (const annot of annots?.asArray() ?? []) if (annot instanceof PDFRef) annotPages.set(annot, index);
  });
  const extents = new Map<PDFDict, { first: number; last: number }>();
  const seen = new Set<PDFDict>();
  const measure = (element: PDFDict, inherited: number | undefined): { first: number; last: number } | undefined => {
    if (seen.has(element)) return extents.get(element);
    seen.add(element);
    const page = pageOf(element, pageIndex, inherited);
    // Content on a page the document does not have widens nothing, but still counts as content.
    let extent: { first: number; last: number } | undefined;
    const widen = (first: number | undefined, last = first) => {
      extent ??= { first: Infinity, last: -Infinity };
      if (first !== undefined && last !== undefined) {
        extent.first = Math.min(extent.first, first);
        extent.last = Math.max(extent.last, last);
      }
    };
    for (const kid of kidsOf(context, element)) {
      const kind = kindOf(kid);
      if (kind === 'mcid') widen(page);
      else if (kind === 'mcr') widen(pageOf(kid as PDFDict, pageIndex, page));
      else if (kind === 'objr') {
        const obj = (kid as PDFDict).get(names.obj);
        widen(pageOf(kid as PDFDict, pageIndex, page) ?? (obj instanceof PDFRef ? annotPages.get(obj) : undefined));
      } else if (kind === 'element') {
        const inner = measure(kid as PDFDict, page);
        if (inner) widen(inner.first, inner.last);
      }
    }
    if (extent) extents.set(element, extent);
    return extent;
  };
  for (const kid of kidsOf(context, root)) if (kindOf(kid) === 'element') measure(kid as PDFDict, undefined);
  return { root, pageIndex, annotPages, extents };
}

/**
 * One structure tree for the joined pages. Each run of pages gets the elements whose content lies
 * on its pages, /Pg pointing at the copies; an element whose content spans pages of two runs is
 * split, each run keeping a copy with the kids on its own pages (an element without content goes
 * with the first copy of its parent). A source's top-level Document element is merged into the
 * joined one, its /Lang handed down where it differs. Every page of a tagged source gets
 * /StructParents equal to its 0-based page index, annotations the keys after them, and a fresh
 * /ParentTree maps them to the copied elements.
 */
function joinStructure(doc: PDFDocument, placed: readonly PlacedRun[]): void {
  const context = doc.context;
  const tagged = placed.filter((run) => run.source.tree);
  // Keys of the sources mean nothing here: the tree below sets them anew.
  for (const { refs } of placed) {
    for (const ref of refs) {
      const page = context.lookup(ref, PDFDict);
      page.delete(names.structParents);
      for (const annot of page.lookupMaybe(names.annots, PDFArray)?.asArray() ?? []) {
        const dict = context.lookup(annot);
        if (dict instanceof PDFDict) dict.delete(names.structParent);
      }
    }
  }
  const firstSource = tagged[0]?.source;
  if (!firstSource?.tree) return;

  const rootRef = context.nextRef();
  const documentRef = context.nextRef();
  const isDocument = (kid: PDFObject): kid is PDFDict => kindOf(kid) === 'element' && (kid as PDFDict).get(names.s) === names.document;
  const lang = kidsOf(firstSource.doc.context, firstSource.tree.root).find(isDocument)?.get(names.lang);
  const document = context.obj({ Type: 'StructElem', S: 'Document', P: rootRef });
  if (lang) document.set(names.lang, lang.clone());

  /** Per joined page, the element of each MCID. */
  const markedContent = new Map<PDFRef, PDFObject[]>();
  const objects: Array<{ object: PDFDict; element: PDFRef }> = [];
  const placedEmpty = new Set<PDFDict>();
  const documentKids: PDFObject[] = [];

  for (const { source, first, refs } of tagged) {
    const tree = source.tree as SourceTree;
    const from = source.doc.context;
    const last = first + refs.length;
    const pageRef = (page: number | undefined) => (page !== undefined && page >= first && page < last ? refs[page - first] : undefined);
    const mark = (page: PDFRef, mcid: number, element: PDFRef) => {
      const list = markedContent.get(page) ?? [];
      list[mcid] = element;
      markedContent.set(page, list);
    };
    /** The kids of a source element that belong to this run, copied, for the element at `owner`. */
    const copyKids = (element: PDFDict, owner: PDFRef, page: number | undefined): PDFObject[] => {
      const kids: PDFObject[] = [];
      const ownPage = pageRef(page);
      for (const kid of kidsOf(from, element)) {
        const kind = kindOf(kid);
        if (kind === 'mcid') {
          if (!ownPage) continue;
          kids.push(kid.clone());
          mark(ownPage, (kid as PDFNumber).asNumber(), owner);
        } else if (kind === 'mcr') {
          const mcr = kid as PDFDict;
          const at = pageRef(pageOf(mcr, tree.pageIndex, page));
          if (!at) continue;
          const copied = context.obj({ Type: 'MCR', Pg: at });
          for (const [key, value] of mcr.entries()) if (key !== names.pg && key !== names.type) copied.set(key, source.copy(value));
          kids.push(copied);
          const mcid = mcr.get(names.mcid);
          // Marked content inside a form XObject belongs to the form's own /StructParents, not kept here.
          if (mcid instanceof PDFNumber && !mcr.has(names.stm)) mark(at, mcid.asNumber(), owner);
        } else if (kind === 'objr') {
          const objr = kid as PDFDict;
          const obj = objr.get(names.obj);
          const at = pageRef(pageOf(objr, tree.pageIndex, page) ?? (obj instanceof PDFRef ? tree.annotPages.get(obj) : undefined));
          if (!at || !(obj instanceof PDFRef)) continue;
          const target = source.copy(obj) as PDFRef;
          kids.push(context.obj({ Type: 'OBJR', Pg: at, Obj: target }));
          const object = context.lookup(target);
          const original = from.lookup(obj);
          if (object instanceof PDFDict && original instanceof PDFDict && original.has(names.structParent)) objects.push({ object, element: owner });
        } else if (kind === 'element') {
          const copied = copyElement(kid as PDFDict, owner, page);
          if (copied) kids.push(copied);
        }
      }
      return kids;
    };
    const copyElement = (element: PDFDict, parent: PDFRef, inherited: number | undefined): PDFRef | undefined => {
      const extent = tree.extents.get(element);
      if (extent ? extent.first >= last || extent.last < first : placedEmpty.has(element)) return undefined;
      if (!extent) placedEmpty.add(element);
      const ref = context.nextRef();
      const copied = context.obj({});
      for (const [key, value] of element.entries()) {
        if (key !== names.p && key !== names.k && key !== names.pg) copied.set(key, source.copy(value));
      }
      copied.set(names.p, parent);
      const page = pageOf(element, tree.pageIndex, inherited);
      const at = pageRef(page);
      if (at) copied.set(names.pg, at);
      const kids = copyKids(element, ref, page);
      if (kids.length === 1) copied.set(names.k, kids[0] as PDFObject);
      else if (kids.length > 1) copied.set(names.k, context.obj(kids));
      context.assign(ref, copied);
      return ref;
    };

    for (const top of kidsOf(from, tree.root)) {
      if (kindOf(top) !== 'element') continue;
      const element = top as PDFDict;
      if (!isDocument(element)) {
        const copied = copyElement(element, documentRef, undefined);
        if (copied) documentKids.push(copied);
        continue;
      }
      const kids = copyKids(element, documentRef, pageOf(element, tree.pageIndex, undefined));
      const ownLang = element.get(names.lang);
      if (ownLang && ownLang.toString() !== lang?.toString()) {
        for (const kid of kids) {
          const dict = kid instanceof PDFRef ? context.lookup(kid) : undefined;
          if (dict instanceof PDFDict && !dict.has(names.lang)) dict.set(names.lang, ownLang.clone());
        }
      }
      documentKids.push(...kids);
    }
  }
  document.set(names.k, context.obj(documentKids));
  context.assign(documentRef, document);

  const nums: PDFObject[] = [];
  const taggedPages = new Set(tagged.flatMap((run) => run.refs));
  doc.getPages().forEach((page, index) => {
    if (!taggedPages.has(page.ref)) return;
    page.node.set(names.structParents, PDFNumber.of(index));
    const elements = markedContent.get(page.ref) ?? [];
    nums.push(PDFNumber.of(index), context.register(context.obj(Array.from(elements, (element) => element ?? PDFNull))));
  });
  let nextKey = doc.getPageCount();
  for (const { object, element } of objects) {
    object.set(names.structParent, PDFNumber.of(nextKey));
    nums.push(PDFNumber.of(nextKey), element);
    nextKey += 1;
  }
  const root = context.obj({ Type: 'StructTreeRoot', K: documentRef, ParentTree: context.register(context.obj({ Nums: nums })), ParentTreeNextKey: nextKey });
  // Role and class maps are merged, the first source's entry winning a clash.
  for (const name of ['RoleMap', 'ClassMap']) {
    const merged = context.obj({});
    for (const { source } of tagged) {
      const map = source.tree?.root.lookupMaybe(PDFName.of(name), PDFDict);
      for (const [key, value] of map?.entries() ?? []) if (!merged.has(key)) merged.set(key, source.copy(value));
    }
    if (merged.keys().length > 0) root.set(PDFName.of(name), merged);
  }
  context.assign(rootRef, root);
  const catalog = doc.catalog;
  catalog.set(PDFName.of('StructTreeRoot'), rootRef);
  catalog.set(PDFName.of('MarkInfo'), context.obj({ Marked: true }));
}

/**
 * Chromium draws every soft hyphen: one a line broke at as a visible hyphen, one it did not as
 * an invisible zero-width glyph, both marked `ActualText U+00AD`. The unused ones then sit
 * inside words of the text layer ("co\u00ADop\u00ADer\u00ADa\u00ADtion"), and search and copy
 * suffer. An unused one is known by its glyph: the one a zero move (`0 0 Td`) follows, in the
 * font of the moment. Those glyphs are dropped; the page looks the same, used hyphens stay.
 * A soft hyphen inside a ligature ("signif\u00ADicant", shaped through the hyphen as one `fi`
 * glyph) has no glyph of its own: it sits in the `ActualText` of the ligature's span
 * (`<FEFF006600AD0069>`), and is taken out of that text.
 */
export function dropUnusedSoftHyphens(doc: PDFDocument): number {
  // An ActualText of two or more UTF-16 units one of which is U+00AD.
  const ligatureText = /\/ActualText <FEFF((?:[0-9A-Fa-f]{4})*00[Aa][Dd](?:[0-9A-Fa-f]{4})*)>/g;
  const span = /\/Span<<\/ActualText <FEFF00AD> >> BDC\n(-?[\d.]+ -?[\d.]+ Td) <([0-9A-Fa-f]+)> Tj\nEMC\n/g;
  const font = /\/(\S+) -?[\d.]+ Tf/g;
  let dropped = 0;
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    const filter = object.dict.get(PDFName.of('Filter'));
    if (filter !== undefined && filter !== PDFName.of('FlateDecode')) continue;
    // Node's zlib, not pdf-lib's JavaScript inflate and deflate: a few times faster on an issue.
    const plain = filter === undefined || object.dict.has(PDFName.of('DecodeParms')) ? decodePDFRawStream(object).decode() : inflateSync(object.contents);
    const text = Buffer.from(plain).toString('latin1');
    const inLigature = ligatureText.test(text);
    ligatureText.lastIndex = 0;
    if (!text.includes('/ActualText <FEFF00AD>') && !inLigature) continue;
    // The font in force at each offset, from the Tf operators before it.
    const fonts = [...text.matchAll(font)].map((m) => ({ at: m.index ?? 0, name: m[1] as string }));
    const fontAt = (at: number) => fonts.filter((f) => f.at < at).at(-1)?.name ?? '';
    const invisible = new Set<string>();
    for (const m of text.matchAll(span)) {
      const end = (m.index ?? 0) + m[0].length;
      if (text.startsWith('0 0 Td ', end)) invisible.add(`${fontAt(m.index ?? 0)} ${m[2]}`);
    }
    const cleaned = text
      .replace(span, (whole: string, move: string, glyph: string, at: number) => {
        if (!invisible.has(`${fontAt(at)} ${glyph}`)) return whole;
        dropped += 1;
        return `${move}\n`;
      })
      .replace(ligatureText, (whole: string, units: string) => {
        const kept = (units.match(/.{4}/gu) ?? []).filter((unit) => unit.toUpperCase() !== '00AD');
        if (kept.length === units.length / 4 || kept.length === 0) return whole;
        dropped += 1;
        return `/ActualText <FEFF${kept.join('')}>`;
      });
    const stream = doc.context.stream(deflateSync(Buffer.from(cleaned, 'latin1')), { Filter: 'FlateDecode' });
    for (const [key, value] of object.dict.entries()) {
      if (key !== PDFName.of('Length') && key !== PDFName.of('Filter') && key !== PDFName.of('DecodeParms')) stream.dict.set(key, value);
    }
    doc.context.assign(ref, stream);
  }
  return dropped;
}
