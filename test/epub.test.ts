/**
 * EPUB tests: the baseline fixture, the bundled issue and an unsafe-HTML case are built for
 * real (Chromium cover, epub-gen-memory, EPUBCheck, Ace); then the zip, the navigation, the
 * notes, the languages and the text are read back. A missing tool fails the build's message
 * list: nothing is skipped.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { main } from '../src/cli/index.js';
import { buildEpub, runAce, runEpubcheck } from '../src/epub/index.js';
import { chromiumPath } from '../src/session/index.js';
import { assignPlayOrder, nestHeadings } from '../src/epub/navigation.js';
import { readZip, writeEpubZip } from '../src/epub/zip.js';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage, type Message } from '../src/messages.js';
import { allElements, documentWords, epubTypes, firstEntry, manuscriptWords, openEpub, type OpenedEpub, XHTML } from './epub-inspect.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Dates come from the issue unless a test sets SOURCE_DATE_EPOCH itself.
delete process.env.SOURCE_DATE_EPOCH;
const XML = 'http://www.w3.org/XML/1998/namespace';

/** Messages as a person reads them, with paths relative to the repository. */
function shown(messages: readonly Message[], scratch: string): string[] {
  return messages.map((m) => formatMessage(m).replaceAll(`${scratch}/`, '<out>/').replaceAll(`${repo}/`, ''));
}

function hrefParts(href: string): { file: string; id: string } {
  const [file = '', id = ''] = href.split('#');
  return { file, id };
}

function byId(doc: ReturnType<OpenedEpub['xhtml']>, id: string) {
  return allElements(doc).find((e) => e.getAttribute('id') === id);
}

/** The content documents of the chapters: the spine less the cover and the navigation. */
function chapterDocuments(epub: OpenedEpub): string[] {
  const nav = Array.from(epub.opf.getElementsByTagName('item')).find((i) => (i.getAttribute('properties') ?? '').split(' ').includes('nav'))?.getAttribute('href');
  return epub.spine.filter((href) => href !== nav && !epubTypes(epub.xhtml(href).getElementsByTagNameNS(XHTML, 'body')[0]!).includes('cover'));
}

function navList(epub: OpenedEpub, type: string) {
  const navHref = Array.from(epub.opf.getElementsByTagName('item')).find((i) => (i.getAttribute('properties') ?? '').split(' ').includes('nav'))?.getAttribute('href') ?? '';
  const doc = epub.xhtml(navHref);
  const nav = Array.from(doc.getElementsByTagNameNS(XHTML, 'nav')).find((n) => epubTypes(n).includes(type));
  assert.ok(nav, `a nav of epub:type ${type}`);
  return { nav, doc };
}

