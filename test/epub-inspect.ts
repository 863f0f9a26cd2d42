/**
 * Looks inside a built EPUB for the EPUB tests: its zip structure, its package document, its
 * content documents parsed as XML, and the words of its text beside those of the manuscript.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import JSZip from 'jszip';

export const XHTML = 'http://www.w3.org/1999/xhtml';
export const OPS = 'http://www.idpf.org/2007/ops';
const OPF = 'http://www.idpf.org/2007/opf';

/** The first entry of a zip, read from its local file header (what a reader sees first). */
export function firstEntry(zip: Buffer): { name: string; method: number; extraLength: number; data: string } {
  if (zip.readUInt32LE(0) !== 0x04034b50) throw new Error('not a zip: no local file header at offset 0');
  const method = zip.readUInt16LE(8);
  const size = zip.readUInt32LE(18);
  const nameLength = zip.readUInt16LE(26);
  const extraLength = zip.readUInt16LE(28);
  const name = zip.subarray(30, 30 + nameLength).toString('latin1');
  const start = 30 + nameLength + extraLength;
  return { name, method, extraLength, data: zip.subarray(start, start + size).toString('latin1') };
}

/** Parses XML strictly: any well-formedness error throws. */
export function parseXml(text: string, where: string): Document {
  const parser = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') throw new Error(`${where}: ${msg}`);
    },
  });
  return parser.parseFromString(text, 'application/xml');
}

/** Every element of a document in document order. */
export function allElements(node: Document | Element): Element[] {
  const found: Element[] = [];
  const walk = (parent: Document | Element) => {
    for (let child = parent.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) {
        found.push(child as Element);
        walk(child as Element);
      }
    }
  };
  walk(node);
  return found;
}

/** `epub:type` of an element, as a list. */
export function epubTypes(element: Element): string[] {
  return (element.getAttributeNS(OPS, 'type') ?? '').split(/\s+/).filter(Boolean);
}

/** An opened EPUB: its files, its package document and its spine in reading order. */
export interface OpenedEpub {
  files: Map<string, Buffer>;
  /** Folder of the package document inside the zip, with a trailing slash. */
  base: string;
  opf: Document;
  /** Manifest hrefs of the spine, in reading order. */
  spine: string[];
  text(href: string): string;
  xhtml(href: string): Document;
}

/** Opens an EPUB and reads its package document. */
export async function openEpub(data: Buffer): Promise<OpenedEpub> {
  const zip = await JSZip.loadAsync(data);
  const files = new Map<string, Buffer>();
  for (const entry of Object.values(zip.files)) if (!entry.dir) files.set(entry.name, await entry.async('nodebuffer'));
  const container = parseXml(files.get('META-INF/container.xml')?.toString('utf8') ?? '', 'container.xml');
  const rootfile = container.getElementsByTagName('rootfile')[0]?.getAttribute('full-path') ?? '';
  const base = rootfile.includes('/') ? rootfile.slice(0, rootfile.lastIndexOf('/') + 1) : '';
  const opf = parseXml(files.get(rootfile)?.toString('utf8') ?? '', rootfile);
  const items = new Map<string, string>();
  for (const item of Array.from(opf.getElementsByTagNameNS(OPF, 'item'))) items.set(item.getAttribute('id') ?? '', item.getAttribute('href') ?? '');
  const spine = Array.from(opf.getElementsByTagNameNS(OPF, 'itemref')).map((ref) => items.get(ref.getAttribute('idref') ?? '') ?? '');
  const text = (href: string) => {
    const file = files.get(base + href);
    if (!file) throw new Error(`missing ${base + href}`);
    return file.toString('utf8');
  };
  return { files, base, opf, spine, text, xhtml: (href) => parseXml(text(href), href) };
}

/** Letters and digits in runs; each CJK ideograph on its own, as CJK has no spaces to go by. */
export function words(text: string): string[] {
  return text.normalize('NFC').match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The words a reader should find of one chapter file, by a deliberately small reading of its
 * Markdown (a test oracle, not a second pipeline): front matter, page markers, footnote labels,
 * directive fences, HTML tags and backslash escapes are not text.
 */
export function manuscriptWords(markdown: string): string[] {
  const body = markdown.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
  const text = body
    .replace(/:page\[[^\]]*\]/g, '')
    .replace(/\[\^[^\]]+\]:?/g, '')
    .replace(/^:::.*$/gm, '')
    .replace(/(?<!\\)<[^>]+>/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/&amp;/g, '&');
  return words(text);
}

/** The words of a content document's body, less footnote call labels and back links. */
export function documentWords(doc: Document): string[] {
  const body = doc.getElementsByTagNameNS(XHTML, 'body')[0];
  if (!body) return [];
  const parts: string[] = [];
  const walk = (node: Element) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) parts.push(child.nodeValue ?? '');
      else if (child.nodeType === 1) {
        const element = child as Element;
        if (epubTypes(element).includes('noteref') || element.getAttribute('role') === 'doc-backlink') continue;
        walk(element);
      }
    }
  };
  walk(body);
  return words(parts.join(''));
}
