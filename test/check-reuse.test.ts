/**
 * What a repeated check reuses, and only that. The proof's page images are drawn only for
 * pages that changed: every page is keyed by a digest of what it is drawn from, so a page kept
 * unchanged in a new PDF (even moved, or with its objects renumbered) keeps its image, a
 * changed page is drawn again, images no page uses are removed, and a damaged images folder is
 * mended. The manuscript's reading is kept per chapter: an edited chapter is read again, a
 * damaged cache is read as none, and the report is the one a check without a cache makes. The
 * page labels read without pdf.js read as pdf.js reads them.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { crc32, inflateSync } from 'node:zlib';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PDFDocument, PDFHexString, PDFName, PDFPage, PDFString, rgb, StandardFonts, type PDFFont } from 'pdf-lib';
import { check, type CheckResult } from '../src/check/index.js';
import { pageDigests, pageLabels, readPdfObjects } from '../src/check/pdf-objects.js';
import { encodePng, readPpm } from '../src/check/png.js';
import { renderPageImages, renderShares } from '../src/check/proof.js';
import { stretchCache } from '../src/check/stretch-cache.js';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { resolved } from './resolved.js';

/** Writes `text` on a new page: the words are what tells the pages apart. */
function addTextPage(doc: PDFDocument, font: PDFFont, text: string, size: [number, number] = [200, 280]): PDFPage {
  const page = doc.addPage(size);
  page.drawText(text, { x: 20, y: size[1] - 40, size: 14, font });
  return page;
}

/** A PDF of one page per text, all set in one font. */
async function pdfOf(texts: readonly string[]): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of texts) addTextPage(doc, font, text);
  return doc;
}

/** Images in a folder, with their modification times. */
async function folder(dir: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const name of await readdir(dir)) found.set(name, (await stat(path.join(dir, name))).mtimeMs);
  return found;
}