for (const { name, dir } of [
  { name: 'baseline fixture', dir: 'test/fixtures/manuscript/small' },
  { name: 'bundled issue', dir: 'manuscript' },
]) {
  describe(`epub: ${name}`, () => {
    let scratch = '';
    let out = '';
    let manuscript: Manuscript;
    let result: Awaited<ReturnType<typeof buildEpub>>;
    let data: Buffer;
    let epub: OpenedEpub;

    before(async () => {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
      out = path.join(scratch, 'issue.epub');
      const loaded = await loadManuscript(path.join(repo, dir));
      assert.ok(loaded.manuscript, `the manuscript at ${dir} loads`);
      manuscript = loaded.manuscript;
      result = await buildEpub({ resolved: await resolved(path.join(repo, dir), { epub: out }) });
      data = await readFile(out);
      epub = await openEpub(data);
    });

    after(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    test('builds with no message at all: EPUBCheck and Ace ran and found nothing', () => {
      assert.deepEqual(shown(result.messages, scratch), []);
    });

    test('mimetype comes first, stored, without extra field', () => {
      const first = firstEntry(data);
      assert.deepEqual(first, { name: 'mimetype', method: 0, extraLength: 0, data: 'application/epub+zip' });
    });

    test('a rebuild is byte-identical', async () => {
      const again = path.join(scratch, 'again', 'issue.epub');
      const rebuilt = await buildEpub({ resolved: await resolved(path.join(repo, dir), { epub: again }), validate: false });
      assert.deepEqual(shown(rebuilt.messages, scratch), []);
      assert.ok((await readFile(again)).equals(data), 'the two EPUBs are byte-identical');
    });

    test('page-list: every printed page once, in reading order, each target a page-break marker', () => {
      const { nav } = navList(epub, 'page-list');
      const links = allElements(nav).filter((e) => e.localName === 'a');
      const first = manuscript.chapters[0]?.firstPage ?? 1;
      const expected = Array.from({ length: manuscript.issue.pages }, (_, index) => String(first + index));
      assert.deepEqual(
        links.map((a) => a.textContent),
        expected,
      );
      for (const link of links) {
        const { file, id } = hrefParts(link.getAttribute('href') ?? '');
        const target = byId(epub.xhtml(file), id);
        assert.ok(target, `page ${link.textContent}: ${file}#${id} exists`);
        assert.equal(target.getAttribute('role'), 'doc-pagebreak');
        assert.ok(epubTypes(target).includes('pagebreak'));
        assert.equal(target.getAttribute('aria-label'), link.textContent);
      }
    });

    test('the pagination source is declared (dc:source refined as source-of pagination)', () => {
      const source = epub.opf.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', 'source')[0];
      assert.ok(source?.textContent?.trim(), 'a dc:source');
      const refine = Array.from(epub.opf.getElementsByTagName('meta')).find((m) => m.getAttribute('refines') === `#${source?.getAttribute('id') ?? ''}`);
      assert.equal(refine?.getAttribute('property'), 'source-of');
      assert.equal(refine?.textContent, 'pagination');
    });

    test('every footnote call resolves to a footnote that links back to it', () => {
      let calls = 0;
      for (const href of chapterDocuments(epub)) {
        const doc = epub.xhtml(href);
        const elements = allElements(doc);
        for (const call of elements.filter((e) => epubTypes(e).includes('noteref'))) {
          calls += 1;
          assert.equal(call.getAttribute('role'), 'doc-noteref', `${href}: call ${call.getAttribute('id')}`);
          const { file, id } = hrefParts(call.getAttribute('href') ?? '');
          assert.equal(file, '', `${href}: the note of call ${call.getAttribute('id')} is in the same document`);
          const note = byId(doc, id);
          assert.ok(note, `${href}: note #${id} exists`);
          assert.equal(note.localName, 'aside');
          assert.equal(note.getAttribute('role'), 'doc-footnote');
          assert.ok(epubTypes(note).includes('footnote'));
          const back = allElements(note).filter((e) => e.getAttribute('role') === 'doc-backlink').map((e) => (e.getAttribute('href') ?? '').slice(1));
          assert.ok(back.length > 0, `${href}: note #${id} has a link back`);
          for (const backId of back) assert.equal(byId(doc, backId)?.getAttribute('href'), `#${id}`, `${href}: #${id} links back to a call of it`);
        }
      }
      const expectedCalls = manuscript.chapters.reduce((n, c) => n + (c.markdown.replace(/^\[\^[^\]]+\]:/gm, '').match(/\[\^[^\]]+\]/g) ?? []).length, 0);
      assert.equal(calls, expectedCalls, 'one noteref per footnote call of the manuscript');
    });

    test('each chapter is one document, in reading order, with its language', () => {
      const documents = chapterDocuments(epub);
      assert.equal(documents.length, manuscript.chapters.length);
      manuscript.chapters.forEach((chapter, index) => {
        const root = epub.xhtml(documents[index] ?? '').documentElement;
        assert.equal(root?.getAttributeNS(XML, 'lang'), chapter.language, `${chapter.slug}: xml:lang`);
        assert.equal(root?.getAttribute('lang'), chapter.language, `${chapter.slug}: lang`);
      });
      const languages = new Set(manuscript.chapters.map((c) => c.language));
      if (manuscript.issue.languages.includes('zh-Hans')) assert.ok(languages.has('zh-Hans'), 'the Chinese chapters are there');
    });

    test('the text of the EPUB is the text of the manuscript, nothing lost or doubled', () => {
      const documents = chapterDocuments(epub);
      manuscript.chapters.forEach((chapter, index) => {
        const got = documentWords(epub.xhtml(documents[index] ?? ''));
        const want = manuscriptWords(chapter.markdown);
        const firstDifference = want.findIndex((word, i) => got[i] !== word);
        assert.deepEqual(
          { words: got.length, firstDifference: got.length === want.length && firstDifference === -1 ? -1 : firstDifference, near: got.slice(Math.max(0, firstDifference - 3), firstDifference + 3) },
          { words: want.length, firstDifference: -1, near: got.slice(Math.max(0, firstDifference - 3), firstDifference + 3) },
          `${chapter.slug}: words of the EPUB against the manuscript (near: ${want.slice(Math.max(0, firstDifference - 3), firstDifference + 3).join(' ')})`,
        );
      });
    });

    test('table of contents: each chapter in order, its headings nested, every link resolves; landmarks', () => {
      const { nav } = navList(epub, 'toc');
      const ol = allElements(nav).find((e) => e.localName === 'ol');
      assert.ok(ol);
      const top = allElements(ol).filter((e) => e.localName === 'li' && e.parentNode === ol);
      assert.deepEqual(
        top.map((li) => allElements(li).find((e) => e.localName === 'a')?.textContent),
        manuscript.chapters.map((c) => c.title),
      );
      for (const link of allElements(nav).filter((e) => e.localName === 'a')) {
        const { file, id } = hrefParts(link.getAttribute('href') ?? '');
        if (id !== '') assert.ok(byId(epub.xhtml(file), id), `toc link ${file}#${id} resolves`);
        else assert.ok(epub.spine.includes(file));
      }
      const { nav: landmarks } = navList(epub, 'landmarks');
      const types = allElements(landmarks).filter((e) => e.localName === 'a').flatMap((a) => epubTypes(a));
      const hasBackMatter = manuscript.chapters.some((c) => c.kind === 'back-matter');
      assert.deepEqual(types, ['cover', 'toc', 'bodymatter', ...(hasBackMatter ? ['backmatter'] : [])]);
    });

    test('metadata: stable identifier, dates from the manuscript, accessibility', () => {
      const dc = (local: string) => Array.from(epub.opf.getElementsByTagNameNS('http://purl.org/dc/elements/1.1/', local)).map((e) => e.textContent ?? '');
      const meta = (property: string) => Array.from(epub.opf.getElementsByTagName('meta')).filter((m) => m.getAttribute('property') === property).map((m) => m.textContent ?? '');
      assert.equal(dc('identifier').length, 1);
      assert.ok(manuscript.issue.identifier === undefined || dc('identifier')[0] === manuscript.issue.identifier);
      assert.deepEqual(dc('language'), manuscript.issue.languages);
      assert.deepEqual(new Set(dc('creator')), new Set(manuscript.chapters.flatMap((c) => c.authors)));
      if (manuscript.issue.date) {
        assert.deepEqual(dc('date'), [manuscript.issue.date]);
        assert.deepEqual(meta('dcterms:modified'), [`${manuscript.issue.date}T00:00:00Z`]);
      }
      for (const description of dc('description')) assert.notEqual(description.trim(), '');
      assert.ok(meta('schema:accessMode').includes('textual'));
      assert.deepEqual(meta('schema:accessModeSufficient'), ['textual']);
      for (const feature of ['tableOfContents', 'pageNavigation', 'pageBreakMarkers', 'readingOrder', 'structuralNavigation']) {
        assert.ok(meta('schema:accessibilityFeature').includes(feature), feature);
      }
      assert.deepEqual(meta('schema:accessibilityHazard'), ['none']);
      assert.equal(meta('schema:accessibilitySummary').length, 1);
      assert.deepEqual(meta('dcterms:conformsTo'), ['EPUB Accessibility 1.1 - WCAG 2.1 Level AA']);
    });

    test('no script, event handler, script link or remote resource anywhere', () => {
      for (const [file, content] of epub.files) {
        if (!/\.(xhtml|opf|ncx|css)$/.test(file)) continue;
        const text = content.toString('utf8');
        assert.doesNotMatch(text, /<script\b/i, file);
        assert.doesNotMatch(text, /\son[a-z]+\s*=/i, file);
        assert.doesNotMatch(text, /javascript:/i, file);
        assert.doesNotMatch(text, /\s(src|poster|data)\s*=\s*"(https?:)?\/\//i, file);
        assert.doesNotMatch(text, /url\(\s*['"]?(https?:)?\/\//i, file);
      }
    });
  });
}

describe('epub: unsafe raw HTML in a chapter', () => {
  const dir = path.join(repo, 'test/fixtures/epub/unsafe-html');
  let scratch = '';
  let result: Awaited<ReturnType<typeof buildEpub>>;
  let epub: OpenedEpub;

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    result = await buildEpub({ resolved: await resolved(dir, { epub: path.join(scratch, 'unsafe.epub') }) });
    epub = await openEpub(await readFile(path.join(scratch, 'unsafe.epub')));
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('the sanitiser reports each unsafe block once, and EPUBCheck and Ace find nothing', async () => {
    const expected = (await readFile(path.join(dir, 'messages.txt'), 'utf8')).split('\n').filter(Boolean);
    assert.deepEqual(shown(result.messages, scratch), expected);
  });

  test('no script, handler, script link, frame or remote image reaches the EPUB; the text stays', () => {
    const chapter = chapterDocuments(epub)[0] ?? '';
    const text = epub.text(chapter);
    for (const pattern of [/<script\b/i, /\son[a-z]+\s*=/i, /javascript:/i, /<iframe\b/i, /example\.org\/(remote|tracker|bg|frame)/, /\sstyle=/]) {
      assert.doesNotMatch(text, pattern);
    }
    const doc = epub.xhtml(chapter);
    assert.equal(allElements(doc).filter((e) => e.localName === 'img').length, 0, 'remote images are gone, not left without src');
    for (const phrase of ['A paragraph with an event handler.', 'script link', 'web link', 'The last paragraph.']) assert.ok(text.includes(phrase), phrase);
  });
});

describe('epub: the validators are not vacuous', () => {
  test('EPUBCheck and Ace report a broken EPUB (no alt, skipped heading, dangling link)', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    try {
      const good = path.join(scratch, 'good.epub');
      const built = await buildEpub({ resolved: await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: good }), validate: false });
      assert.deepEqual(shown(built.messages, scratch), []);
      const files = await readZip(await readFile(good));
      const name = [...files.keys()].find((f) => f.endsWith('a-test-article.xhtml'));
      assert.ok(name);
      const broken = (files.get(name)?.toString('utf8') ?? '').replace('</h1>', '</h1><img src="cover.png"/><h4>Skipped</h4><p><a href="missing.xhtml">dangling</a></p>');
      files.set(name, Buffer.from(broken));
      const bad = path.join(scratch, 'bad.epub');
      await writeFile(bad, await writeEpubZip(files, new Date(Date.UTC(2000, 0, 1))));
      const [epubcheck, ace] = await Promise.all([runEpubcheck(bad), runAce(bad, { chromePath: chromiumPath() })]);
      assert.deepEqual(shown(epubcheck.messages, scratch), [
        '<out>/bad.epub/OEBPS/a-test-article.xhtml:13:104: error: EPUBCheck error RSC-007: Referenced resource "OEBPS/missing.xhtml" could not be found in the EPUB. [epub-001]',
      ]);
      assert.deepEqual(shown(ace.messages, scratch), [
        '<out>/bad.epub/a-test-article.xhtml: error: Ace moderate heading-order: Heading order invalid (a-test-article.xhtml, at `h4`) [epub-002]',
        '<out>/bad.epub/a-test-article.xhtml: error: Ace critical image-alt: Element does not have an alt attribute; aria-label attribute does not exist or is empty; aria-labelledby attribute does not exist, references elements that do not exist or references elements that are empty; Element has no title attribute; Element\'s default semantics were not overridden with role="none" or role="presentation" (a-test-article.xhtml, at `img`) [epub-002]',
      ]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('epub: dates and command line', () => {
  const fixture = path.join(repo, 'test/fixtures/manuscript/small');

  test('SOURCE_DATE_EPOCH sets dcterms:modified and every zip timestamp', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    try {
      const out = path.join(scratch, 'dated.epub');
      const epoch = 1_700_000_000;
      process.env.SOURCE_DATE_EPOCH = String(epoch);
      const built = await buildEpub({ resolved: await resolved(fixture, { epub: out }), validate: false });
      delete process.env.SOURCE_DATE_EPOCH;
      assert.deepEqual(shown(built.messages, scratch), []);
      const data = await readFile(out);
      const opened = await openEpub(data);
      const modified = Array.from(opened.opf.getElementsByTagName('meta')).filter((m) => m.getAttribute('property') === 'dcterms:modified').map((m) => m.textContent);
      assert.deepEqual(modified, [new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')]);
      const zip = await JSZip.loadAsync(data);
      const stamps = new Set(Object.values(zip.files).map((f) => f.date.getTime()));
      // DOS timestamps have two-second steps.
      assert.deepEqual([...stamps], [Math.floor(epoch / 2) * 2000]);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('folio epub writes the EPUB where --out says and exits 0', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    try {
      const lines: string[] = [];
      const out = path.join(scratch, 'cli', 'issue.epub');
      const code = await main(['epub', '--manuscript', fixture, '--out', out, '--no-validate'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      assert.equal(code, 0, lines.join('\n'));
      assert.equal(firstEntry(await readFile(out)).name, 'mimetype');
      const missing = await main(['epub', '--manuscript', path.join(scratch, 'nowhere'), '--out', out, '--no-validate'], { out: () => {}, err: (l) => lines.push(l) });
      assert.equal(missing, 1);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('epub: navigation helpers', () => {
  test('headings nest by level under the one before them', () => {
    const nested = nestHeadings('c.xhtml', [
      { level: 2, id: 'a', label: 'A', position: 1 },
      { level: 3, id: 'b', label: 'B', position: 2 },
      { level: 4, id: 'c', label: 'C', position: 3 },
      { level: 2, id: 'd', label: 'D', position: 4 },
      { level: 4, id: 'e', label: 'E', position: 5 },
    ]);
    const shape = (entries: typeof nested): unknown => entries.map((e) => [e.label, e.href, shape(e.children)]);
    assert.deepEqual(shape(nested), [
      ['A', 'c.xhtml#a', [['B', 'c.xhtml#b', [['C', 'c.xhtml#c', []]]]]],
      ['D', 'c.xhtml#d', [['E', 'c.xhtml#e', []]]],
    ]);
  });
});

describe('epub: a missing tool is an error, never a skip', () => {
  test('no Chromium: the EPUB is still made, with an SVG cover, and the build fails (epub-004 for the cover and for Ace)', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    try {
      const out = path.join(scratch, 'none.epub');
      const built = await buildEpub({ resolved: await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: out, chromePath: path.join(scratch, 'no-chromium') }) });
      const files = await readZip(await readFile(out));
      assert.ok(files.has('OEBPS/cover.svg'), 'an SVG cover');
      // EPUBCheck still ran on it and found nothing: only the two Chromium failures are reported.
      assert.deepEqual(shown(built.messages, scratch), [
        "<out>/none.epub: error: Unexpected failure to render the cover with Chromium (Unexpected missing Chromium at `<out>/no-chromium`, expected an executable browser; install Debian's chromium or set CHROME_PATH to one), expected a working browser; the cover is drawn as SVG instead [epub-004]",
        "<out>/none.epub: error: Unexpected missing Chromium at `<out>/no-chromium`, expected an executable browser; install Debian's chromium or set CHROME_PATH to one [epub-004]",
      ]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('no EPUBCheck jar: epub-004', async () => {
    const checked = await runEpubcheck(path.join(repo, 'test/fixtures/manuscript/small/issue.yaml'), { ...process.env, EPUBCHECK_JAR: path.join(os.tmpdir(), 'no-such-epubcheck.jar') });
    assert.deepEqual(
      checked.messages.map((m) => m.ruleId),
      ['epub-004'],
    );
  });
});

describe('epub: golden files of the baseline fixture', () => {
  // Every text file of the EPUB, for a person to review as a diff; UPDATE_GOLDEN=1 rewrites them.
  const golden = path.join(repo, 'test/fixtures/epub/baseline/expected');
  test('the package, navigation and content documents are as reviewed', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    try {
      const out = path.join(scratch, 'baseline.epub');
      const built = await buildEpub({ resolved: await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: out }), validate: false });
      assert.deepEqual(shown(built.messages, scratch), []);
      const files = await readZip(await readFile(out));
      const names = [...files.keys()].filter((name) => !name.endsWith('.png'));
      if (process.env.UPDATE_GOLDEN === '1') {
        await rm(golden, { recursive: true, force: true });
        for (const name of names) {
          await mkdir(path.dirname(path.join(golden, name)), { recursive: true });
          await writeFile(path.join(golden, name), files.get(name) ?? '');
        }
        return;
      }
      assert.deepEqual(names.sort(), (await readdir(golden, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(golden, path.join(e.parentPath, e.name))).sort());
      for (const name of names) assert.equal(files.get(name)?.toString('utf8'), await readFile(path.join(golden, name), 'utf8'), name);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('epub: outline of a chapter', () => {
  test('heading labels leave out footnote call marks; page markers are read in order', async () => {
    const { outlineChapter } = await import('../src/epub/navigation.js');
    const { renderChapter } = await import('../src/html/index.js');
    const markdown = ['---', 'slug: x', '---', '', ':page[3]', '', '# Title', '', '## A heading with a note[^1]', '', 'Text :page[4]more.', '', '[^1]: The note.', ''].join('\n');
    const { hast } = renderChapter({ path: 'x.md', markdown }, { target: 'epub' });
    const { unified } = await import('unified');
    const { default: rehypeHeadingIds } = await import('../src/epub/rehype-heading-ids.js');
    const outline = outlineChapter(unified().use(rehypeHeadingIds).runSync(hast) as typeof hast);
    const [heading] = outline.headings;
    const [three, four] = outline.pages;
    assert.deepEqual(
      { ...outline, headings: outline.headings.map(({ position: _, ...h }) => h), pages: outline.pages.map(({ position: _, ...p }) => p) },
      {
        headings: [{ level: 2, id: 'sec-1', label: 'A heading with a note' }],
        pages: [
          { id: 'page-3', label: '3' },
          { id: 'page-4', label: '4' },
        ],
        unlinkedHeadings: [],
      },
    );
    assert.ok(three && heading && four && three.position < heading.position && heading.position < four.position, 'positions follow document order');
  });
});

describe('epub: NCX play order', () => {
  test('targets are numbered in reading order across the TOC and the page-list; one place, one number', () => {
    const first = { label: 'One', href: 'a.xhtml', position: 0, children: [{ label: 'I', href: 'a.xhtml#sec-1', position: 5, children: [] }] };
    const second = { label: 'Two', href: 'b.xhtml', position: 0, children: [] };
    const pagesA = [
      { label: '1', value: 1, href: 'a.xhtml#page-1', position: 1 },
      { label: '2', value: 2, href: 'a.xhtml#page-2', position: 9 },
    ];
    const pagesB = [{ label: '3', value: 3, href: 'b.xhtml#page-3', position: 1 }];
    assignPlayOrder([
      { toc: first, pages: pagesA },
      { toc: second, pages: pagesB },
    ]);
    assert.deepEqual(
      [first, pagesA[0], first.children[0], pagesA[1], second, pagesB[0]].map((t) => (t as { playOrder?: number }).playOrder),
      [1, 2, 3, 4, 5, 6],
    );
  });
});

describe('epub: local images', () => {
  const dir = path.join(repo, 'test/fixtures/epub/local-image');
  test('a local figure is packed, declared and linked; a missing one is reported and left out', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epub-test-'));
    try {
      const out = path.join(scratch, 'figures.epub');
      const built = await buildEpub({ resolved: await resolved(dir, { epub: out }) });
      const expected = (await readFile(path.join(dir, 'messages.txt'), 'utf8')).split('\n').filter(Boolean);
      assert.deepEqual(shown(built.messages, scratch), expected, 'the missing figure and nothing else: EPUBCheck and Ace clean');
      // With an error, the EPUB is kept for inspection beside the output path, never at it.
      assert.equal(built.invalid, path.join(scratch, 'figures.invalid.epub'));
      await assert.rejects(readFile(out), { code: 'ENOENT' });
      const epub = await openEpub(await readFile(built.invalid));
      const chapter = chapterDocuments(epub)[0] ?? '';
      const images = allElements(epub.xhtml(chapter)).filter((e) => e.localName === 'img');
      assert.equal(images.length, 1);
      const src = images[0]?.getAttribute('src') ?? '';
      assert.ok(epub.files.get(epub.base + src)?.equals(await readFile(path.join(dir, 'chapters/figures/map.png'))), `${src} is the manuscript's file`);
      const item = Array.from(epub.opf.getElementsByTagName('item')).find((i) => i.getAttribute('href') === src);
      assert.equal(item?.getAttribute('media-type'), 'image/png');
      const summary = Array.from(epub.opf.getElementsByTagName('meta')).find((m) => m.getAttribute('property') === 'schema:accessibilitySummary')?.textContent ?? '';
      assert.match(summary, /the figure have text alternatives/, 'the summary speaks of the figure, not of a cover alone');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
