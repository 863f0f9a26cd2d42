/**
 * The PDF stage's chunks and their cache, rendered for real on the small fixture issue, whose
 * chapters open printed pages 1, 3 and 4: three chunks, one starting on a recto (3) and one on
 * a verso (4). The joined PDF must read as one issue across the seams (folios, running heads,
 * page labels, outline targets), and an edit to one chapter must lay out only its chunk.
 * One page per chunk at least (`chunkPages: 1`), so that every page-opening chapter is a chunk.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { formatMessage } from '../src/messages.js';
import { renderPdf, type RenderPdfResult } from '../src/pdf/index.js';
import { allPageWords, catalogue, zones } from './pdf-pages.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');

/** Each chunk as "first–last chapters: rendered|reused". */
function chunkLines(result: RenderPdfResult): string[] {
  return result.chunks.map((c) => `${c.firstFolio}–${c.lastFolio} ${c.chapters.join(',')}: ${c.rendered ? 'rendered' : 'reused'}`);
}

/** Outline titles with the 1-based PDF page each one opens. */
async function outlineTargets(pdf: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const refs = doc.getPages().map((page) => page.ref);
  const lines: string[] = [];
  const walk = (item: PDFDict | undefined, depth: number) => {
    for (let node = item; node; node = node.lookupMaybe(PDFName.of('Next'), PDFDict)) {
      const title = node.lookup(PDFName.of('Title')) as unknown as { decodeText(): string };
      const dest = node.lookupMaybe(PDFName.of('Dest'), PDFArray);
      const target = dest?.get(0);
      const page = target instanceof PDFRef ? refs.findIndex((ref) => ref === target) + 1 : 0;
      lines.push(`${'  '.repeat(depth)}${title.decodeText()} → ${page}`);
      walk(node.lookupMaybe(PDFName.of('First'), PDFDict), depth + 1);
    }
  };
  walk(doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict)?.lookupMaybe(PDFName.of('First'), PDFDict), 0);
  return lines;
}

/** What each page prints in its margins: the running head (or none) and the drop folio. */
async function margins(pdf: string): Promise<string[]> {
  const mm = 72 / 25.4;
  return (await allPageWords(pdf)).map((page, index) => {
    const { head, foot } = zones(page, 22 * mm, 22.1 * mm);
    return `${index + 1}: head «${head.replace(/\s+/g, ' ').trim()}» foot «${foot.replace(/\s+/g, ' ').trim()}»`;
  });
}

test('pdf chunks: cut where chapters open pages, joined into one issue across the seams', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-chunks-'));
  try {
    const out = path.join(dir, 'issue.pdf');
    const result = await renderPdf({ resolved: await resolved(fixture, { pdf: out }), chunkPages: 1 });
    assert.deepEqual(result.messages.map(formatMessage), []);
    assert.deepEqual(chunkLines(result), ['1–2 a-test-article: rendered', '3–3 visits-events: rendered', '4–5 a-test-article-zh: rendered']);
    assert.equal(result.pages, 5);
    assert.deepEqual(result.layout.map((p) => p.index), [1, 2, 3, 4, 5]);
    assert.deepEqual(result.layout.map((p) => p.starts), [[1], [2], [3], [4], [5]]);
    const bytes = await readFile(out);
    const facts = await catalogue(bytes);
    assert.equal(facts.pages, 5);
    assert.equal(facts.pageLabelStart, 1);
    assert.deepEqual(await outlineTargets(bytes), [
      'A Test Article on Cooperation → 1',
      '  I → 1',
      '  1. A Numbered Heading → 2',
      'Visits & Events → 3',
      '  2099 Understanding Test Conference (Guangzhou) Successfully Held → 3',
      '  The Third Meeting of the Test Forum Successfully Held → 3',
      '关于合作的测试文章 → 4',
      '  一 → 4',
      '  （一）会议背景 → 5',
    ]);
    // Openings print a drop folio and no running head; page 2 is a verso (folio, then the
    // issue), page 5 a recto (short title, then folio), though its chunk began on a verso.
    assert.deepEqual(await margins(out), [
      '1: head «» foot «1»',
      '2: head «2 Foreign Affairs Journal · Winter 2099» foot «»',
      '3: head «» foot «3»',
      '4: head «» foot «4»',
      '5: head «关于合作的测试文章 5» foot «»',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf chunks: an edit to one chapter lays out only its chunk; the rest comes from the cache', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-cache-'));
  try {
    const manuscriptDir = path.join(dir, 'manuscript');
    await cp(fixture, manuscriptDir, { recursive: true });
    const buildDir = path.join(dir, 'build');
    const out = path.join(buildDir, 'issue.pdf');
    const first = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }), chunkPages: 1 });
    assert.deepEqual(first.messages.map(formatMessage), []);
    assert.deepEqual(chunkLines(first), ['1–2 a-test-article: rendered', '3–3 visits-events: rendered', '4–5 a-test-article-zh: rendered']);

    const again = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }), chunkPages: 1 });
    assert.deepEqual(again.messages.map(formatMessage), []);
    assert.deepEqual(chunkLines(again), ['1–2 a-test-article: reused', '3–3 visits-events: reused', '4–5 a-test-article-zh: reused']);
    assert.equal(again.passes, 0);
    assert.deepEqual(again.layout, first.layout);

    const file = path.join(manuscriptDir, 'chapters', '02-visits-events.md');
    const text = await readFile(file, 'utf8');
    const edited = text.replace(/\bthe\b/, 'this');
    assert.notEqual(edited, text);
    await writeFile(file, edited);
    const after = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }), chunkPages: 1 });
    assert.deepEqual(after.messages.map(formatMessage), []);
    assert.deepEqual(chunkLines(after), ['1–2 a-test-article: reused', '3–3 visits-events: rendered', '4–5 a-test-article-zh: reused']);
    assert.equal(after.pages, 5);
    assert.match((await allPageWords(out))[2]?.words.map((w) => w.text).join(' ') ?? '', /\bthis\b/);

    // What every chunk depends on is part of every key: another page-end setting lays out all.
    const reset = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }), chunkPages: 1, pageEndFill: 0.5 });
    assert.deepEqual(chunkLines(reset), ['1–2 a-test-article: rendered', '3–3 visits-events: rendered', '4–5 a-test-article-zh: rendered']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
