/**
 * The PDF's objects as pdf-lib reads them, once: the page count, the page labels, and for every
 * page a digest of what its picture is drawn from (its content streams, the resources they use
 * with the fonts, images and forms behind them, its boxes and rotation, its annotations).
 *
 * The digest is made of the objects themselves, never of their numbers, so a page copied
 * unchanged into another PDF (a cached chunk joined again) keeps it, and a page whose content,
 * fonts or size change gets another: the proof renders a page only when its digest is new.
 */
import { createHash, type Hash } from 'node:crypto';
import { PDFArray, PDFBool, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNull, PDFNumber, PDFPageLeaf, PDFRef, PDFStream, PDFString, ParseSpeeds, type PDFObject } from 'pdf-lib';

/** What the check reads of a PDF's objects. */
export interface PdfObjects {
  pageCount: number;
  /** The page labels (`/PageLabels`), one per page, or undefined when the PDF has none or they do not read. */
  labels: string[] | undefined;
  /** Per page, a hex digest of everything its rendering depends on. */
  pageDigests: string[];
}

/** What a page is drawn from; the rest of a page dictionary (its parent, structure, tab order) draws nothing. */
const drawnFrom = ['MediaBox', 'CropBox', 'Rotate', 'UserUnit', 'Group', 'Contents', 'Resources', 'Annots'].map((k) => PDFName.of(k));
/** Keys that point back into the document's structure, not at anything drawn. */
const structural = new Set(['/Parent', '/StructParent', '/StructParents']);

/**
 * Digests of objects by their content. An indirect object's digest is computed once, so a font
 * all pages share is read once; a reference to a page (a link's destination, an annotation's
 * page) stands as the word `page`, since what it points at is not drawn on this page.
 */
class ObjectDigests {
  private readonly done = new Map<PDFRef, string>();
  private readonly busy = new Set<PDFRef>();
  constructor(private readonly doc: PDFDocument) {}

  /** The digest of one indirect object. */
  ofRef(ref: PDFRef): string {
    const known = this.done.get(ref);
    if (known !== undefined) return known;
    // A cycle (a field and its widget naming each other) is cut where it closes.
    if (this.busy.has(ref)) return 'cycle';
    const object = this.doc.context.lookup(ref);
    if (object instanceof PDFPageLeaf || (object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of('Page'))) return 'page';
    this.busy.add(ref);
    const hash = createHash('sha256');
    this.feed(hash, object);
    const digest = hash.digest('base64');
    this.busy.delete(ref);
    this.done.set(ref, digest);
    return digest;
  }

  /** Feeds an object into a hash, references by the digest of what they point at. */
  feed(hash: Hash, object: PDFObject | undefined): void {
    if (object === undefined) hash.update('undefined ');
    else if (object instanceof PDFRef) hash.update(`R(${this.ofRef(object)}) `);
    else if (object instanceof PDFStream) {
      const contents = object.getContents();
      hash.update('stream ');
      this.feedDict(hash, object.dict, new Set(['/Length']));
      hash.update(`${contents.length}:`);
      hash.update(contents);
    } else if (object instanceof PDFDict) this.feedDict(hash, object, structural);
    else if (object instanceof PDFArray) {
      hash.update('[ ');
      for (const item of object.asArray()) this.feed(hash, item);
      hash.update('] ');
    } else if (object instanceof PDFName || object instanceof PDFNumber || object instanceof PDFString || object instanceof PDFHexString || object instanceof PDFBool || object === PDFNull) {
      hash.update(`${object.toString()} `);
    } else hash.update(`${object.constructor.name} ${object.toString()} `);
  }

