/**
 * The reader proof (src/check/reader.ts): EPUBs opened in foliate-js in Chromium, each
 * page-list entry gone to and read off the screen, each note call clicked to its note and back.
 * The bundled issue and its two editions, built here, are clean page by page and note by note;
 * the bilingual baseline fixture, built once and then broken one way per case (a page-list entry
 * sent to another page's break, a note's back link sent nowhere, a note deleted), gives exactly
 * the messages naming the page or the note, with the words the engine showed; a browser that
 * cannot start is the tool's failure. `folio check` runs the proof and `--no-reader` leaves it out.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { check } from '../src/check/index.js';
import { readOriginals } from '../src/check/pages.js';
import { checkInReader, type ReaderBook } from '../src/check/reader.js';
import { main } from '../src/cli/index.js';
import { buildEditions, buildEpub } from '../src/epub/index.js';
import { readZip, writeEpubZip } from '../src/epub/zip.js';
import { editionFile, editionOf, loadManuscript, manuscriptEditions, type Manuscript } from '../src/manuscript/index.js';
import { exitCode, FolioError, formatMessage, type Message } from '../src/messages.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
delete process.env.SOURCE_DATE_EPOCH;

function shown(messages: readonly Message[], scratch: string): string[] {
  return messages.map((m) => formatMessage(m).replaceAll(`${scratch}/`, '<out>/').replaceAll(`${repo}/`, ''));
}

async function load(dir: string): Promise<Manuscript> {
  const loaded = await loadManuscript(dir);
  assert.ok(loaded.manuscript);
  return loaded.manuscript;
}

/** The whole book and its editions, as `folio check` hands them to the reader proof. */
function booksOf(manuscript: Manuscript, epub: string): ReaderBook[] {
  return [
    { file: epub, pages: Array.from({ length: manuscript.issue.pages }, (_, k) => k + 1) },
    ...manuscriptEditions(manuscript).map((e) => ({ file: editionFile(epub, e.language), pages: editionOf(manuscript, e.language).pages })),
  ];
}

/** Note calls in an EPUB's content documents, counted in the zip (not by the engine). */
async function noterefsIn(file: string): Promise<number> {
  let count = 0;
  for (const [name, data] of await readZip(await readFile(file))) if (name.endsWith('.xhtml')) count += data.toString('utf8').match(/epub:type="noteref"/g)?.length ?? 0;
  return count;
}

describe('reader proof: the bundled issue and its editions in foliate-js', () => {
  let scratch = '';
  let manuscript: Manuscript;
  let books: ReaderBook[];
  const manuscriptDir = path.join(repo, 'manuscript');

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-reader-test-'));
    manuscript = await load(manuscriptDir);
    const epub = path.join(scratch, 'issue.epub');
    const run = await resolved(manuscriptDir, { epub });
    const built = await buildEpub({ resolved: run, validate: false });
    assert.deepEqual(shown(built.messages, scratch), []);
    await buildEditions({ resolved: run, validate: false });
    books = booksOf(manuscript, epub);
  });

  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('every page-list entry shows its printed page and every note call goes to its note and back', async () => {
    const originals = await readOriginals(manuscript);
    const result = await checkInReader(books, manuscript, originals);
    assert.deepEqual(shown(result.messages, scratch), []);
    let calls = 0;
    for (const b of books) calls += await noterefsIn(b.file);
    assert.ok(calls > 0);
    assert.deepEqual(result.counts, { books: 3, pages: books.reduce((n, b) => n + b.pages.length, 0), calls });
    assert.equal(result.summary.pagesChecked, manuscript.issue.pages);
    assert.equal(result.summary.pagesFaithful, manuscript.issue.pages);
  });
});

