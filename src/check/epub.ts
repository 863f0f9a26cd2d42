/**
 * EPUB against the original: the page-list names every printed page in order and each target
 * exists; the text from page-break N to page-break N+1 (its footnotes counted where they are
 * called) is the original page's text; every noteref resolves; and the book as a whole holds
 * the manuscript's words, none lost and none doubled.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { readZip } from '../epub/zip.js';
import { message, type Message } from '../messages.js';
import type { StagePage, StageSummary } from './report.js';
import { comparePage, listWords, problemsOf, wordsMessage, type Originals } from './pages.js';
import { words } from './words.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** The text of an EPUB as read page by page. */
export interface EpubPages {
  /** Words of each printed page, in reading order, footnotes counted on their calling page. */
  pages: Map<number, string[]>;
  /** Page-breaks in reading order, with the document that holds each. */
  breaks: { page: number; label: string; doc: string; id: string }[];
  /** The page-list: label and target, in order. */
  pageList: { label: string; href: string }[];
  /** Where the page-list lives. */
  navDoc?: string;
  /** Words before the first page-break of the book. */
  unpaged: string[];
  /** Noterefs that do not reach a note. */
  unresolved: { doc: string; href: string; page: number }[];
  /** Element ids by document. */
  ids: Map<string, Set<string>>;
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function tokens(el: Element, name: string): string[] {
  return (attr(el, name) ?? '').split(/\s+/).filter(Boolean);
}

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function* elements(node: Node): Generator<Element> {
  if (isElement(node)) yield node;
  if ('childNodes' in node) for (const child of node.childNodes) yield* elements(child);
}

/** Text of a node as the check reads it: soft hyphens are not letters and break no words. */
function clean(text: string): string {
  return text.replace(/\u00AD/g, '');
}

function isFootnote(el: Element): boolean {
  return tokens(el, 'role').includes('doc-footnote') || tokens(el, 'role').includes('doc-endnote') || tokens(el, 'epub:type').some((t) => t === 'footnote' || t === 'endnote' || t === 'rearnote');
}

function isNoteref(el: Element): boolean {
  return tokens(el, 'role').includes('doc-noteref') || tokens(el, 'epub:type').includes('noteref');
}

function isPagebreak(el: Element): boolean {
  return tokens(el, 'role').includes('doc-pagebreak') || tokens(el, 'epub:type').includes('pagebreak');
}

function pageOf(el: Element): { page: number; label: string } {
  const label = attr(el, 'aria-label') ?? attr(el, 'title') ?? /(\d+)$/.exec(attr(el, 'id') ?? '')?.[1] ?? '';
  return { page: /^\d+$/.test(label.trim()) ? Number(label.trim()) : Number.NaN, label: label.trim() };
}

/** Words of an element's text, text node by text node (as the manuscript counts them). */
function textWords(node: Node, skip: (el: Element) => boolean, out: string[]): void {
  if (node.nodeName === '#text' && 'value' in node) {
    out.push(...words(clean(node.value)));
    return;
  }
  if (isElement(node) && skip(node)) return;
  if ('childNodes' in node) for (const child of node.childNodes) textWords(child, skip, out);
}

const backlink = (el: Element): boolean => tokens(el, 'role').includes('doc-backlink');

/** Reads an EPUB file page by page. Throws when the file is not an EPUB. */
export async function readEpubPages(file: string): Promise<EpubPages> {
  const files = await readZip(await readFile(file));
  const text = (name: string): string => {
    const data = files.get(name);
    if (!data) throw new Error(`${file}: no ${name} in the EPUB`);
    return data.toString('utf8');
  };
  const container = parse(text('META-INF/container.xml'));
  const rootfile = [...elements(container)].find((e) => e.tagName === 'rootfile');
  const opfPath = rootfile ? attr(rootfile, 'full-path') : undefined;
  if (!opfPath) throw new Error(`${file}: META-INF/container.xml names no package document`);
  const opfDir = path.posix.dirname(opfPath);
  const opf = [...elements(parse(text(opfPath)))];
  const manifest = new Map<string, { href: string; properties: string[] }>();
  for (const item of opf.filter((e) => e.tagName === 'item')) {
    const id = attr(item, 'id');
    const href = attr(item, 'href');
    if (id && href) manifest.set(id, { href: path.posix.join(opfDir, decodeURIComponent(href)), properties: tokens(item, 'properties') });
  }
  const spine = opf.filter((e) => e.tagName === 'itemref').map((e) => manifest.get(attr(e, 'idref') ?? '')?.href).filter((h): h is string => h !== undefined);
  const navDoc = [...manifest.values()].find((m) => m.properties.includes('nav'))?.href;

  const docs = new Map<string, DefaultTreeAdapterMap['document']>();
  const ids = new Map<string, Set<string>>();
  const elementById = new Map<string, Element>();
  for (const name of [...new Set([...spine, ...(navDoc ? [navDoc] : [])])]) {
    const doc = parse(text(name));
    docs.set(name, doc);
    const set = new Set<string>();
    for (const el of elements(doc)) {
      const id = attr(el, 'id');
      if (id) {
        set.add(id);
        elementById.set(`${name}#${id}`, el);
      }
    }
    ids.set(name, set);
  }

  const pageList: { label: string; href: string }[] = [];
  if (navDoc) {
    const nav = [...elements(docs.get(navDoc) as Node)].find((e) => e.tagName === 'nav' && tokens(e, 'epub:type').includes('page-list'));
    if (nav) {
      for (const a of elements(nav)) {
        if (a.tagName !== 'a') continue;
        const label: string[] = [];
        textWords(a, () => false, label);
        pageList.push({ label: label.join(' '), href: path.posix.join(path.posix.dirname(navDoc), decodeURIComponent(attr(a, 'href') ?? '')) });
      }
    }
  }

  const pages = new Map<number, string[]>();
  const breaks: EpubPages['breaks'] = [];
  const unpaged: string[] = [];
  const unresolved: EpubPages['unresolved'] = [];
  const notesRead = new Set<string>();
  let current: string[] = unpaged;
  let currentPage = 0;
  for (const name of spine) {
    if (name === navDoc) continue;
    const doc = docs.get(name);
    if (!doc) continue;
    const body = [...elements(doc)].find((e) => e.tagName === 'body');
    if (!body) continue;
    // Front matter the publisher adds (a title page, a colophon) stands before page 1 and has
    // no page-break of its own: it is not the original's text, and not lost or doubled either.
    if (currentPage === 0 && ![...elements(body)].some(isPagebreak)) continue;
    const walk = (node: Node): void => {
      if (node.nodeName === '#text' && 'value' in node) {
        current.push(...words(clean(node.value)));
        return;
      }
      if (!isElement(node)) return;
      if (node.tagName === 'script' || node.tagName === 'style' || isFootnote(node) || backlink(node)) return;
      if (isPagebreak(node)) {
        const { page, label } = pageOf(node);
        breaks.push({ page, label, doc: name, id: attr(node, 'id') ?? '' });
        currentPage = page;
        current = pages.get(page) ?? [];
        pages.set(page, current);
        // A page-break's own text (a visible page number) is furniture, not page text.
        return;
      }
      if (isNoteref(node)) {
        const call: string[] = [];
        textWords(node, () => false, call);
        current.push(...call);
        const href = attr(node, 'href') ?? '';
        const hash = href.indexOf('#');
        const target = hash < 0 ? undefined : `${href.slice(0, hash) === '' ? name : path.posix.join(path.posix.dirname(name), decodeURIComponent(href.slice(0, hash)))}#${decodeURIComponent(href.slice(hash + 1))}`;
        const note = target ? elementById.get(target) : undefined;
        if (!target || !note) {
          unresolved.push({ doc: name, href, page: currentPage });
          return;
        }
        if (!notesRead.has(target)) {
          notesRead.add(target);
          // The note is read on the page that calls it, after its call, starting with its number.
          current.push(...call);
          textWords(note, backlink, current);
        }
        return;
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(body);
  }
  const result: EpubPages = { pages, breaks, pageList, unpaged, unresolved, ids };
  if (navDoc) result.navDoc = navDoc;
  return result;
}

type Fail = (ruleId: 'check-006', reason: string, page?: number, where?: string) => void;

/**
 * Holds an EPUB's page-list to the printed pages it should name, `expected` in reading order
 * (all of the issue's for the whole book, those of its chapters for an edition): each once, in
 * order, each target a page-break of that page.
 */
function checkPageList(read: EpubPages, expected: readonly number[], file: string, fail: Fail): void {
  const navFile = read.navDoc ? `${file}!/${read.navDoc}` : file;
  if (!read.navDoc) fail('check-006', 'Unexpected EPUB without a navigation document, expected one with a page-list');
  else if (read.pageList.length === 0) fail('check-006', 'Unexpected navigation document without a page-list, expected `nav epub:type="page-list"`', undefined, navFile);
  const breakAt = new Map<string, { page: number; label: string }>();
  for (const b of read.breaks) breakAt.set(`${b.doc}#${b.id}`, b);
  const position = new Map(expected.map((page, k) => [page, k]));
  // Where in `expected` the next entry should be.
  let due = 0;
  const listed = new Set<number>();
  for (const entry of read.pageList) {
    const n = /^\d+$/.test(entry.label) ? Number(entry.label) : Number.NaN;
    if (Number.isNaN(n)) {
      fail('check-006', `Unexpected page-list entry \`${entry.label}\`, expected a printed page number`, undefined, navFile);
      continue;
    }
    if (listed.has(n)) fail('check-006', `Unexpected second page-list entry for page ${n}, expected each page once`, n, navFile);
    else if (n !== expected[due]) {
      const after = expected[due - 1] ?? 0;
      const next = expected[due];
      fail('check-006', `Unexpected page ${n} in the page-list after page ${after}, expected ${next === undefined ? 'no further page' : `page ${next}`}`, n, navFile);
    }
    listed.add(n);
    due = Math.max(due, (position.get(n) ?? due - 1) + 1);
    const [doc = '', id = ''] = entry.href.split('#');
    if (!read.ids.has(doc)) fail('check-006', `Unexpected page-list target \`${entry.href}\` for page ${n}: no such document in the spine`, n, navFile);
    else if (!read.ids.get(doc)?.has(id)) fail('check-006', `Unexpected page-list target \`${entry.href}\` for page ${n}: no element has that id`, n, navFile);
    else {
      const target = breakAt.get(entry.href);
      if (!target) fail('check-006', `Unexpected page-list target \`${entry.href}\` for page ${n}, expected a page-break`, n, navFile);
      else if (target.page !== n) fail('check-006', `Unexpected page-list target \`${entry.href}\` for page ${n}: it marks page ${target.label}`, n, navFile);
    }
  }
  for (const n of expected) if (read.pageList.length > 0 && !listed.has(n)) fail('check-006', `Unexpected page-list without page ${n}, expected every printed page`, n, navFile);
}

/**
 * Checks the page-list of an edition: exactly `expected`, the printed pages of its chapters.
 * Its text is the whole book's, checked there page by page.
 */
export async function checkEditionPageList(file: string, expected: readonly number[]): Promise<Message[]> {
  const read = await readEpubPages(file);
  const messages: Message[] = [];
  checkPageList(read, expected, file, (ruleId, reason, _page, where = file) => messages.push(message(ruleId, reason, { file: where })));
  return messages;
}

/** Checks an EPUB against the original pages and the manuscript. */
export async function checkEpub(file: string, originals: Originals, total: number): Promise<{ pages: Map<number, StagePage>; summary: StageSummary; messages: Message[] }> {
  const read = await readEpubPages(file);
  const messages: Message[] = [];
  const general: string[] = [];
  const pages = new Map<number, StagePage>();
  const fail = (ruleId: 'check-003' | 'check-004' | 'check-005' | 'check-006', reason: string, page?: number, where = file): void => {
    messages.push(message(ruleId, reason, { file: where }));
    if (page !== undefined && page >= 1 && page <= total) problemsOf(pages, page).push(reason);
    else general.push(reason);
  };

  // The page-list: every page once, in order, each target a page-break of that page.
  checkPageList(read, Array.from({ length: total }, (_, k) => k + 1), file, fail);

  // Page-breaks in the text: each page once, in order.
  const seenBreaks = new Set<number>();
  let previous = 0;
  for (const b of read.breaks) {
    const where = `${file}!/${b.doc}`;
    if (Number.isNaN(b.page) || b.page < 1 || b.page > total) {
      fail('check-003', `Unexpected page-break \`${b.label}\` in ${b.doc}, expected a page from 1 to ${total}`, undefined, where);
      continue;
    }
    if (seenBreaks.has(b.page)) fail('check-003', `Unexpected second page-break for page ${b.page} in ${b.doc}, expected each page once`, b.page, where);
    else if (b.page !== previous + 1) fail('check-003', `Unexpected page-break for page ${b.page} after page ${previous} in ${b.doc}, expected page ${previous + 1}`, b.page, where);
    seenBreaks.add(b.page);
    previous = Math.max(previous, b.page);
  }
  for (let n = 1; n <= total; n += 1) if (!seenBreaks.has(n)) fail('check-003', `Unexpected EPUB without a page-break for page ${n}, expected one at the start of the page's text`, n);

  for (const u of read.unresolved) fail('check-005', `Unexpected noteref \`${u.href}\` on page ${u.page} that reaches no note, expected the id of a footnote`, u.page, `${file}!/${u.doc}`);
  if (read.unpaged.length > 0) fail('check-004', `Unexpected ${read.unpaged.length} words before the first page-break (${listWords(read.unpaged)}), expected every word on a printed page`);

  // The text of each page against the original page.
  let lostTotal = 0;
  let addedTotal = 0;
  for (const o of originals.pages) {
    const actual = read.pages.get(o.page) ?? [];
    const { lost, added } = comparePage(o.words, actual, o.editorial);
    const page = pages.get(o.page) ?? { faithful: true, lost: [], added: [], problems: [] };
    page.lost = lost;
    page.added = added;
    page.text = actual.join(' ');
    page.faithful = lost.length === 0 && added.length === 0 && page.problems.length === 0;
    pages.set(o.page, page);
    lostTotal += lost.length;
    addedTotal += added.length;
    if (lost.length > 0 || added.length > 0) {
      const b = read.breaks.find((x) => x.page === o.page);
      messages.push(wordsMessage('EPUB', o.page, lost, added, { file: b ? `${file}!/${b.doc}#${b.id}` : file }));
    }
  }

  // The book as a whole against the manuscript: nothing lost, nothing doubled.
  const expectedAll: string[] = [];
  for (const o of originals.pages) expectedAll.push(...(originals.manuscript.get(o.page)?.words ?? []), ...o.editorial);
  const actualAll: string[] = [...read.unpaged];
  for (const w of read.pages.values()) actualAll.push(...w);
  const whole = comparePage(expectedAll, actualAll);
  if (whole.lost.length > 0) fail('check-004', `Unexpected ${whole.lost.length} words of the manuscript missing from the EPUB (${listWords(whole.lost)}), expected every word once`);
  if (whole.added.length > 0) fail('check-004', `Unexpected ${whole.added.length} words in the EPUB beyond the manuscript's (${listWords(whole.added)}), expected nothing doubled`);

  const faithful = [...pages.values()].filter((p) => p.faithful).length;
  return {
    pages,
    summary: { file, pagesChecked: total, pagesFaithful: faithful, wordsLost: lostTotal, wordsAdded: addedTotal, problems: general },
    messages,
  };
}