describe('proof images: drawn once per page content', () => {
  let scratch = '';
  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-proof-'));
  });
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('a page changed in the PDF is the only one drawn again; the image it had is removed', async () => {
    const dir = path.join(scratch, 'one-page');
    const first = path.join(scratch, 'first.pdf');
    await writeFile(first, await (await pdfOf(['page one', 'page two', 'page three', 'page four'])).save());
    const drawn = await renderPageImages(first, dir);
    assert.deepEqual(drawn.rendered, [1, 2, 3, 4]);
    assert.equal(new Set(drawn.images.values()).size, 4);
    const before = await folder(dir);
    assert.deepEqual([...before.keys()].sort(), [...drawn.images.values()].map((f) => path.basename(f)).sort());

    // The same PDF again: nothing is drawn, nothing is touched.
    const again = await renderPageImages(first, dir);
    assert.deepEqual(again.rendered, []);
    assert.deepEqual(again.images, drawn.images);
    assert.deepEqual(await folder(dir), before);

    // Page 3 says something else; the others are the same bytes in a new file.
    const second = path.join(scratch, 'second.pdf');
    await writeFile(second, await (await pdfOf(['page one', 'page two', 'page 3, changed', 'page four'])).save());
    const changed = await renderPageImages(second, dir);
    assert.deepEqual(changed.rendered, [3]);
    for (const page of [1, 2, 4]) assert.equal(changed.images.get(page), drawn.images.get(page));
    assert.notEqual(changed.images.get(3), drawn.images.get(3));
    const now = await folder(dir);
    assert.deepEqual([...now.keys()].sort(), [...changed.images.values()].map((f) => path.basename(f)).sort(), 'the old image of page 3 is gone');
    for (const page of [1, 2, 4]) {
      const name = path.basename(changed.images.get(page) ?? '');
      assert.equal(now.get(name), before.get(name), `page ${page}'s image is not written again`);
    }

    // Pages 1 and 4 change: pdftoppm draws 1 to 4 in one call, and the images of 2 and 3 stay as they were.
    const third = path.join(scratch, 'third.pdf');
    await writeFile(third, await (await pdfOf(['page 1, changed', 'page two', 'page 3, changed', 'page 4, changed'])).save());
    const ends = await renderPageImages(third, dir);
    assert.deepEqual(ends.rendered, [1, 4]);
    const after = await folder(dir);
    for (const page of [2, 3]) {
      const name = path.basename(ends.images.get(page) ?? '');
      assert.equal(after.get(name), now.get(name), `page ${page}'s image is not written again`);
    }
    assert.equal(after.size, 4);
  });

  test('pages copied into another PDF, renumbered and moved, keep their images; only the new page is drawn', async () => {
    const dir = path.join(scratch, 'copied');
    const original = await pdfOf(['alpha', 'beta', 'gamma']);
    const first = path.join(scratch, 'original.pdf');
    await writeFile(first, await original.save());
    const drawn = await renderPageImages(first, dir);
    // A new document: a title page first, then the three pages copied in (new object numbers).
    const joined = await PDFDocument.create({ updateMetadata: false });
    addTextPage(joined, await joined.embedFont(StandardFonts.TimesRoman), 'a new title page');
    for (const page of await joined.copyPages(original, [0, 1, 2])) joined.addPage(page);
    const second = path.join(scratch, 'joined.pdf');
    await writeFile(second, await joined.save());
    const moved = await renderPageImages(second, dir);
    assert.deepEqual(moved.rendered, [1]);
    assert.deepEqual([2, 3, 4].map((n) => moved.images.get(n)), [1, 2, 3].map((n) => drawn.images.get(n)));
  });

  test('what a page is drawn from counts: its font, its size and its drawing; its place in the document does not', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const helvetica = await doc.embedFont(StandardFonts.Helvetica);
    const courier = await doc.embedFont(StandardFonts.Courier);
    addTextPage(doc, helvetica, 'same words');
    addTextPage(doc, courier, 'same words');
    addTextPage(doc, helvetica, 'same words', [200, 300]);
    const [copy] = await doc.copyPages(doc, [0]);
    assert.ok(copy);
    doc.addPage(copy);
    const boxed = addTextPage(doc, helvetica, 'same words');
    boxed.drawRectangle({ x: 10, y: 10, width: 20, height: 20, color: rgb(0, 0, 0) });
    const digests = pageDigests(doc);
    assert.equal(digests[3], digests[0], 'the same page again has the same digest');
    assert.equal(new Set(digests).size, 4, digests.join('\n'));
    // Saved and read back (objects renumbered on the way), the digests stay.
    assert.deepEqual((await readPdfObjects(await doc.save())).pageDigests, digests);
  });

  test('a damaged images folder is mended: a cut image, a folder in an image\'s place, stray files, a file in the folder\'s place', async () => {
    const dir = path.join(scratch, 'damaged');
    const pdf = path.join(scratch, 'damaged.pdf');
    await writeFile(pdf, await (await pdfOf(['one', 'two', 'three'])).save());
    const drawn = await renderPageImages(pdf, dir);
    const image = (n: number): string => drawn.images.get(n) ?? '';
    // Page 1's image cut short, page 2's replaced by a folder, and leftovers of older proofs.
    await writeFile(image(1), (await readFile(image(1))).subarray(0, 100));
    await rm(image(2));
    await mkdir(image(2));
    await writeFile(path.join(dir, 'page-001.png'), 'an image of the old naming');
    await writeFile(path.join(dir, '.rendered-from'), 'a stamp of the old proof');
    await mkdir(path.join(dir, '.rendering-left-by-a-killed-check'));
    const mended = await renderPageImages(pdf, dir);
    assert.deepEqual(mended.rendered, [1, 2]);
    assert.deepEqual([...(await folder(dir)).keys()].sort(), [1, 2, 3].map((n) => path.basename(image(n))).sort());
    assert.ok((await stat(image(2))).isFile());
    assert.deepEqual((await readFile(image(1))).subarray(1, 4).toString('latin1'), 'PNG');

    // A file where the folder should be.
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a folder');
    const rebuilt = await renderPageImages(pdf, dir);
    assert.deepEqual(rebuilt.rendered, [1, 2, 3]);
    assert.equal((await readdir(dir)).length, 3);
  });

  test('pages with the same content share one image, drawn once', async () => {
    const dir = path.join(scratch, 'same');
    const pdf = path.join(scratch, 'same.pdf');
    const doc = await pdfOf(['the same', 'text']);
    const [copy] = await doc.copyPages(doc, [0]);
    assert.ok(copy);
    doc.addPage(copy);
    await writeFile(pdf, await doc.save());
    const drawn = await renderPageImages(pdf, dir);
    assert.deepEqual(drawn.rendered, [1, 2]);
    assert.equal(drawn.images.get(1), drawn.images.get(3));
    assert.equal((await readdir(dir)).length, 2);
  });
});

