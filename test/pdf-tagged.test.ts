/**
 * The joined PDF stays a tagged PDF. Chromium prints every chunk with a structure tree; the
 * join must carry it over: one /StructTreeRoot, /MarkInfo, a /ParentTree with a key per page,
 * every element's /Pg a page of the joined document, and every marked-content sequence on
 * every page claimed by exactly one element. Checked on the real pipeline (the small fixture
 * issue printed in separate chunks) and on two small Chromium PDFs joined out of order, so an
 * element whose text runs over two pages is split between two runs of pages.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, type PDFObject, PDFRawStream, PDFRef, PDFString, StandardFonts } from 'pdf-lib';
import { formatMessage } from '../src/messages.js';
import { launchChromium } from '../src/pdf/browser.js';
import { testSerifFace } from './print-sample.js';
import { renderPdf } from '../src/pdf/index.js';
import { finishPdf, type PdfFacts } from '../src/pdf/finish.js';
import { joinPdfs } from '../src/pdf/join.js';
import { resolved } from './resolved.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');

const name = (text: string) => PDFName.of(text);

/**
 * What keeps a PDF from being a sound tagged PDF, one line per problem (none: it is one). Reads
 * the catalog, walks the structure tree from its root, and holds each page's content stream
 * against it: the MCIDs the page's content marks must be exactly those the tree claims on that
 * page, each claimed once, and the page's /ParentTree entry must name the claiming element.
 */