  private feedDict(hash: Hash, dict: PDFDict, skip: ReadonlySet<string>): void {
    const entries = dict
      .entries()
      .map(([k, v]) => [k.toString(), v] as const)
      .filter(([k]) => !skip.has(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update('<< ');
    for (const [k, v] of entries) {
      hash.update(`${k} `);
      this.feed(hash, v);
    }
    hash.update('>> ');
  }
}

/** The pages of the document in order, as the page tree holds them. */
function pageLeaves(doc: PDFDocument): PDFPageLeaf[] {
  const leaves: PDFPageLeaf[] = [];
  doc.catalog.Pages().traverse((node) => {
    if (node instanceof PDFPageLeaf) leaves.push(node);
  });
  return leaves;
}

/** Digests of every page's rendering. Document-wide things that show on pages (optional content, forms) count on each. */
export function pageDigests(doc: PDFDocument): string[] {
  const digests = new ObjectDigests(doc);
  const whole = createHash('sha256');
  for (const key of ['OCProperties', 'AcroForm']) {
    whole.update(`${key} `);
    digests.feed(whole, doc.catalog.get(PDFName.of(key)));
  }
  const documentWide = whole.digest('base64');
  return pageLeaves(doc).map((leaf) => {
    const hash = createHash('sha256');
    hash.update(documentWide);
    for (const key of drawnFrom) {
      hash.update(` ${key.toString()} `);
      // Boxes, resources and rotation may be inherited from the page tree.
      digests.feed(hash, leaf.getInheritableAttribute(key) ?? leaf.get(key));
    }
    return hash.digest('hex');
  });
}

const romanNumerals = ['', 'C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM', '', 'X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC', '', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'];

function roman(n: number): string {
  return 'M'.repeat(Math.floor(n / 1000)) + (romanNumerals[Math.floor((n % 1000) / 100)] ?? '') + (romanNumerals[10 + Math.floor((n % 100) / 10)] ?? '') + (romanNumerals[20 + (n % 10)] ?? '');
}

/** The entries of a number tree (`Nums`, and `Kids` below), by key. */
function numberTree(doc: PDFDocument, root: PDFObject | undefined, out = new Map<number, PDFObject>(), seen = new Set<PDFObject>()): Map<number, PDFObject> {
  const node = root instanceof PDFRef ? doc.context.lookup(root) : root;
  if (!(node instanceof PDFDict) || seen.has(node)) return out;
  seen.add(node);
  const nums = node.lookup(PDFName.of('Nums'));
  if (nums instanceof PDFArray) {
    for (let i = 0; i + 1 < nums.size(); i += 2) {
      const key = nums.lookup(i);
      const value = nums.get(i + 1);
      if (key instanceof PDFNumber && value !== undefined) out.set(key.asNumber(), value instanceof PDFRef ? doc.context.lookup(value) ?? value : value);
    }
  }
  const kids = node.lookup(PDFName.of('Kids'));
  if (kids instanceof PDFArray) for (const kid of kids.asArray()) numberTree(doc, kid, out, seen);
  return out;
}

/**
 * The page labels of a document, read as PDF 32000-1 §12.4.2 (and pdf.js) reads them: each range
 * starts at a page, with a prefix, a numbering style and a first number. Undefined when the
 * document has none, or when a label dictionary is malformed (pdf.js then shows none either).
 */
export function pageLabels(doc: PDFDocument, pageCount: number): string[] | undefined {
  const root = doc.catalog.get(PDFName.of('PageLabels'));
  if (root === undefined) return undefined;
  const ranges = numberTree(doc, root);
  const labels: string[] = [];
  let style: string | undefined;
  let prefix = '';
  let index = 1;
  for (let page = 0; page < pageCount; page += 1) {
    const range = ranges.get(page);
    if (range !== undefined) {
      if (!(range instanceof PDFDict)) return undefined;
      const type = range.lookup(PDFName.of('Type'));
      if (type !== undefined && type !== PDFName.of('PageLabel')) return undefined;
      const s = range.lookup(PDFName.of('S'));
      if (s !== undefined && !(s instanceof PDFName)) return undefined;
      style = s?.decodeText();
      const p = range.lookup(PDFName.of('P'));
      if (p !== undefined && !(p instanceof PDFString || p instanceof PDFHexString)) return undefined;
      prefix = p?.decodeText() ?? '';
      const st = range.lookup(PDFName.of('St'));
      if (st !== undefined && !(st instanceof PDFNumber && Number.isInteger(st.asNumber()) && st.asNumber() >= 1)) return undefined;
      index = st?.asNumber() ?? 1;
    }
    let label: string;
    if (style === 'D') label = String(index);
    else if (style === 'R' || style === 'r') label = style === 'r' ? roman(index).toLowerCase() : roman(index);
    else if (style === 'A' || style === 'a') label = String.fromCharCode((style === 'a' ? 0x61 : 0x41) + ((index - 1) % 26)).repeat(Math.floor((index - 1) / 26) + 1);
    else if (style === undefined) label = '';
    else return undefined;
    labels.push(prefix + label);
    index += 1;
  }
  return labels;
}

/** Reads a PDF's page count, page labels and page digests. Throws when the bytes are no PDF. */
export async function readPdfObjects(bytes: Uint8Array): Promise<PdfObjects> {
  // One pass without yielding: nothing else waits on this thread meanwhile but child processes.
  const doc = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  const pageDigestsRead = pageDigests(doc);
  return { pageCount: pageDigestsRead.length, labels: pageLabels(doc, pageDigestsRead.length), pageDigests: pageDigestsRead };
}