test('the pages to draw are cut into shares of consecutive runs, one share per core', () => {
  assert.deepEqual(renderShares([1, 2, 3, 4, 5, 6], 2), [
    [{ first: 1, last: 3 }],
    [{ first: 4, last: 6 }],
  ]);
  assert.deepEqual(renderShares([9, 2, 3, 40, 41], 2), [
    [{ first: 2, last: 3 }, { first: 9, last: 9 }],
    [{ first: 40, last: 41 }],
  ]);
  // Pages with one or two pages between them are drawn in one call, those pages too; with three, in two.
  assert.deepEqual(renderShares([67, 69, 71, 75], 1), [[{ first: 67, last: 71 }, { first: 75, last: 75 }]]);
  assert.deepEqual(renderShares([7], 4), [[{ first: 7, last: 7 }]]);
  assert.deepEqual(renderShares([], 2), []);
  // No run longer than pdftoppm is given at once.
  assert.deepEqual(renderShares([1, 2, 3, 4, 5, 6, 7], 1, 3, 0), [
    [
      { first: 1, last: 3 },
      { first: 4, last: 6 },
      { first: 7, last: 7 },
    ],
  ]);
});

test('page labels read as pdf.js reads them: styles, prefixes, starts, a tree of ranges, none', async () => {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const labelsByPdfjs = async (bytes: Uint8Array): Promise<string[] | null> => {
    const doc = await pdfjs.getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
    try {
      return await doc.getPageLabels();
    } finally {
      await doc.destroy();
    }
  };
  const cases: Record<string, unknown> = {
    'decimal from 1': { Nums: [0, { S: 'D' }] },
    'decimal from a folio': { Nums: [0, { S: 'D', St: 13 }] },
    'roman front matter, then decimal': { Nums: [0, { S: 'r' }, 3, { S: 'D' }] },
    'upper roman, letters, prefixes': { Nums: [0, { S: 'R', St: 1994 }, 2, { S: 'A', St: 25 }, 5, { S: 'a', P: PDFString.of('app-') }, 7, { P: PDFHexString.fromText('cover €') }] },
    'a prefix that is no string': { Nums: [0, { S: 'D', P: 'name' }] },
    'a range that starts late': { Nums: [2, { S: 'D', St: 100 }] },
    'a malformed start': { Nums: [0, { S: 'D', St: 0 }] },
    'an unknown style': { Nums: [0, { S: 'Q' }] },
  };
  for (const name of [...Object.keys(cases), 'a tree of ranges']) {
    const doc = await pdfOf(Array.from({ length: 9 }, (_, i) => `page ${i + 1}`));
    const obj = (value: unknown) => doc.context.obj(value as Parameters<typeof doc.context.obj>[0]);
    // A tree's kids are indirect objects.
    const tree = cases[name] ?? { Kids: [doc.context.register(obj({ Limits: [0, 2], Nums: [0, { S: 'D', St: 5 }] })), doc.context.register(obj({ Limits: [3, 9], Nums: [3, { S: 'r' }] }))] };
    doc.catalog.set(PDFName.of('PageLabels'), obj(tree));
    const bytes = await doc.save();
    const expected = await labelsByPdfjs(bytes.slice());
    const read = await readPdfObjects(bytes);
    assert.deepEqual(read.labels, expected ?? undefined, name);
    assert.deepEqual(pageLabels(doc, 9), expected ?? undefined, name);
    if (!/malformed|unknown|no string/.test(name)) assert.equal(expected?.length, 9, `pdf.js reads the labels of ${name}`);
  }
  const unlabelled = await pdfOf(['a', 'b']);
  assert.equal((await readPdfObjects(await unlabelled.save())).labels, undefined);
});

