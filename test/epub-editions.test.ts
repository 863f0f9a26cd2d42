/**
 * EPUB editions by language, on the bilingual baseline fixture (English pages 1–3, Chinese 4–5):
 * both editions are built for real (cover, EPUBCheck, Ace) beside the whole book, then read back:
 * their page-lists, navigation labels, titles, languages, identifiers and the note naming the
 * other books; a second build is byte-identical; `outputs.editions: false` and a one-language
 * issue give none.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkEditionPageList } from '../src/check/epub.js';
import { buildEditions, buildEpub, type EditionResult } from '../src/epub/index.js';
import { editionLanguages, loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage, type Message } from '../src/messages.js';
import { allElements, epubTypes, openEpub, type OpenedEpub, XHTML } from './epub-inspect.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(repo, 'test/fixtures/manuscript/small');
// Dates come from the issue, as in a build without SOURCE_DATE_EPOCH.
delete process.env.SOURCE_DATE_EPOCH;
const DC = 'http://purl.org/dc/elements/1.1/';

function shown(messages: readonly Message[], scratch: string): string[] {
  return messages.map((m) => formatMessage(m).replaceAll(`${scratch}/`, '<out>/').replaceAll(`${repo}/`, ''));
}

function dc(epub: OpenedEpub, name: string): string[] {
  return Array.from(epub.opf.getElementsByTagNameNS(DC, name)).map((e) => e.textContent ?? '');
}

/** The labels of one nav of the navigation document, in order. */
function navLabels(epub: OpenedEpub, type: string): string[] {
  const doc = epub.xhtml('toc.xhtml');
  const nav = Array.from(doc.getElementsByTagNameNS(XHTML, 'nav')).find((n) => epubTypes(n).includes(type));
  assert.ok(nav, `a nav of epub:type ${type}`);
  return allElements(nav)
    .filter((e) => e.localName === 'a' || e.localName === 'h1' || e.localName === 'h2')
    .map((e) => e.textContent ?? '');
}