async function taggingProblems(pdf: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const { catalog, context } = doc;
  const problems: string[] = [];
  const marked = catalog.lookupMaybe(name('MarkInfo'), PDFDict)?.get(name('Marked'));
  if (marked?.toString() !== 'true') problems.push('catalog: no /MarkInfo << /Marked true >>');
  const rootRef = catalog.get(name('StructTreeRoot'));
  const root = rootRef instanceof PDFRef ? context.lookup(rootRef) : undefined;
  if (!(rootRef instanceof PDFRef) || !(root instanceof PDFDict)) return [...problems, 'catalog: no /StructTreeRoot'];

  const parentTree = new Map<number, PDFObject>();
  const readNumberTree = (node: PDFDict) => {
    const nums = node.lookupMaybe(name('Nums'), PDFArray);
    for (let i = 0; nums && i + 1 < nums.size(); i += 2) parentTree.set(nums.lookup(i, PDFNumber).asNumber(), nums.get(i + 1));
    for (const kid of node.lookupMaybe(name('Kids'), PDFArray)?.asArray() ?? []) readNumberTree(context.lookup(kid, PDFDict));
  };
  const treeRoot = root.lookupMaybe(name('ParentTree'), PDFDict);
  if (treeRoot) readNumberTree(treeRoot);
  else problems.push('root: no /ParentTree');
  const nextKey = root.lookupMaybe(name('ParentTreeNextKey'), PDFNumber)?.asNumber() ?? 0;
  if (parentTree.size > 0 && nextKey <= Math.max(...parentTree.keys())) problems.push(`root: /ParentTreeNextKey ${nextKey} is not above every key`);

  const pages = doc.getPages();
  const pageNumber = new Map(pages.map((page, index) => [page.ref, index + 1]));
  /** Per 1-based page, MCID → the element claiming it. */
  const claimed = new Map<number, Map<number, PDFRef>>();
  const claim = (page: number | undefined, mcid: number, owner: PDFRef) => {
    if (page === undefined) return void problems.push(`element ${owner}: MCID ${mcid} on no page of the document`);
    const onPage = claimed.get(page) ?? new Map<number, PDFRef>();
    if (onPage.has(mcid)) problems.push(`page ${page}: MCID ${mcid} claimed twice`);
    onPage.set(mcid, owner);
    claimed.set(page, onPage);
  };
  const pageOf = (dict: PDFDict, fallback?: number) => {
    const pg = dict.get(name('Pg'));
    if (pg === undefined) return fallback;
    const page = pg instanceof PDFRef ? pageNumber.get(pg) : undefined;
    if (page === undefined) problems.push(`/Pg ${pg} is not a page of the document`);
    return page;
  };
  const walk = (ref: PDFObject, parent: PDFRef) => {
    if (!(ref instanceof PDFRef)) return void problems.push(`element under ${parent}: not an indirect object, so no parent tree can name it`);
    const element = context.lookup(ref, PDFDict);
    if (element.get(name('P')) !== parent) problems.push(`element ${ref}: /P is not ${parent}`);
    const page = pageOf(element);
    const kids = element.get(name('K'));
    const list = kids === undefined ? [] : context.lookup(kids) instanceof PDFArray ? context.lookup(kids, PDFArray).asArray() : [kids];
    for (const kid of list) {
      const value = context.lookup(kid);
      if (value instanceof PDFNumber) claim(page, value.asNumber(), ref);
      else if (value instanceof PDFDict && value.get(name('Type')) === name('MCR')) claim(pageOf(value, page), value.lookup(name('MCID'), PDFNumber).asNumber(), ref);
      else if (value instanceof PDFDict && value.get(name('Type')) === name('OBJR')) {
        const key = context.lookup(value.get(name('Obj')), PDFDict).lookupMaybe(name('StructParent'), PDFNumber)?.asNumber();
        if (key === undefined || parentTree.get(key) !== ref) problems.push(`element ${ref}: object reference without its /StructParent entry`);
      } else walk(kid, ref);
    }
  };
  const top = root.get(name('K'));
  if (top === undefined) problems.push('root: no /K');
  const topKids = top === undefined ? [] : context.lookup(top) instanceof PDFArray ? context.lookup(top, PDFArray).asArray() : [top];
  for (const kid of topKids) walk(kid, rootRef);

  pages.forEach((page, index) => {
    const number = index + 1;
    const key = page.node.lookupMaybe(name('StructParents'), PDFNumber)?.asNumber();
    const entry = key === undefined ? undefined : context.lookup(parentTree.get(key));
    if (!(entry instanceof PDFArray)) return void problems.push(`page ${number}: no /StructParents with a /ParentTree entry`);
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => context.lookup(ref)) : [contents];
    const text = streams.map((stream) => (stream instanceof PDFRawStream ? Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1') : '')).join('\n');
    const marked = [...text.matchAll(/\/MCID\s+(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    const onPage = claimed.get(number) ?? new Map<number, PDFRef>();
    const inTree = [...onPage.keys()].sort((a, b) => a - b);
    if (inTree.length === 0) problems.push(`page ${number}: no marked content in the structure tree`);
    if (marked.join() !== inTree.join()) problems.push(`page ${number}: content marks MCIDs [${marked.join(', ')}], the tree claims [${inTree.join(', ')}]`);
    for (const [mcid, owner] of onPage) {
      if (entry.get(mcid) !== owner) problems.push(`page ${number}: /ParentTree entry for MCID ${mcid} is not its element ${owner}`);
    }
  });
  return problems;
}

/** What `pdfinfo` says under "Tagged:". */
async function pdfinfoTagged(pdf: string): Promise<string> {
  const { stdout } = await run('pdfinfo', [pdf]);
  return /^Tagged:\s+(\S+)/m.exec(stdout)?.[1] ?? '';
}

/** The structure tree's text as poppler reads it: one string per element with content. */
async function structureText(pdf: string): Promise<string[]> {
  const { stdout } = await run('pdfinfo', ['-struct-text', pdf], { maxBuffer: 1 << 26 });
  return [...stdout.matchAll(/^\s*"(.*)"$/gm)].map((m) => m[1] as string);
}

/** Each element directly under the Document: its structure type, and its /Lang when it has one. */
async function documentKids(pdf: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const root = doc.catalog.lookup(name('StructTreeRoot'), PDFDict);
  const document = root.lookup(name('K'), PDFDict);
  assert.equal(document.get(name('S')), name('Document'));
  return document.lookup(name('K'), PDFArray).asArray().map((kid) => {
    const element = doc.context.lookup(kid, PDFDict);
    const lang = element.get(name('Lang'));
    const code = lang instanceof PDFString || lang instanceof PDFHexString ? ` ${lang.decodeText()}` : '';
    return `${element.get(name('S'))?.toString().slice(1)}${code}`;
  });
}

const facts: PdfFacts = { title: 'T', subject: 'S', language: 'en', authors: [], keywords: [], outline: [], firstFolio: 1 };

test('pdf tagged: the issue printed in separate chunks joins into one sound structure tree', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-tagged-'));
  try {
    const out = path.join(dir, 'issue.pdf');
    // Chunks 1–2, 3 and 4–5; flows of at most 3 pages: 1–3 laid out as one PDF, 4–5 as another.
    const result = await renderPdf({ resolved: await resolved(fixture, { pdf: out }), chunkPages: 1, flowPages: 3 });
    assert.deepEqual(result.messages.map(formatMessage), []);
    assert.equal(result.chunks.length, 3);
    assert.equal(await pdfinfoTagged(out), 'yes');
    assert.deepEqual(await taggingProblems(await readFile(out)), []);
    // Each chapter's title is in the tree, in reading order.
    const text = (await structureText(out)).join('\n').replace(/[\s\u00AD]+/g, ' ');
    const titles = ['A Test Article on Cooperation', 'Visits & Events', '关于合作的测试文章'].map((title) => text.indexOf(title));
    assert.ok(titles.every((at, i) => at >= 0 && at > (titles[i - 1] ?? -1)), `titles at ${titles.join(', ')} in the structure text`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf tagged: parts of one PDF on either side of another split the element that spans them', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-tagged-'));
  const words = (count: number, stem: string) => Array.from({ length: count }, (_, i) => `${stem}${i}`).join(' ');
  // A bundled face, never the machine's `serif`, so the pages break the same on every machine.
  const page = `<style>${await testSerifFace()} @page { size: 100mm 100mm; margin: 10mm } body { font: 10pt 'Test Serif' } .page { break-before: page }</style>`;
  // Four pages, each break set by the page (not by the fonts a machine has): the "span" paragraph
  // opens page 2 and runs onto page 3; the last paragraph opens page 4.
  const english = `<!doctype html><html lang="en"><head>${page}</head><body><h1>Alpha heading</h1><p>${words(60, 'first')}</p><p class="page">${words(120, 'span')}</p><ul><li>${words(30, 'item')}</li></ul><p class="page">${words(60, 'last')}</p></body></html>`;
  const french = `<!doctype html><html lang="fr"><head>${page}</head><body><h1>Beta</h1><p>${words(10, 'beta')}</p></body></html>`;
  const chromium = await launchChromium({ timeoutMs: 120_000 });
  try {
    const print = async (html: string) => {
      const tab = await chromium.browser.newPage();
      try {
        await tab.setContent(html);
        return await tab.pdf({ tagged: true, preferCSSPageSize: true });
      } finally {
        await tab.close();
      }
    };
    const en = await print(english);
    const fr = await print(french);
    const enFile = path.join(dir, 'en.pdf');
    await writeFile(enFile, en);
    assert.equal((await PDFDocument.load(en)).getPageCount(), 4);
    assert.deepEqual(await taggingProblems(en), []);

    const out = path.join(dir, 'joined.pdf');
    const joined = await finishPdf(
      [
        { bytes: en, first: 0, count: 2 },
        { bytes: fr, first: 0, count: 1 },
        { bytes: en, first: 2, count: 2 },
      ],
      facts,
    );
    await writeFile(out, joined);
    assert.equal(await pdfinfoTagged(out), 'yes');
    assert.deepEqual(await taggingProblems(joined), []);
    // The French document's elements keep their language; the span paragraph is in two pieces,
    // the second where page 3 of the English PDF begins.
    assert.deepEqual(await documentKids(joined), ['H1', 'P', 'P', 'H1 fr', 'P fr', 'P', 'L', 'P']);
    const { stdout } = await run('pdftotext', ['-f', '3', '-l', '3', enFile, '-']);
    const pageThree = stdout.trim().split(/\s+/)[0] ?? '';
    assert.match(pageThree, /^span\d+$/);
    const first = (await structureText(out)).map((text) => text.split(/\s+/)[0]);
    assert.deepEqual(first, ['Alpha', 'first0', 'span0', 'Beta', 'beta0', pageThree, '', 'item0', 'last0']);

    // One run from the middle of a PDF keeps only what lies on its pages: the span paragraph
    // whole (pages 2 and 3), the list; not the heading and paragraph of page 1, nor page 4's.
    const middle = await (await joinPdfs([{ bytes: en, first: 1, count: 2 }])).save();
    assert.deepEqual(await taggingProblems(middle), []);
    assert.deepEqual(await documentKids(middle), ['P', 'L']);
  } finally {
    await chromium.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf tagged: the check finds an untagged PDF, a join that drops the tree, and a page with a wrong key', async () => {
  const plain = await PDFDocument.create();
  plain.addPage([200, 200]).drawText('untagged', { font: await plain.embedFont(StandardFonts.Helvetica) });
  assert.deepEqual(await taggingProblems(await plain.save()), ['catalog: no /MarkInfo << /Marked true >>', 'catalog: no /StructTreeRoot']);

  const chromium = await launchChromium({ timeoutMs: 120_000 });
  let tagged: Uint8Array;
  try {
    const tab = await chromium.browser.newPage();
    await tab.setContent('<!doctype html><html lang="en"><body><p>One</p><p style="break-before: page">Two</p></body></html>');
    tagged = await tab.pdf({ tagged: true });
  } finally {
    await chromium.close();
  }
  assert.deepEqual(await taggingProblems(tagged), []);

  // The join as it was: pages copied, the structure tree left behind.
  const dropped = await PDFDocument.create();
  const source = await PDFDocument.load(tagged);
  for (const copied of await dropped.copyPages(source, [0, 1])) dropped.addPage(copied);
  assert.deepEqual(await taggingProblems(await dropped.save()), ['catalog: no /MarkInfo << /Marked true >>', 'catalog: no /StructTreeRoot']);

  const joined = await joinPdfs([
    { bytes: tagged, first: 1, count: 1 },
    { bytes: tagged, first: 0, count: 1 },
  ]);
  assert.deepEqual(await taggingProblems(await joined.save()), []);
  joined.getPages()[1]?.node.set(name('StructParents'), PDFNumber.of(7));
  assert.deepEqual(await taggingProblems(await joined.save()), ['page 2: no /StructParents with a /ParentTree entry']);
});