describe('reader proof: the bilingual baseline fixture, as built and broken', () => {
  let scratch = '';
  let manuscript: Manuscript;
  let epub = '';
  const manuscriptDir = path.join(repo, 'test/fixtures/manuscript/small');

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-reader-small-'));
    manuscript = await load(manuscriptDir);
    epub = path.join(scratch, 'issue.epub');
    const run = await resolved(manuscriptDir, { epub });
    const built = await buildEpub({ resolved: run, validate: false });
    assert.deepEqual(shown(built.messages, scratch), []);
    await buildEditions({ resolved: run, validate: false });
  });

  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** The whole book with one content document or the nav rewritten, proved alone. */
  async function broken(name: string, edit: (file: string, text: string) => string): Promise<string[]> {
    const files = await readZip(await readFile(epub));
    let changed = 0;
    for (const [file, data] of files) {
      if (!file.endsWith('.xhtml')) continue;
      const text = data.toString('utf8');
      const edited = edit(file, text);
      if (edited !== text) changed += 1;
      files.set(file, Buffer.from(edited));
    }
    assert.equal(changed, 1, 'one document edited');
    const out = path.join(scratch, `${name}.epub`);
    await writeFile(out, await writeEpubZip(files, new Date(0)));
    const result = await checkInReader([{ file: out, pages: [1, 2, 3, 4, 5] }], manuscript, await readOriginals(manuscript));
    // Every page-list entry the engine found was gone to, and every call in the zip followed.
    assert.equal(result.counts.pages, name === 'no-page-list' ? 0 : 5, 'the engine went to every page');
    assert.equal(result.counts.calls, await noterefsIn(out));
    return shown(result.messages, scratch);
  }

  test('as built: `check` proves the book and both editions in the reader, and the report has its column', async () => {
    const result = await check({ resolved: await resolved(manuscriptDir), epub, editions: ['en', 'zh-Hans'], outDir: path.join(scratch, 'reports') });
    assert.deepEqual(shown(result.messages, scratch), []);
    assert.deepEqual(result.report?.stages.reader, { file: epub, pagesChecked: 5, pagesFaithful: 5, wordsLost: 0, wordsAdded: 0, problems: [] });
    assert.ok(result.report.timings.reader !== undefined);
  });

  test('`check({ readerBooks })` proves any list of EPUBs with their pages: here the English edition alone, as a per-article EPUB would be', async () => {
    const result = await check({ resolved: await resolved(manuscriptDir), readerBooks: [{ file: editionFile(epub, 'en'), pages: [1, 2, 3] }] });
    assert.deepEqual(shown(result.messages, scratch), []);
    assert.deepEqual(result.report?.stages.reader, { file: editionFile(epub, 'en'), pagesChecked: 3, pagesFaithful: 3, wordsLost: 0, wordsAdded: 0, problems: [] });
    assert.equal(result.report.stages.epub, undefined);
  });

  test('a page-list entry sent to the next page-break: the engine shows page 3 where page 2 should be', async () => {
    const messages = await broken('page-list', (file, text) => (file.endsWith('toc.xhtml') ? text.replace(/(<a href="[^"#]*)#page-2">2</u, (_, a: string) => `${a.replace(/[^/"]*$/u, 'visits-events.xhtml')}#page-3">2<`) : text));
    assert.deepEqual(messages, [
      `<out>/page-list.epub!/OEBPS/visits-events.xhtml#page-3: error: Unexpected text “Visits Events 2099 Understanding Test Conference” where the reading engine shows page 2, expected the page to begin “continues on the next printed page” (01-a-test-article.md:28) [reader-001]`,
    ]);
  });

  test("a note's back link sent nowhere: the note is reached, the way back is not", async () => {
    const messages = await broken('backlink', (file, text) => (!file.endsWith('/a-test-article.xhtml') ? text : text.replace('<a href="#fnref-1" role="doc-backlink">', '<a href="#nowhere" role="doc-backlink">')));
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(
      messages[0] ?? '',
      /^<out>\/backlink\.epub!\/OEBPS\/a-test-article\.xhtml#fnref-1: error: Unexpected back link of the note of note call `1` \(`fnref-1`\) on page 1 of OEBPS\/a-test-article\.xhtml that does not return to the call \(the reading engine shows “[^”]+”\), expected the call on screen \[reader-002\]$/u,
    );
  });

  test('a note deleted: its call leads nowhere, and the engine shows where it went instead', async () => {
    const messages = await broken('no-note', (file, text) => (!file.endsWith('/a-test-article.xhtml') ? text : text.replace(/<aside id="fn-2"[\s\S]*?<\/aside>/u, '')));
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(
      messages[0] ?? '',
      /^<out>\/no-note\.epub!\/OEBPS\/a-test-article\.xhtml#fnref-2: error: Unexpected note call `2` \(`fnref-2`\) on page 2 of OEBPS\/a-test-article\.xhtml that leads nowhere in the reading engine \(`#fn-2`; it shows “[^”]+”\), expected its note \[reader-002\]$/u,
    );
  });

  test("a note's text swapped for another's: the engine shows the wrong note", async () => {
    const messages = await broken('wrong-note', (file, text) => (!file.endsWith('/a-test-article.xhtml') ? text : text.replace('<a id="fnref-1" href="#fn-1"', '<a id="fnref-1" href="#fn-2"')));
    assert.deepEqual(messages, [
      '<out>/wrong-note.epub!/OEBPS/a-test-article.xhtml#fnref-1: error: Unexpected note text “A second note on the second” after following note call `1` (`fnref-1`) on page 1 of OEBPS/a-test-article.xhtml, expected “The 1 3 6 framework was” [reader-002]',
    ]);
  });

  test('notes moved into a document of their own (endnotes): each call is followed there and back, nothing reported', async () => {
    const files = await readZip(await readFile(epub));
    const chapterFile = 'OEBPS/a-test-article.xhtml';
    const text = files.get(chapterFile)?.toString('utf8') ?? '';
    const asides = text.match(/<aside id="fn-[\s\S]*?<\/aside>/gu) ?? [];
    assert.equal(asides.length, 3);
    let chapter = text;
    for (const aside of asides) chapter = chapter.replace(aside, '');
    files.set(chapterFile, Buffer.from(chapter.replaceAll('href="#fn-', 'href="notes.xhtml#fn-')));
    const notes = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!DOCTYPE html>',
      '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" lang="en">',
      '<head><meta charset="UTF-8"/><title>Notes</title><link rel="stylesheet" type="text/css" href="style.css"/></head>',
      '<body><section epub:type="endnotes" role="doc-endnotes"><h1>Notes</h1>',
      ...asides.map((a) => a.replaceAll('href="#fnref-', 'href="a-test-article.xhtml#fnref-')),
      '</section></body></html>',
    ].join('\n');
    files.set('OEBPS/notes.xhtml', Buffer.from(notes));
    const opf = files.get('OEBPS/content.opf')?.toString('utf8') ?? '';
    files.set(
      'OEBPS/content.opf',
      Buffer.from(
        opf
          .replace('<item id="chapter-a-test-article" ', '<item id="notes" href="notes.xhtml" media-type="application/xhtml+xml"/>\n    <item id="chapter-a-test-article" ')
          .replace('</spine>', '  <itemref idref="notes"/>\n  </spine>'),
      ),
    );
    const out = path.join(scratch, 'endnotes.epub');
    await writeFile(out, await writeEpubZip(files, new Date(0)));
    const result = await checkInReader([{ file: out, pages: [1, 2, 3, 4, 5] }], manuscript, await readOriginals(manuscript));
    assert.deepEqual(shown(result.messages, scratch), []);
    assert.deepEqual(result.counts, { books: 1, pages: 5, calls: await noterefsIn(out) });
  });

  test('a page-list taken out of the nav: one fault for the book, not one a page', async () => {
    const messages = await broken('no-page-list', (file, text) => (file.endsWith('toc.xhtml') ? text.replace(/<nav epub:type="page-list"[\s\S]*?<\/nav>/u, '') : text));
    assert.deepEqual(messages, ['<out>/no-page-list.epub: error: Unexpected EPUB without a page-list as the reading engine reads it, expected entries for pages 1–5 [reader-001]']);
  });

  test('a browser that cannot start is the tool failing (reader-003), not the book', async () => {
    await assert.rejects(
      checkInReader([{ file: epub, pages: [1, 2, 3, 4, 5] }], manuscript, await readOriginals(manuscript), { chromePath: path.join(scratch, 'no-chromium') }),
      (error: unknown) => error instanceof FolioError && error.messages.map((m) => m.ruleId).join() === 'reader-003',
    );
    // Through `check`: the check could not run, exit 2, whatever the book holds.
    const result = await check({ resolved: await resolved(manuscriptDir, { chromePath: path.join(scratch, 'no-chromium') }), epub });
    assert.deepEqual(shown(result.messages, scratch), [
      "error: Unexpected missing Chromium at `<out>/no-chromium`, expected an executable browser; install Debian's chromium or set CHROME_PATH to one [reader-003]",
    ]);
    assert.equal(result.failedToRun, true);
    assert.equal(exitCode(result.messages), 2);
  });

  test('folio check: the reader proof runs by default, and --no-reader leaves it out', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const reports = path.join(scratch, 'cli');
    assert.equal(await main(['check', '--manuscript', manuscriptDir, '--epub', epub, '--no-pdf', '--out', reports], io), 0, lines.join('\n'));
    assert.match(lines.join('\n'), /^ {2}reader {5}5\/5 pages faithful/mu);
    lines.length = 0;
    assert.equal(await main(['check', '--manuscript', manuscriptDir, '--epub', epub, '--no-pdf', '--no-reader', '--out', reports], io), 0, lines.join('\n'));
    assert.doesNotMatch(lines.join('\n'), /^ {2}reader /mu);
  });
});
