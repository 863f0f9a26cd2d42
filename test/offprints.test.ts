/**
 * The offprints and the articles' EPUBs, on a real `folio build` of the small fixture issue (an
 * article, a one-page news section and a Chinese article; one build shared by the cases): each
 * offprint read with other readers than the ones that made it (qpdf's JSON for the page labels
 * and the outline, pdftotext for each page's text against the issue PDF's page, qpdf --check,
 * Ghostscript, pdf-lib for the metadata and the structure tree); each article EPUB's page-list;
 * the check catching an offprint with a page dropped or swapped, and unable to run without qpdf;
 * `outputs:` turning both off; and two builds giving the same bytes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { buildArticles } from '../src/articles/index.js';
import { plannedArticleEpubs } from '../src/epub/index.js';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage, type Message } from '../src/messages.js';
import { buildOffprints } from '../src/offprints/index.js';
import { allElements, epubTypes, openEpub } from './epub-inspect.js';
import { runFolio } from './folio-process.js';
import { resolvedManuscript } from './resolved.js';

const run = promisify(execFile);
const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const small = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');
const slug = 'foreign-affairs-journal-winter-2099';
const epoch = { SOURCE_DATE_EPOCH: '1641376800' };

/** The fixture's offprints: every chapter but front and back matter, with its printed pages. */
const expected = [
  { slug: 'a-test-article', title: 'A Test Article on Cooperation', authors: ['Jane Roe'], language: 'en', pages: [1, 2] },
  { slug: 'visits-events', title: 'Visits & Events', authors: [], language: 'en', pages: [3] },
  { slug: 'a-test-article-zh', title: '关于合作的测试文章', authors: ['罗简'], language: 'zh-Hans', pages: [4, 5] },
];

let dir: string;
let manuscriptDir: string;
let out: string;
let built: { code: number | null; messages: Message[]; stages: { stage: string; ok: boolean; outputs: string[] }[] };

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'folio-offprints-'));
  manuscriptDir = path.join(dir, 'manuscript');
  await cp(small, manuscriptDir, { recursive: true });
  out = path.join(dir, 'build');
  const build = await runFolio(['build', '--manuscript', manuscriptDir, '--out-dir', out, '--json'], epoch);
  built = { code: build.code, ...(JSON.parse(build.stdout) as { messages: Message[]; stages: { stage: string; ok: boolean; outputs: string[] }[] }) };
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each page's words as pdftotext reads them, pages split at form feeds. */
async function pageTexts(file: string, first?: number, last?: number): Promise<string[][]> {
  const range = first !== undefined && last !== undefined ? ['-f', String(first), '-l', String(last)] : [];
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', ...range, file, '-']);
  return stdout.split('\f').slice(0, -1).map((page) => page.split(/\s+/u).filter(Boolean));
}

test('folio build writes an offprint and an EPUB of every article and section, and its check passes', () => {
  assert.equal(built.code, 0, built.messages.map(formatMessage).join('\n'));
  assert.deepEqual(built.messages.filter((m) => m.severity === 'error'), []);
  const articles = path.join(out, 'articles');
  const offprints = built.stages.find((s) => s.stage === 'offprints');
  assert.deepEqual(offprints, { ...offprints, ok: true, outputs: expected.map((e) => path.join(articles, `${e.slug}.pdf`)) });
  const epub = built.stages.find((s) => s.stage === 'epub');
  for (const e of expected) assert.ok(epub?.outputs.includes(path.join(articles, `${e.slug}.epub`)), `${e.slug}.epub among ${epub?.outputs.join(', ')}`);
});

test('each offprint: its printed pages, labelled with their folios, each page the issue PDF page’s text; clean for qpdf and Ghostscript', async () => {
  const issue = path.join(out, `${slug}.pdf`);
  for (const e of expected) {
    const file = path.join(out, 'articles', `${e.slug}.pdf`);
    const { stdout } = await run('qpdf', ['--json=2', '--json-key=pages', '--json-key=outlines', file]);
    const json = JSON.parse(stdout) as { pages: { label: { '/S': string; '/St': number } | null }[]; outlines: { title: string; destpageposfrom1: number }[] };
    assert.deepEqual(
      json.pages.map((p) => p.label),
      e.pages.map((page) => ({ '/S': '/D', '/St': page })),
      `${e.slug}: page labels`,
    );
    const own = await pageTexts(file);
    const issuePages = await pageTexts(issue, e.pages[0], e.pages.at(-1));
    assert.equal(own.length, e.pages.length);
    assert.deepEqual(own, issuePages, `${e.slug}: the text of every page`);
    assert.ok(own.every((words) => words.length > 0), `${e.slug}: every page has text`);
    assert.equal(json.outlines[0]?.title, e.title);
    assert.equal(json.outlines[0]?.destpageposfrom1, 1);
    // qpdf --check exits 0 only for a clean file (3: warnings, 2: errors).
    await run('qpdf', ['--check', file]);
    const gs = await run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=txtwrite', '-o', '-', file]);
    assert.doesNotMatch(gs.stderr, /error/iu);
    assert.ok(gs.stdout.trim().length > 0, `${e.slug}: Ghostscript reads text`);
  }
});