describe('the manuscript\'s reading, kept between checks', () => {
  const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/manuscript/small');
  let scratch = '';
  let copy = '';
  let cacheFile = '';
  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-stretches-'));
    copy = path.join(scratch, 'manuscript');
    await cp(fixture, copy, { recursive: true });
    cacheFile = path.join(scratch, 'out', 'cache', 'check', 'manuscript-pages.json');
  });
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const load = async (): Promise<Manuscript> => {
    const loaded = await loadManuscript(copy);
    assert.ok(loaded.manuscript);
    return loaded.manuscript;
  };
  /** The report and messages, timings aside: what a check with a cache must share with one without. */
  const verdict = (result: CheckResult): unknown => ({ ...result.report, timings: undefined, messages: result.messages });
  /** Chapters a check through the cache reads afresh, and the cache written. */
  const readThroughCache = async (): Promise<string[]> => {
    const cache = await stretchCache(cacheFile);
    for (const chapter of (await load()).chapters) cache.stretchesOf(chapter);
    await cache.save();
    return cache.parsed.map((p) => path.basename(p));
  };

  test('every chapter read once, then none; an edited chapter alone read again; the verdict is the uncached one', async () => {
    const chapters = (await load()).chapters.map((c) => path.basename(c.path));
    assert.ok(chapters.length > 1);
    assert.deepEqual(await readThroughCache(), chapters);
    assert.deepEqual(await readThroughCache(), []);
    const out = path.join(scratch, 'out');
    assert.deepEqual(verdict(await check({ resolved: await resolved(copy), outDir: out })), verdict(await check({ resolved: await resolved(copy) })));

    // A word added to the second chapter: that chapter is read again, and the check counts the word.
    const words = (result: CheckResult): number => (result.report?.pages ?? []).reduce((sum, p) => sum + p.words, 0);
    const before = words(await check({ resolved: await resolved(copy), outDir: out }));
    const edited = (await load()).chapters[1];
    assert.ok(edited);
    const text = await readFile(edited.path, 'utf8');
    const word = /\n([A-Z][a-z]+) /.exec(text)?.[1];
    assert.ok(word, 'a word to add to');
    await writeFile(edited.path, text.replace(`\n${word} `, `\n${word} added `));
    assert.deepEqual(await readThroughCache(), [path.basename(edited.path)]);
    const cached = await check({ resolved: await resolved(copy), outDir: out });
    assert.deepEqual(verdict(cached), verdict(await check({ resolved: await resolved(copy) })));
    assert.equal(words(cached), before + 1);
  });

  test('a damaged cache is read as none: not JSON, stretches of the wrong shape, another reader', async () => {
    const chapters = (await load()).chapters.map((c) => path.basename(c.path));
    await readThroughCache();
    await writeFile(cacheFile, '{"reader": "');
    assert.deepEqual(await readThroughCache(), chapters);
    const kept = JSON.parse(await readFile(cacheFile, 'utf8')) as { reader: string; chapters: Record<string, { words: unknown }[]> };
    const [firstKey] = Object.keys(kept.chapters);
    assert.ok(firstKey);
    const damaged = structuredClone(kept);
    for (const stretch of damaged.chapters[firstKey] ?? []) stretch.words = 'not a list';
    await writeFile(cacheFile, JSON.stringify(damaged));
    assert.equal((await readThroughCache()).length, 1);
    await writeFile(cacheFile, JSON.stringify({ ...kept, reader: 'another version of the check' }));
    assert.deepEqual(await readThroughCache(), chapters);
  });
});

test('a PPM becomes a PNG of the same pixels: chunks with their CRCs, rows unfiltered, deflated', async () => {
  // 3×2 pixels, with a comment in the header as the format allows.
  const pixels = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const ppm = Buffer.concat([Buffer.from('P6\n# drawn by hand\n3 2\n255\n', 'latin1'), pixels]);
  const image = readPpm(ppm);
  assert.deepEqual([image.width, image.height], [3, 2]);
  const png = await encodePng(image);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `the CRC of ${type}`);
    chunks.push({ type, data });
    at += 12 + length;
  }
  assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  assert.deepEqual([...(chunks[0]?.data ?? [])], [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const rows = inflateSync(chunks[1]?.data ?? Buffer.alloc(0));
  assert.deepEqual([...rows], [0, ...pixels.subarray(0, 9), 0, ...pixels.subarray(9)]);
  assert.throws(() => readPpm(Buffer.from('P5\n3 2\n255\n')), /expected a binary 8-bit PPM/);
  assert.throws(() => readPpm(Buffer.from('P6\n3 2\n255\nshort')), /expected 18 \(3×2\)/);
});
