/**
 * The structure trees of PDFs being joined: each source's tree read once (on which pages each
 * element's content lies), then one tree for the joined pages (`joinStructure`).
 */
import { PDFArray, type PDFContext, PDFDict, PDFDocument, PDFName, PDFNull, PDFNumber, type PDFObject, PDFPage, PDFRef } from 'pdf-lib';

/** A source PDF of a join: its pages, a copier into the joined document, its structure tree. */
export interface JoinSource {
  doc: PDFDocument;
  pages: PDFPage[];
  /** Source reference to joined-document reference, for everything copied so far. */
  refs: Map<PDFRef, PDFRef>;
  copy: (object: PDFObject) => PDFObject;
  /** Absent when the source is not tagged. */
  tree?: SourceTree;
}

/** A source's structure tree, and on which of its pages each element's content lies. */
export interface SourceTree {
  root: PDFDict;
  pageIndex: Map<PDFRef, number>;
  /** The page each annotation sits on, for an object reference that names no page. */
  annotPages: Map<PDFRef, number>;
  /** First and last source page (0-based) of an element's content; none for an element without content. */
  extents: Map<PDFDict, { first: number; last: number }>;
}

/** A run of pages as placed in the joined document: source pages from `first`, and their new references. */
export interface PlacedRun {
  source: JoinSource;
  first: number;
  refs: PDFRef[];
}

/** The names the structure tree is read and written with. */
export const structureNames = {
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


/** The kids of a struct element (or the tree root), each looked up. */
function kidsOf(context: PDFContext, element: PDFDict): PDFObject[] {
  const kids = element.get(structureNames.k);
  if (kids === undefined) return [];
  const value = context.lookup(kids);
  const list = value instanceof PDFArray ? value.asArray() : [kids];
  return list.map((kid) => context.lookup(kid)).filter((kid): kid is PDFObject => kid !== undefined);
}

/** What a kid is: marked content on the parent's page, a marked-content or object reference, or an element. */
function kindOf(kid: PDFObject): 'mcid' | 'mcr' | 'objr' | 'element' | undefined {
  if (kid instanceof PDFNumber) return 'mcid';
  if (!(kid instanceof PDFDict)) return undefined;
  const type = kid.get(structureNames.type);
  if (type === structureNames.mcr) return 'mcr';
  if (type === structureNames.objr) return 'objr';
  return kid.has(structureNames.s) ? 'element' : undefined;
}

/** The source page an element's own content lies on: its /Pg, else (leniently) its parent's. */
function pageOf(element: PDFDict, pageIndex: Map<PDFRef, number>, inherited: number | undefined): number | undefined {
  const pg = element.get(structureNames.pg);
  return pg instanceof PDFRef ? pageIndex.get(pg) : inherited;
}

/** Reads a source's structure tree once: which pages each element's content lies on. */
export function measureTree(doc: PDFDocument, root: PDFDict, pages: readonly PDFPage[]): SourceTree {
  const context = doc.context;
  const pageIndex = new Map(pages.map((page, index) => [page.ref, index]));
  const annotPages = new Map<PDFRef, number>();
  pages.forEach((page, index) => {
    const annots = page.node.lookupMaybe(structureNames.annots, PDFArray);
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
        const obj = (kid as PDFDict).get(structureNames.obj);
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
export function joinStructure(doc: PDFDocument, placed: readonly PlacedRun[]): void {
  const context = doc.context;
  const tagged = placed.filter((run) => run.source.tree);
  // Keys of the sources mean nothing here: the tree below sets them anew.
  for (const { refs } of placed) {
    for (const ref of refs) {
      const page = context.lookup(ref, PDFDict);
      page.delete(structureNames.structParents);
      for (const annot of page.lookupMaybe(structureNames.annots, PDFArray)?.asArray() ?? []) {
        const dict = context.lookup(annot);
        if (dict instanceof PDFDict) dict.delete(structureNames.structParent);
      }
    }
  }
  const firstSource = tagged[0]?.source;
  if (!firstSource?.tree) return;

  const rootRef = context.nextRef();
  const documentRef = context.nextRef();
  const isDocument = (kid: PDFObject): kid is PDFDict => kindOf(kid) === 'element' && (kid as PDFDict).get(structureNames.s) === structureNames.document;
  const lang = kidsOf(firstSource.doc.context, firstSource.tree.root).find(isDocument)?.get(structureNames.lang);
  const document = context.obj({ Type: 'StructElem', S: 'Document', P: rootRef });
  if (lang) document.set(structureNames.lang, lang.clone());

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
          for (const [key, value] of mcr.entries()) if (key !== structureNames.pg && key !== structureNames.type) copied.set(key, source.copy(value));
          kids.push(copied);
          const mcid = mcr.get(structureNames.mcid);
          // Marked content inside a form XObject belongs to the form's own /StructParents, not kept here.
          if (mcid instanceof PDFNumber && !mcr.has(structureNames.stm)) mark(at, mcid.asNumber(), owner);
        } else if (kind === 'objr') {
          const objr = kid as PDFDict;
          const obj = objr.get(structureNames.obj);
          const at = pageRef(pageOf(objr, tree.pageIndex, page) ?? (obj instanceof PDFRef ? tree.annotPages.get(obj) : undefined));
          if (!at || !(obj instanceof PDFRef)) continue;
          const target = source.copy(obj) as PDFRef;
          kids.push(context.obj({ Type: 'OBJR', Pg: at, Obj: target }));
          const object = context.lookup(target);
          const original = from.lookup(obj);
          if (object instanceof PDFDict && original instanceof PDFDict && original.has(structureNames.structParent)) objects.push({ object, element: owner });
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
        if (key !== structureNames.p && key !== structureNames.k && key !== structureNames.pg) copied.set(key, source.copy(value));
      }
      copied.set(structureNames.p, parent);
      const page = pageOf(element, tree.pageIndex, inherited);
      const at = pageRef(page);
      if (at) copied.set(structureNames.pg, at);
      const kids = copyKids(element, ref, page);
      if (kids.length === 1) copied.set(structureNames.k, kids[0] as PDFObject);
      else if (kids.length > 1) copied.set(structureNames.k, context.obj(kids));
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
      const ownLang = element.get(structureNames.lang);
      if (ownLang && ownLang.toString() !== lang?.toString()) {
        for (const kid of kids) {
          const dict = kid instanceof PDFRef ? context.lookup(kid) : undefined;
          if (dict instanceof PDFDict && !dict.has(structureNames.lang)) dict.set(structureNames.lang, ownLang.clone());
        }
      }
      documentKids.push(...kids);
    }
  }
  document.set(structureNames.k, context.obj(documentKids));
  context.assign(documentRef, document);

  const nums: PDFObject[] = [];
  const taggedPages = new Set(tagged.flatMap((run) => run.refs));
  doc.getPages().forEach((page, index) => {
    if (!taggedPages.has(page.ref)) return;
    page.node.set(structureNames.structParents, PDFNumber.of(index));
    const elements = markedContent.get(page.ref) ?? [];
    nums.push(PDFNumber.of(index), context.register(context.obj(Array.from(elements, (element) => element ?? PDFNull))));
  });
  let nextKey = doc.getPageCount();
  for (const { object, element } of objects) {
    object.set(structureNames.structParent, PDFNumber.of(nextKey));
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