test('each offprint: its own metadata, language and structure tree (tagged, on its own pages only)', async () => {
  for (const e of expected) {
    const doc = await PDFDocument.load(await readFile(path.join(out, 'articles', `${e.slug}.pdf`)), { updateMetadata: false });
    assert.equal(doc.getTitle(), e.title);
    if (e.authors.length > 0) assert.equal(doc.getAuthor(), e.authors.join('; '));
    const range = e.pages.length === 1 ? `p. ${e.pages[0]}` : `pp. ${e.pages[0]}–${e.pages.at(-1)}`;
    assert.equal(doc.getSubject(), `Foreign Affairs Journal, Winter 2099, ${range}`);
    assert.equal(doc.catalog.get(PDFName.of('Lang'))?.toString(), `(${e.language})`);
    const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
    assert.ok(root, `${e.slug}: tagged`);
    const pages = new Set(doc.getPages().map((p) => p.ref));
    const onPages = new Set<PDFRef>();
    let elements = 0;
    const walk = (value: unknown): void => {
      const node = value instanceof PDFRef ? doc.context.lookup(value) : value;
      if (node instanceof PDFDict) {
        if (node.get(PDFName.of('S'))) elements += 1;
        const pg = node.get(PDFName.of('Pg'));
        if (pg instanceof PDFRef) onPages.add(pg);
        walk(node.get(PDFName.of('K')));
      } else if (node && typeof node === 'object' && 'asArray' in node) for (const kid of (node as { asArray(): unknown[] }).asArray()) walk(kid);
    };
    walk(root.get(PDFName.of('K')));
    assert.ok(elements > 3, `${e.slug}: ${elements} structure elements`);
    assert.deepEqual([...onPages].filter((ref) => !pages.has(ref)), [], `${e.slug}: no element on a page the offprint lacks`);
    assert.equal(onPages.size, pages.size, `${e.slug}: every page has tagged content`);
  }
});

test("each article's EPUB has a page-list of exactly its chapter's printed pages, and its notes", async () => {
  for (const e of expected) {
    const epub = await openEpub(await readFile(path.join(out, 'articles', `${e.slug}.epub`)));
    const navHref = epub.opf.getElementsByTagName('item');
    const nav = Array.from(navHref).find((item) => (item.getAttribute('properties') ?? '').split(' ').includes('nav'))?.getAttribute('href') ?? '';
    const list = allElements(epub.xhtml(nav)).find((el) => el.localName === 'nav' && epubTypes(el).includes('page-list'));
    assert.ok(list, `${e.slug}: a page-list`);
    const labels = allElements(list).filter((el) => el.localName === 'a').map((a) => a.textContent?.trim());
    assert.deepEqual(labels, e.pages.map(String), `${e.slug}: page-list`);
    const content = epub.spine.map((href) => epub.text(href)).join('\n');
    assert.equal(content.includes(`lang="${e.language}"`), true);
    assert.ok(epub.opf.getElementsByTagName('dc:title')[0]?.textContent === e.title, `${e.slug}: its title`);
  }
  // The English article's notes travel with it.
  const article = await openEpub(await readFile(path.join(out, 'articles', 'a-test-article.epub')));
  const chapter = article.spine.map((href) => article.xhtml(href)).flatMap((doc) => allElements(doc));
  assert.ok(chapter.some((el) => (el.getAttribute('role') ?? '') === 'doc-footnote' || epubTypes(el).includes('footnote')), 'its footnotes');
});

