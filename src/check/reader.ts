/**
 * The reader proof: every EPUB opened the way a reader meets it, in a real reading engine.
 *
 * The engine is foliate-js (the engine of the Foliate reader), in the Chromium the PDF stage
 * already drives. It was chosen over epub.js because it is plain ES modules that load as they
 * are from node_modules (nothing to bundle), it reads the nav's page-list itself
 * (`book.pageList`), it paginates the book in CSS columns in an iframe as a reading app shows
 * it, and it reports the range on screen after every move (`relocate`); epub.js's last release
 * is years old and would need its own bundle of jszip and friends.
 *
 * For each EPUB: every page-list entry the engine parsed is gone to with `view.goTo`, and the
 * text the engine reports on screen, from the entry's target on, must begin with the first
 * words of that printed page in the manuscript; every note call is clicked (the engine's link
 * handling navigates), the screen must begin the note with the note's words, and the note's
 * back link, clicked, must bring the call back on screen. Failures come page by page and note
 * by note. One browser serves every EPUB of a check, by request interception: no port, no file
 * URL, the engine's files from node_modules and the EPUB's bytes from the disk.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HTTPRequest } from 'puppeteer-core';
import type { Manuscript } from '../manuscript/index.js';
import { FolioError, message, type Message } from '../messages.js';
import { launchChromium, type ChromiumBrowser } from '../session/index.js';
import type { Originals } from './pages.js';
import { readerExpectations, wordsCompared, type ReaderExpectations } from './reader-expected.js';
import type { StagePage, StageSummary } from './report.js';
import { words } from './words.js';

/** An EPUB to open in the reader, with the printed pages its page-list must lead to, in order. */
export interface ReaderBook {
  file: string;
  pages: readonly number[];
}

/** How the reader proof runs. */
export interface ReaderOptions {
  chromePath?: string;
  /** Time allowed to start the browser and for any one call into the page (default 120 s). */
  timeoutMs?: number;
}

/** What the reader proof found: messages, and the reader's column of the report page by page. */
export interface ReaderResult {
  messages: Message[];
  pages: Map<number, StagePage>;
  summary: StageSummary;
  /** Page-list entries gone to and note calls followed, over every EPUB. */
  counts: { books: number; pages: number; calls: number };
  /** Milliseconds: starting the browser, opening the books, showing their pages, following their notes. */
  timings: Record<string, number>;
}

/** A page-list entry as the engine shows it (reader-page.js `showPages`). */
interface PageShown {
  page: number;
  went: boolean;
  found?: boolean;
  inView: boolean;
  text: string;
}

/** A note call as followed in the engine (reader-page.js `followCall`). */
interface CallFollowed {
  call: { index: number; section: string; id: string; href: string; label: string; page: string };
  atCall: boolean;
  moved: boolean;
  found: boolean;
  inView: boolean;
  text: string;
  backlink: boolean;
  backMoved: boolean;
  backInView: boolean;
  backAtCall: boolean;
  backText: string;
}

/** The page's API as reader-page.js installs it. */
interface FolioReaderApi {
  open(url: string): Promise<{ label: string; href: string }[]>;
  showPages(entries: { page: number; href: string }[], minChars: number): Promise<PageShown[]>;
  listCalls(): Promise<CallFollowed['call'][]>;
  followCalls(calls: CallFollowed['call'][], minChars: number): Promise<CallFollowed[]>;
}

// An origin that names no host: every request to it is answered by the interception below.
const origin = 'http://folio-reader.invalid';
const pageScript = fileURLToPath(new URL('../../src/check/reader-page.js', import.meta.url));
// Letters the screen must show from a target on before its words are compared: enough for the
// words compared even in a CJK text, where every character is a word.
const minChars = 80;
// Page-list entries per call into the page (a note call costs about five entries).
const batch = 50;

function foliateDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('foliate-js/view.js'));
}

