/**
 * What an EPUB rebuild may reuse (build/cache/epub), tested on a temporary copy of the
 * baseline fixture with the real tools: an unchanged manuscript is validated once, an edited
 * chapter is validated again (Ace's axe run on that chapter only), a damaged cache entry is a
 * miss, and findings taken from the cache fail the build as they did when first found.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildBesideBook, buildEpub } from '../src/epub/index.js';
import { runEpubcheck } from '../src/epub/epubcheck.js';
import { formatMessage, type Message } from '../src/messages.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
delete process.env.SOURCE_DATE_EPOCH;

describe('epub cache: a rebuild reuses what is about the same bytes and the same tools', () => {
  let scratch = '';
  let manuscriptDir = '';
  let out = '';
  let cacheDir = '';
  let first: Awaited<ReturnType<typeof buildEpub>>;
  let firstBytes: Buffer;

  /** Messages as a person reads them, with the scratch folder left out. */
  const shown = (messages: readonly Message[]) => messages.map((m) => formatMessage(m).replaceAll(`${scratch}/`, '<scratch>/'));
  const entries = async (prefix: string) => (await readdir(path.join(cacheDir, 'validation'))).filter((n) => n.startsWith(prefix)).map((n) => path.join(cacheDir, 'validation', n));

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-cache-test-'));
    manuscriptDir = path.join(scratch, 'manuscript');
    await cp(path.join(repo, 'test/fixtures/manuscript/small'), manuscriptDir, { recursive: true });
    out = path.join(scratch, 'build', 'issue.epub');
    cacheDir = path.join(scratch, 'build', 'cache', 'epub');
    first = await buildEpub({ resolved: await resolved(manuscriptDir, { epub: out }) });
    firstBytes = await readFile(out);
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('a first build runs EPUBCheck and Ace on every document, renders the cover, and keeps them in build/cache/epub', () => {
    assert.deepEqual(shown(first.messages), []);
    assert.equal(first.cover, 'rendered');
    assert.deepEqual(
      { epubcheck: first.validation?.epubcheck, ace: first.validation?.ace, reused: first.validation?.aceDocuments?.reused },
      { epubcheck: 'ran', ace: 'ran', reused: 0 },
    );
    // The cover, the three chapters and the navigation document.
    assert.equal(first.validation?.aceDocuments?.checked, 5);
  });

  test('a second build of the unchanged manuscript makes the same bytes and reuses the validation, the same (empty) messages', async () => {
    const again = await buildEpub({ resolved: await resolved(manuscriptDir, { epub: out }) });
    assert.ok((await readFile(out)).equals(firstBytes), 'the same EPUB');
    assert.deepEqual(shown(again.messages), shown(first.messages));
    assert.equal(again.cover, 'reused');
    assert.deepEqual(again.validation, { epubcheck: 'reused', ace: 'reused', sha256: first.validation?.sha256 });
  });

  test('a damaged or foreign cache entry is a miss: the tools run again and nothing is reported', async () => {
    const [epubcheckEntry] = await entries('epubcheck-');
    const [aceEntry] = await entries('ace-');
    assert.ok(epubcheckEntry && aceEntry);
    await writeFile(epubcheckEntry, '{"format":"folio-validation-1","value":[{"id":');
    await writeFile(aceEntry, JSON.stringify({ format: 'someone-else-2', value: [] }));
    const documentEntries = await readdir(path.join(cacheDir, 'ace-documents'));
    await writeFile(path.join(cacheDir, 'ace-documents', documentEntries[0] ?? ''), 'not json');
    const cover = (await readdir(cacheDir)).find((n) => n.startsWith('cover-'));
    await truncate(path.join(cacheDir, cover ?? ''), 100);
    const rebuilt = await buildEpub({ resolved: await resolved(manuscriptDir, { epub: out }) });
    assert.deepEqual(shown(rebuilt.messages), []);
    assert.equal(rebuilt.cover, 'rendered');
    assert.deepEqual(
      { epubcheck: rebuilt.validation?.epubcheck, ace: rebuilt.validation?.ace, documents: rebuilt.validation?.aceDocuments },
      { epubcheck: 'ran', ace: 'ran', documents: { checked: 1, reused: 4 } },
    );
  });

  test('findings taken from the cache are reported, at their places, and fail the build as when they were found', async () => {
    const [epubcheckEntry] = await entries('epubcheck-');
    const [aceEntry] = await entries('ace-');
    assert.ok(epubcheckEntry && aceEntry);
    await writeFile(
      epubcheckEntry,
      JSON.stringify({ format: 'folio-validation-1', value: [{ id: 'RSC-007', severity: 'ERROR', message: 'Referenced resource "missing.xhtml" could not be found in the EPUB.', path: 'OEBPS/a-test-article.xhtml', line: 12, column: 7 }] }),
    );
    await writeFile(aceEntry, JSON.stringify({ format: 'folio-validation-1', value: [{ document: 'a-test-article.xhtml', selector: '#sec-1', text: 'Ace serious heading-order: Heading levels should only increase by one' }] }));
    const rebuilt = await buildEpub({ resolved: await resolved(manuscriptDir, { epub: out }) });
    assert.deepEqual(
      { epubcheck: rebuilt.validation?.epubcheck, ace: rebuilt.validation?.ace },
      { epubcheck: 'reused', ace: 'reused' },
    );
    assert.deepEqual(shown(rebuilt.messages), [
      '<scratch>/build/issue.epub/OEBPS/a-test-article.xhtml:12:7: error: EPUBCheck error RSC-007: Referenced resource "missing.xhtml" could not be found in the EPUB. [epub-001]',
      // An Ace finding is placed in the manuscript again at every build: the chapter's heading line.
      '<scratch>/manuscript/chapters/01-a-test-article.md:22:1: error: Ace serious heading-order: Heading levels should only increase by one (a-test-article.xhtml, at `#sec-1`) [epub-002]',
      // An EPUB with findings never stays at the output path.
      '<scratch>/build/issue.invalid.epub: info: The EPUB has errors: kept for inspection as `<scratch>/build/issue.invalid.epub`, not at `<scratch>/build/issue.epub` [epub-007]',
    ]);
    assert.equal(rebuilt.out, undefined);
    assert.equal(rebuilt.invalid, out.replace(/\.epub$/u, '.invalid.epub'));
    for (const file of [epubcheckEntry, aceEntry]) await rm(file);
  });

  test('after an edit to one chapter, EPUBCheck validates the new EPUB and Ace checks that chapter only', async () => {
    const chapter = path.join(manuscriptDir, 'chapters', '02-visits-events.md');
    await writeFile(chapter, (await readFile(chapter, 'utf8')).replace('successfully held from', 'held from'));
    const edited = await buildEpub({ resolved: await resolved(manuscriptDir, { epub: out }) });
    assert.ok(!(await readFile(out)).equals(firstBytes), 'a new EPUB');
    assert.deepEqual(shown(edited.messages), []);
    assert.equal(edited.cover, 'reused');
    assert.deepEqual(
      { epubcheck: edited.validation?.epubcheck, ace: edited.validation?.ace, documents: edited.validation?.aceDocuments },
      { epubcheck: 'ran', ace: 'ran', documents: { checked: 1, reused: 4 } },
    );
    assert.notEqual(edited.validation?.sha256, first.validation?.sha256);
  });

  test('an edit that breaks a chapter for accessibility is found, though the other documents\' axe results come from the cache', async () => {
    const chapter = path.join(manuscriptDir, 'chapters', '02-visits-events.md');
    const text = await readFile(chapter, 'utf8');
    await writeFile(chapter, text.replace('## The Third Meeting', '#### The Third Meeting'));
    const broken = await buildEpub({ resolved: await resolved(manuscriptDir, { epub: out }) });
    await writeFile(chapter, text);
    // The chapter, and the navigation document, whose TOC now nests the heading one level deeper.
    assert.deepEqual(broken.validation?.aceDocuments, { checked: 2, reused: 3 });
    assert.deepEqual(shown(broken.messages), [
      '<scratch>/manuscript/chapters/02-visits-events.md:20:1: error: Ace moderate heading-order: Heading order invalid (visits-events.xhtml, at `#sec-2`) [epub-002]',
      '<scratch>/build/issue.invalid.epub: info: The EPUB has errors: kept for inspection as `<scratch>/build/issue.invalid.epub`, not at `<scratch>/build/issue.epub` [epub-007]',
    ]);
  });
});