test('folio check names the offprint and the page when a page is dropped from it after the build', async () => {
  const file = path.join(out, 'articles', 'a-test-article.pdf');
  const original = await readFile(file);
  try {
    const cut = path.join(dir, 'cut.pdf');
    await run('qpdf', [file, '--pages', '.', '1', '--', cut]);
    await writeFile(file, await readFile(cut));
    const checked = await runFolio(['check', '--manuscript', manuscriptDir, '--out', out, '--no-epub', '--no-proof', '--json']);
    assert.equal(checked.code, 1, checked.stderr);
    assert.deepEqual((JSON.parse(checked.stdout) as { messages: Message[] }).messages.map(formatMessage), [
      `${file}: error: Unexpected 1 pages in \`a-test-article.pdf\`, expected the 2 printed pages 1–2 of its chapter [check-013]`,
      `${file}: error: Unexpected offprint \`a-test-article.pdf\` without printed page 2, expected every page of 1–2 [check-013]`,
      // The section that opens on the page dropped keeps a bookmark to no page.
      `${file}: error: Unexpected bookmark "1. A Numbered Heading" of \`a-test-article.pdf\` to no page of it, expected a page of the offprint [check-014]`,
    ]);
  } finally {
    await writeFile(file, original);
  }
  const again = await runFolio(['check', '--manuscript', manuscriptDir, '--out', out, '--no-epub', '--no-proof', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((JSON.parse(again.stdout) as { messages: Message[] }).messages, []);
});

test('a page of another text in an offprint is caught, with its page', async () => {
  const file = path.join(out, 'articles', 'a-test-article-zh.pdf');
  const original = await readFile(file);
  try {
    // Page 2 of the Chinese article's offprint swapped for the news page (printed page 3), labels kept.
    const issue = path.join(out, `${slug}.pdf`);
    const swapped = path.join(dir, 'swapped.pdf');
    await run('qpdf', ['--empty', '--pages', file, '1', issue, '3', '--', swapped]);
    const doc = await PDFDocument.load(await readFile(swapped));
    doc.catalog.set(PDFName.of('PageLabels'), doc.context.obj({ Nums: [0, { S: 'D', St: 4 }] }));
    await writeFile(file, await doc.save());
    const checked = await runFolio(['check', '--manuscript', manuscriptDir, '--out', out, '--no-epub', '--no-proof', '--json']);
    assert.equal(checked.code, 1, checked.stderr);
    const messages = (JSON.parse(checked.stdout) as { messages: Message[] }).messages;
    const text = messages.filter((m) => m.ruleId === 'check-013');
    assert.equal(text.length, 1, messages.map(formatMessage).join('\n'));
    assert.match(text[0]?.reason ?? '', /^Unexpected text on page 2 of `a-test-article-zh\.pdf` \(printed page 5\): \d+ words of the issue PDF's page lost/u);
    assert.equal(text[0]?.place?.file, file);
  } finally {
    await writeFile(file, original);
  }
});

test('outputs: { offprints: false, articleEpubs: false } in issue.yaml makes none', async () => {
  const issue = path.join(manuscriptDir, 'issue.yaml');
  const yaml = await readFile(issue, 'utf8');
  try {
    await writeFile(issue, `${yaml}outputs: { offprints: false, articleEpubs: false }\n`);
    const loaded = await loadManuscript(manuscriptDir);
    assert.deepEqual(loaded.messages, []);
    const manuscript = loaded.manuscript as Manuscript;
    const elsewhere = path.join(dir, 'off');
    await mkdir(elsewhere, { recursive: true });
    const made = await buildOffprints({ resolved: resolvedManuscript(manuscript, { outDir: elsewhere, pdf: path.join(out, `${slug}.pdf`) }) });
    assert.deepEqual([made.offprints, made.written, made.messages], [[], [], []]);
    assert.deepEqual(plannedArticleEpubs(manuscript, path.join(elsewhere, `${slug}.epub`)), []);
    assert.equal(existsSync(path.join(elsewhere, 'articles')), false);
    // The landing page then links no PDF and names none to Google Scholar.
    const articles = await buildArticles({ resolved: resolvedManuscript(manuscript, { outDir: elsewhere }), depositedAt: new Date(0), verify: false });
    assert.deepEqual(articles.messages, []);
    const landing = await readFile(path.join(elsewhere, 'articles', 'a-test-article.html'), 'utf8');
    assert.doesNotMatch(landing, /citation_pdf_url|\.pdf"/u);
    assert.match(await readFile(path.join(out, 'articles', 'a-test-article.html'), 'utf8'), /<meta name="citation_pdf_url" content="a-test-article\.pdf">/u);
  } finally {
    await writeFile(issue, yaml);
  }
});

test('without qpdf the check cannot run: check-009 for each offprint, exit 2, nothing found wrong', async () => {
  // A PATH with the other readers the check needs, and no qpdf.
  const bin = path.join(dir, 'no-qpdf');
  await mkdir(bin, { recursive: true });
  for (const tool of ['pdftotext', 'pdftoppm', 'gs', 'xmllint', 'pandoc']) await symlink(`/usr/bin/${tool}`, path.join(bin, tool));
  const checked = await runFolio(['check', '--manuscript', manuscriptDir, '--out', out, '--no-epub', '--no-proof', '--json'], { PATH: bin });
  assert.equal(checked.code, 2, checked.stderr);
  const messages = (JSON.parse(checked.stdout) as { messages: Message[] }).messages;
  assert.deepEqual(
    messages.map((m) => [m.ruleId, m.place?.file]),
    expected.map((e) => ['check-009', path.join(out, 'articles', `${e.slug}.pdf`)]),
  );
  assert.match(messages[0]?.reason ?? '', /`qpdf` could not be run .*scripts\/install-system\.sh installs it/u);
});

test('two builds give the same offprint and article EPUB bytes (SOURCE_DATE_EPOCH)', async () => {
  const second = path.join(dir, 'second');
  const rebuilt = await runFolio(['build', '--manuscript', manuscriptDir, '--out-dir', second, '--only', 'pdf,epub,offprints', '--json'], epoch);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const names = (await readdir(path.join(second, 'articles'))).filter((n) => n.endsWith('.pdf') || n.endsWith('.epub')).sort();
  assert.deepEqual(names, expected.flatMap((e) => [`${e.slug}.pdf`, `${e.slug}.epub`]).sort());
  for (const name of names) {
    assert.ok((await readFile(path.join(second, 'articles', name))).equals(await readFile(path.join(out, 'articles', name))), `${name} byte for byte`);
  }
});