describe('epub editions: the bilingual baseline fixture', () => {
  let scratch = '';
  let manuscript: Manuscript;
  let whole: Awaited<ReturnType<typeof buildEpub>>;
  let editions: EditionResult[];
  const opened = new Map<string, OpenedEpub>();

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-editions-test-'));
    const loaded = await loadManuscript(fixture);
    assert.ok(loaded.manuscript);
    manuscript = loaded.manuscript;
    const out = path.join(scratch, 'first', 'issue.epub');
    whole = await buildEpub({ resolved: await resolved(fixture, { epub: out }) });
    editions = await buildEditions({ resolved: await resolved(fixture, { epub: out }) });
    for (const edition of editions) opened.set(edition.language, await openEpub(await readFile(edition.file)));
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('the whole book and both editions are EPUBCheck- and Ace-clean', () => {
    assert.deepEqual(shown(whole.messages, scratch), []);
    assert.deepEqual(
      editions.map((e) => ({ language: e.language, file: path.relative(scratch, e.file), out: e.out && path.relative(scratch, e.out), messages: shown(e.messages, scratch) })),
      [
        { language: 'en', file: 'first/issue.en.epub', out: 'first/issue.en.epub', messages: [] },
        { language: 'zh-Hans', file: 'first/issue.zh-Hans.epub', out: 'first/issue.zh-Hans.epub', messages: [] },
      ],
    );
  });

  test('each page-list is exactly the printed pages of its language', async () => {
    assert.deepEqual(navLabels(opened.get('en')!, 'page-list'), ['Pages', '1', '2', '3']);
    assert.deepEqual(navLabels(opened.get('zh-Hans')!, 'page-list'), ['页码', '4', '5']);
    assert.deepEqual(editions.map((e) => e.pages), [3, 2]);
    // folio check's reading agrees, and finds a page-list held to the other language's pages wrong.
    assert.deepEqual(await checkEditionPageList(editions[0]!.file, [1, 2, 3]), []);
    assert.deepEqual(await checkEditionPageList(editions[1]!.file, [4, 5]), []);
    assert.deepEqual(
      shown(await checkEditionPageList(editions[1]!.file, [3, 4, 5]), scratch),
      [
        '<out>/first/issue.zh-Hans.epub!/OEBPS/toc.xhtml: error: Unexpected page 4 in the page-list after page 0, expected page 3 [check-006]',
        '<out>/first/issue.zh-Hans.epub!/OEBPS/toc.xhtml: error: Unexpected page-list without page 3, expected every printed page [check-006]',
      ],
    );
  });

  test('the navigation speaks the edition\'s language', () => {
    assert.deepEqual(navLabels(opened.get('en')!, 'landmarks'), ['Landmarks', 'Cover', 'Contents', 'Start of content']);
    assert.deepEqual(navLabels(opened.get('zh-Hans')!, 'landmarks'), ['导览', '封面', '目录', '正文']);
    assert.deepEqual(navLabels(opened.get('en')!, 'toc'), [
      'Contents',
      'A Test Article on Cooperation',
      'I',
      '1. A Numbered Heading',
      'Visits & Events',
      '2099 Understanding Test Conference (Guangzhou) Successfully Held',
      'The Third Meeting of the Test Forum Successfully Held',
    ]);
    assert.deepEqual(navLabels(opened.get('zh-Hans')!, 'toc'), ['目录', '关于合作的测试文章', '一', '（一）会议背景']);
    assert.equal(opened.get('zh-Hans')!.xhtml('toc.xhtml').documentElement?.getAttribute('lang'), 'zh-Hans');
  });

  test('titles, languages and identifiers are the edition\'s own; each names the others', () => {
    const en = opened.get('en')!;
    const zh = opened.get('zh-Hans')!;
    assert.deepEqual(dc(en, 'title'), ['Foreign Affairs Journal, Winter 2099, English edition']);
    assert.deepEqual(dc(zh, 'title'), ['Foreign Affairs Journal, Winter 2099（中文版）']);
    assert.deepEqual(dc(en, 'language'), ['en']);
    assert.deepEqual(dc(zh, 'language'), ['zh-Hans']);
    const [enId = '', zhId = ''] = [dc(en, 'identifier')[0], dc(zh, 'identifier')[0]];
    const wholeId = 'urn:uuid:ab6f23e8-ef9b-5956-8403-3ab3a4cd8072';
    assert.equal(new Set([enId, zhId, wholeId]).size, 3);
    for (const id of [enId, zhId]) assert.match(id, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
    assert.deepEqual(dc(en, 'relation'), [zhId, wholeId]);
    assert.deepEqual(dc(zh, 'relation'), [enId, wholeId]);
    // The note stands before the contents, in the spine after the cover.
    assert.deepEqual(en.spine.slice(0, 3), ['cover.xhtml', 'edition.xhtml', 'toc.xhtml']);
    const note = (epub: OpenedEpub) => Array.from(epub.xhtml('edition.xhtml').getElementsByTagNameNS(XHTML, 'p')).map((p) => p.textContent ?? '');
    assert.deepEqual(note(en), [`This issue in Chinese: issue.zh-Hans.epub (${zhId})`, `The whole issue, in both languages: issue.epub (${wholeId})`]);
    assert.deepEqual(note(zh), [`本期英文版：issue.en.epub（${enId}）`, `本期双语全本：issue.epub（${wholeId}）`]);
  });

  test("the cover's text alternative is in the edition's language", () => {
    const alt = (epub: OpenedEpub) => epub.xhtml('cover.xhtml').getElementsByTagNameNS(XHTML, 'img')[0]?.getAttribute('alt') ?? '';
    assert.match(alt(opened.get('en')!), /^Cover of Foreign Affairs Journal, Winter 2099, listing A Test Article on Cooperation by Jane Roe/u);
    const zh = alt(opened.get('zh-Hans')!);
    assert.match(zh, /^《Foreign Affairs Journal》Winter 2099封面，列出：关于合作的测试文章/u);
    assert.doesNotMatch(zh, / by |listing|published/u);
  });

  test('a second build gives the same bytes', async () => {
    const out = path.join(scratch, 'second', 'issue.epub');
    const again = await buildEditions({ resolved: await resolved(fixture, { epub: out }), validate: false });
    assert.deepEqual(again.flatMap((e) => e.messages), []);
    for (const [index, edition] of again.entries()) {
      assert.ok(Buffer.compare(await readFile(edition.file), await readFile(editions[index]!.file)) === 0, `${edition.language} byte-identical`);
    }
  });

  test('outputs.editions: false, or one language, gives no editions', () => {
    assert.deepEqual(editionLanguages(manuscript), ['en', 'zh-Hans']);
    assert.deepEqual(editionLanguages({ ...manuscript, issue: { ...manuscript.issue, outputs: { jats: true, landing: true, editions: false } } }), []);
    assert.deepEqual(editionLanguages({ ...manuscript, chapters: manuscript.chapters.filter((c) => c.language === 'en') }), []);
  });
});