const pageHtml = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Folio reader proof</title>
<style>html, body { margin: 0; height: 100%; overflow: hidden; }</style>
<script type="module" src="/reader-page.js"></script>
</head><body></body></html>`;

const types: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.epub': 'application/epub+zip' };

/** Answers the page's requests: the page, its script, foliate-js's modules and the books. */
function serve(books: readonly Buffer[]): (request: HTTPRequest) => Promise<void> {
  const foliate = foliateDir();
  return async (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin) {
      // Nothing leaves the machine: blob: sections never come here, anything else is refused.
      await request.abort('blockedbyclient');
      return;
    }
    const respond = (body: Buffer | string, file: string): Promise<void> => request.respond({ status: 200, contentType: types[path.extname(file)] ?? 'application/octet-stream', body });
    try {
      if (url.pathname === '/') return await respond(pageHtml, 'index.html');
      if (url.pathname === '/reader-page.js') return await respond(await readFile(pageScript), pageScript);
      const book = /^\/book\/(\d+)\.epub$/.exec(url.pathname);
      if (book) return await respond(books[Number(book[1])] ?? '', 'book.epub');
      if (url.pathname.startsWith('/foliate/')) {
        const file = path.join(foliate, path.normalize(decodeURIComponent(url.pathname.slice('/foliate/'.length))));
        if (file.startsWith(foliate + path.sep)) return await respond(await readFile(file), file);
      }
      await request.respond({ status: 404, body: '' });
    } catch {
      await request.respond({ status: 404, body: '' }).catch(() => undefined);
    }
  };
}

/** Words of shown text: soft hyphens are no letters and break no words. */
function shownWords(text: string): string[] {
  return words(text.replace(/\u00AD/g, ''));
}

/** Whether `shown` begins with `first`, allowing the editor's words (a supplied title) before it. */
function beginsWith(shown: readonly string[], first: readonly string[], editorial: readonly string[]): boolean {
  const pool = new Map<string, number>();
  for (const w of editorial) pool.set(w, (pool.get(w) ?? 0) + 1);
  for (let skip = 0; skip <= editorial.length && skip < shown.length + 1; skip += 1) {
    if (first.every((w, k) => shown[skip + k] === w)) return true;
    const w = shown[skip];
    const left = w === undefined ? 0 : (pool.get(w) ?? 0);
    if (left === 0) return false;
    pool.set(w as string, left - 1);
  }
  return false;
}

const quote = (list: readonly string[]): string => `“${list.join(' ')}”`;

/** Compares what the engine showed of one book with the manuscript, page by page and note by note. */
function judge(
  book: ReaderBook,
  pageList: { label: string; href: string }[],
  shown: PageShown[],
  followed: CallFollowed[],
  expected: ReaderExpectations,
  fail: (ruleId: 'reader-001' | 'reader-002', reason: string, page: number | undefined, where: string) => void,
): void {
  const listed = new Set(pageList.map((e) => e.label));
  // No page-list at all is one fault, not one for every page.
  if (pageList.length === 0 && book.pages.length > 0) fail('reader-001', `Unexpected EPUB without a page-list as the reading engine reads it, expected entries for pages ${book.pages[0]}–${book.pages.at(-1)}`, undefined, book.file);
  else for (const page of book.pages) if (!listed.has(String(page))) fail('reader-001', `Unexpected page ${page} missing from the page-list as the reading engine reads it, expected an entry to go to`, page, book.file);
  for (const s of shown) {
    const want = expected.page(s.page);
    const where = `${book.file}!/${pageList.find((e) => e.label === String(s.page))?.href ?? ''}`;
    if (!s.went) fail('reader-001', `Unexpected page-list entry for page ${s.page} that the reading engine cannot go to, expected a target in the book`, s.page, where);
    else if (s.found === false) fail('reader-001', `Unexpected page-list entry for page ${s.page} whose target the reading engine does not find (it shows ${quote(shownWords(s.text).slice(0, wordsCompared))}), expected the page-break of page ${s.page}`, s.page, where);
    else if (!s.inView) fail('reader-001', `Unexpected screen for page ${s.page} without its page-break in view, expected the reading engine to show where the page begins`, s.page, where);
    else if (want && want.first.length > 0 && !beginsWith(shownWords(s.text), want.first, want.editorial)) {
      const got = shownWords(s.text).slice(0, wordsCompared);
      fail('reader-001', `Unexpected text ${quote(got)} where the reading engine shows page ${s.page}, expected the page to begin ${quote(want.first)}${want.file !== undefined ? ` (${path.basename(want.file)}:${want.line ?? 0})` : ''}`, s.page, where);
    }
  }
  for (const f of followed) {
    const page = Number(f.call.page);
    const where = `${book.file}!/${f.call.section}#${f.call.id}`;
    const name = `note call \`${f.call.label}\` (\`${f.call.id || f.call.href}\`) on page ${f.call.page || '?'} of ${f.call.section}`;
    const onPage = Number.isInteger(page) && page > 0 ? page : undefined;
    const wanted = onPage !== undefined ? expected.notes(onPage, f.call.label) : [];
    if (!f.call.id) fail('reader-002', `Unexpected ${name} without an id, expected one its note's back link can return to`, onPage, where);
    else if (!f.atCall) fail('reader-002', `Unexpected ${name} that the reading engine does not bring into view, expected the call on screen`, onPage, where);
    else if (!f.moved || !f.found) fail('reader-002', `Unexpected ${name} that leads nowhere in the reading engine (\`${f.call.href}\`; it shows ${quote(shownWords(f.text).slice(0, wordsCompared))}), expected its note`, onPage, where);
    else if (!f.inView) fail('reader-002', `Unexpected ${name} whose note the reading engine does not bring into view, expected the note on screen`, onPage, where);
    else if (wanted.length === 0) fail('reader-002', `Unexpected ${name} with no note of that mark in the manuscript, expected a call the chapter defines`, onPage, where);
    else if (!wanted.some((want) => beginsWith(shownWords(f.text), want, []))) {
      fail('reader-002', `Unexpected note text ${quote(shownWords(f.text).slice(0, wordsCompared))} after following ${name}, expected ${wanted.map(quote).join(' or ')}`, onPage, where);
    }
    else if (!f.backlink) fail('reader-002', `Unexpected note of ${name} without a back link (\`role="doc-backlink"\`), expected one to the call`, onPage, where);
    else if (!f.backMoved || !f.backAtCall || !f.backInView) fail('reader-002', `Unexpected back link of the note of ${name} that does not return to the call (the reading engine shows ${quote(shownWords(f.backText).slice(0, wordsCompared))}), expected the call on screen`, onPage, where);
  }
}