describe('epub cache: the books beside the whole book', () => {
  test("an article's EPUB takes the axe results of its cover and its chapter from the whole book's run: Ace checks its navigation and its note only", async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-cache-beside-'));
    try {
      const run = await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: path.join(scratch, 'build', 'issue.epub') });
      const whole = await buildEpub({ resolved: run });
      assert.deepEqual(whole.messages, []);
      const beside = await buildBesideBook({ resolved: run });
      // The English ones: their cover document is the whole book's, byte for byte (a Chinese
      // article's is the Chinese edition's, made at the same time as it, or not).
      const english = beside.articles.filter((a) => !a.slug.endsWith('-zh')).map((a) => ({ slug: a.slug, messages: a.messages, documents: a.validation?.aceDocuments }));
      assert.deepEqual(english, [
        { slug: 'a-test-article', messages: [], documents: { checked: 2, reused: 2 } },
        { slug: 'visits-events', messages: [], documents: { checked: 2, reused: 2 } },
      ]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('epub cache: the EPUBCheck class-data archive', () => {
  test('the archive is made by a second run and used by the third; a cut-short one never fails the check: it is dropped, EPUBCheck runs without it, and the next run makes another', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-cache-test-'));
    try {
      const out = path.join(scratch, 'issue.epub');
      const built = await buildEpub({ resolved: await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: out }), validate: false });
      assert.deepEqual(built.messages, []);
      const cacheDir = path.join(scratch, 'cache');
      // The first run only marks that EPUBCheck ran here; the second makes the archive.
      const first = await runEpubcheck(out, process.env, { cacheDir });
      assert.deepEqual({ archive: first.archive, messages: first.messages }, { archive: 'none', messages: [] });
      const made = await runEpubcheck(out, process.env, { cacheDir });
      assert.deepEqual({ archive: made.archive, messages: made.messages }, { archive: 'made', messages: [] });
      const used = await runEpubcheck(out, process.env, { cacheDir });
      assert.deepEqual({ archive: used.archive, messages: used.messages }, { archive: 'used', messages: [] });
      const archive = (await readdir(cacheDir)).find((n) => n.endsWith('.jsa')) ?? '';
      const sidecar = path.join(cacheDir, archive.replace(/\.jsa$/, '.json'));
      // The JVM dies of SIGBUS on a truncated archive; the recorded size is made to match, as if
      // the archive had been damaged after it was checked.
      await truncate(path.join(cacheDir, archive), 100_000);
      await writeFile(sidecar, JSON.stringify({ size: 100_000 }));
      const damaged = await runEpubcheck(out, process.env, { cacheDir });
      assert.deepEqual({ archive: damaged.archive, messages: damaged.messages }, { archive: 'none', messages: [] });
      assert.deepEqual(
        (await readdir(cacheDir)).filter((n) => /\.(jsa|json)$/.test(n)),
        [],
        'the damaged archive is gone',
      );
      const remade = await runEpubcheck(out, process.env, { cacheDir });
      assert.deepEqual({ archive: remade.archive, messages: remade.messages }, { archive: 'made', messages: [] });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