/** Opens each book in the engine and reads what it shows. The browser is the caller's. */
async function readBook(
  browser: ChromiumBrowser,
  index: number,
  book: ReaderBook,
  handler: (request: HTTPRequest) => Promise<void>,
  lap: (name: string, since: number) => void,
): Promise<{ pageList: { label: string; href: string }[]; shown: PageShown[]; followed: CallFollowed[] } | { error: string }> {
  // A page of its own per book, in the one browser: no state of one book reaches the next.
  const page = await browser.browser.newPage();
  try {
    // Portrait: one column on screen, as a phone or a tablet held upright shows the book.
    await page.setViewport({ width: 720, height: 960 });
    await page.setRequestInterception(true);
    page.on('request', (request) => void handler(request));
    await page.bringToFront();
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    await page.waitForFunction('window.folioReaderReady === true');
    let pageList: { label: string; href: string }[];
    let t = Date.now();
    try {
      pageList = await page.evaluate(async (url) => (window as unknown as { folioReader: FolioReaderApi }).folioReader.open(url), `${origin}/book/${index}.epub`);
    } catch (error) {
      return { error: (error as Error).message.split('\n')[0] ?? '' };
    }
    lap('open', t);
    t = Date.now();
    const entries = book.pages.map((p) => ({ page: p, href: pageList.find((e) => e.label === String(p))?.href })).filter((e): e is { page: number; href: string } => e.href !== undefined);
    // In batches: a big issue's pages must not make one call into the page outlast its timeout.
    const shown: PageShown[] = [];
    for (let k = 0; k < entries.length; k += batch) {
      shown.push(...(await page.evaluate(async (list, chars) => (window as unknown as { folioReader: FolioReaderApi }).folioReader.showPages(list, chars), entries.slice(k, k + batch), minChars)));
    }
    lap('pages', t);
    t = Date.now();
    const calls = await page.evaluate(async () => (window as unknown as { folioReader: FolioReaderApi }).folioReader.listCalls());
    const followed: CallFollowed[] = [];
    for (let k = 0; k < calls.length; k += batch / 5) {
      followed.push(...(await page.evaluate(async (list, chars) => (window as unknown as { folioReader: FolioReaderApi }).folioReader.followCalls(list, chars), calls.slice(k, k + batch / 5), minChars)));
    }
    lap('notes', t);
    return { pageList, shown, followed };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/**
 * Proves each book in the reading engine, one Chromium for all. A browser that will not start
 * throws a `FolioError` (`reader-003`, the tool); what the engine shows wrong comes back as
 * messages (`reader-001` pages, `reader-002` notes, the output).
 */
export async function proveInReader(books: readonly ReaderBook[], expected: ReaderExpectations, options: ReaderOptions = {}): Promise<ReaderResult> {
  const messages: Message[] = [];
  const pages = new Map<number, StagePage>();
  const general: string[] = [];
  const fail = (ruleId: 'reader-001' | 'reader-002', reason: string, page: number | undefined, where: string): void => {
    messages.push(message(ruleId, reason, { file: where }));
    const shownIn = `${path.basename(where.split('!/')[0] ?? where)}: ${reason}`;
    if (page === undefined) general.push(shownIn);
    else {
      const p = pages.get(page) ?? { faithful: true, lost: [], added: [], problems: [] };
      p.problems.push(shownIn);
      p.faithful = false;
      pages.set(page, p);
    }
  };
  const bytes = await Promise.all(books.map(async (b) => readFile(b.file)));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number): void => {
    timings[name] = (timings[name] ?? 0) + Date.now() - since;
  };
  const launched = Date.now();
  const browser = await launchChromium({ timeoutMs, ruleId: 'reader-003', ...(options.chromePath !== undefined ? { chromePath: options.chromePath } : {}) });
  lap('launch', launched);
  const counts = { books: books.length, pages: 0, calls: 0 };
  try {
    const handler = serve(bytes);
    for (const [index, book] of books.entries()) {
      const read = await readBook(browser, index, book, handler, lap);
      if ('error' in read) {
        fail('reader-001', `Unexpected EPUB that the reading engine cannot open (${read.error}), expected a book it reads`, undefined, book.file);
        continue;
      }
      counts.pages += read.shown.length;
      counts.calls += read.followed.length;
      judge(book, read.pageList, read.shown, read.followed, expected, fail);
    }
  } catch (error) {
    if (error instanceof FolioError) throw error;
    throw new FolioError([message('reader-003', `Unexpected failure of the reading engine (${(error as Error).message.split('\n')[0]}), expected foliate-js to run in Chromium`)]);
  } finally {
    await browser.close();
  }
  for (const book of books) for (const page of book.pages) if (!pages.has(page)) pages.set(page, { faithful: true, lost: [], added: [], problems: [] });
  const faithful = [...pages.values()].filter((p) => p.faithful).length;
  return { messages, pages, counts, timings, summary: { file: books[0]?.file ?? '', pagesChecked: pages.size, pagesFaithful: faithful, wordsLost: 0, wordsAdded: 0, problems: general } };
}

/** The reader proof of an issue's EPUBs, measured against its manuscript. */
export async function checkInReader(books: readonly ReaderBook[], manuscript: Manuscript, originals: Originals, options: ReaderOptions = {}): Promise<ReaderResult> {
  return proveInReader(books, readerExpectations(manuscript, originals), options);
}
