/**
 * The import stage: golden fixtures per feature, the whole bundled issue, and bad input.
 * UPDATE_GOLDEN=1 rewrites the goldens; review the diff before committing it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { manuscriptPages, manuscriptSource, sourcePages } from '../src/check/manuscript.js';
import { wordDifference } from '../src/check/words.js';
import { importIssue, writeManuscript } from '../src/import/index.js';
import { imported, importStops } from './imported.js';
import { loadManuscript } from '../src/manuscript/index.js';
import { formatMessage } from '../src/messages.js';

const root = path.resolve(import.meta.dirname, '..');
const bundledSource = path.join(root, 'manuscript/source/foreign-affairs-journal-winter-2021.txt');
const fixtures = path.join(root, 'test/fixtures/import');
const update = process.env.UPDATE_GOLDEN === '1';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'folio-import-'));
}

/** Every file the import writes, as one text, so a golden shows the whole result. */
async function snapshot(dir: string): Promise<string> {
  const parts: string[] = [];
  parts.push(`=== issue.yaml\n${await readFile(path.join(dir, 'issue.yaml'), 'utf8')}`);
  for (const name of (await readdir(path.join(dir, 'chapters'))).sort()) {
    parts.push(`=== chapters/${name}\n${await readFile(path.join(dir, 'chapters', name), 'utf8')}`);
  }
  const report = JSON.parse(await readFile(path.join(dir, 'import-report.json'), 'utf8')) as { pages: unknown[] };
  parts.push(`=== pages\n${JSON.stringify(report.pages)}\n`);
  return parts.join('\n');
}

for (const name of existsSync(fixtures) ? (await readdir(fixtures)).sort() : []) {
  test(`import golden: ${name}`, async () => {
    const dir = path.join(fixtures, name);
    const out = await tempDir();
    try {
      await mkdir(path.join(out, 'source'));
      await copyFile(path.join(dir, 'input.txt'), path.join(out, 'source/input.txt'));
      const editorial = path.join(dir, 'editorial.yaml');
      const result = await importIssue({
        source: path.join(out, 'source/input.txt'),
        out,
        ...(existsSync(editorial) ? { editorial } : {}),
      });
      await writeManuscript(imported(result), out);
      const actual = await snapshot(out);
      const messages = result.messages.map((m) => formatMessage({ ...m, ...(m.place ? { place: { ...m.place, file: path.basename(m.place.file) } } : {}) })).join('\n');
      if (update) {
        await writeFile(path.join(dir, 'expected.txt'), actual);
        await writeFile(path.join(dir, 'messages.txt'), messages === '' ? '' : `${messages}\n`);
      }
      assert.equal(actual, await readFile(path.join(dir, 'expected.txt'), 'utf8'));
      assert.equal(messages === '' ? '' : `${messages}\n`, await readFile(path.join(dir, 'messages.txt'), 'utf8'));
      // Whatever the case, the manuscript reads back with the source's words, page by page.
      const loaded = await loadManuscript(out);
      assert.ok(loaded.manuscript, loaded.messages.map(formatMessage).join('\n'));
      const source = await sourcePages(path.join(out, 'source/input.txt'), imported(result).report);
      const pages = manuscriptPages(loaded.manuscript);
      for (const [page, text] of source.pages) {
        assert.deepEqual(wordDifference(text.words, pages.pages.get(page)?.words ?? []), { lost: [], added: [] }, `page ${page}`);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
}

test('the bundled issue imports to the committed manuscript, byte for byte', async () => {
  const out = await tempDir();
  try {
    await mkdir(path.join(out, 'source'));
    await copyFile(bundledSource, path.join(out, 'source', path.basename(bundledSource)));
    const result = await importIssue({
      source: path.join(out, 'source', path.basename(bundledSource)),
      out,
      editorial: path.join(root, 'manuscript/editorial.yaml'),
    });
    await writeManuscript(imported(result), out);
    for (const name of ['issue.yaml', ...imported(result).files.keys()]) {
      assert.equal(await readFile(path.join(out, name), 'utf8'), await readFile(path.join(root, 'manuscript', name), 'utf8'), name);
    }
    const committed = (await readdir(path.join(root, 'manuscript/chapters'))).sort();
    assert.deepEqual([...imported(result).files.keys()].map((f) => path.basename(f)).sort(), committed);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the bundled issue: 167 pages, every folio agrees, every word once', async () => {
  const { manuscript, messages } = await loadManuscript(path.join(root, 'manuscript'));
  assert.ok(manuscript, messages.map(formatMessage).join('\n'));
  assert.deepEqual(messages, []);
  assert.equal(manuscript.issue.pages, 167);
  const report = JSON.parse(await readFile(path.join(root, 'manuscript/import-report.json'), 'utf8')) as {
    pages: { page: number; startLine: number; endLine: number }[];
    folios: { folio: number; line: number }[];
  };
  const { pages, order } = manuscriptPages(manuscript);
  assert.deepEqual(
    order.map((o) => o.page),
    Array.from({ length: 167 }, (_, k) => k + 1),
    'one marker per page, in order',
  );
  const source = await sourcePages(manuscriptSource(manuscript) as string, report);
  assert.equal(source.folios.length, 13, 'thirteen printed folios survive');
  for (const folio of source.folios) {
    const page = report.pages.find((p) => p.startLine <= folio.line && p.endLine >= folio.line);
    assert.equal(page?.page, folio.folio, `printed folio ${folio.folio} at line ${folio.line}`);
  }
  let total = 0;
  for (const [page, text] of source.pages) {
    total += text.words.length;
    assert.deepEqual(wordDifference(text.words, pages.get(page)?.words ?? []), { lost: [], added: [] }, `page ${page}`);
  }
  assert.ok(total > 60000, `counted ${total} words`);

  // The chapters: six articles, the news, six Chinese versions, the back page.
  const chapters = manuscript.chapters.map((c) => [c.kind, c.language, c.firstPage, c.lastPage, c.titleSource]);
  assert.equal(chapters.length, 14);
  assert.deepEqual(manuscript.chapters.map((c) => c.kind), [
    ...Array(6).fill('article'),
    'news',
    ...Array(6).fill('article'),
    'back-matter',
  ]);
  assert.deepEqual(manuscript.chapters.filter((c) => c.titleSource === 'editor').length, 3);
  assert.ok(manuscript.chapters.slice(7, 13).every((c) => c.language === 'zh-Hans' && c.translationOf));
  for (let k = 1; k < chapters.length; k += 1) assert.equal(manuscript.chapters[k]?.firstPage, (manuscript.chapters[k - 1]?.lastPage ?? 0) + 1);

  const all = manuscript.chapters.map((c) => c.markdown).join('\n');
  const notes = all.match(/^\[\^\d+\]:/gmu) ?? [];
  assert.equal(notes.length, 4, 'two numbered notes in an article and in its Chinese version');
  assert.equal((all.match(/^\[\^author\]:/gmu) ?? []).length, 6, 'an author note for each English article');
  assert.doesNotMatch(all, /Foreign Affairs Journal·Winter 2021/u, 'no running head left in the text');
  // `medium- and long-term` is a suspended hyphen, not a broken word.
  assert.doesNotMatch(all, /\p{L}- (?!and |or |to )\p{Ll}/u, 'no word broken by a line-end hyphen and a space');
  const cjkParagraphs = manuscript.chapters
    .filter((c) => c.language === 'zh-Hans')
    .flatMap((c) => c.markdown.split(/\n\n/u))
    .filter((block) => !/^(?:#|:::|---)/u.test(block));
  for (const block of cjkParagraphs) assert.doesNotMatch(block, /[\p{Script=Han}，。] \p{Script=Han}/u, 'no spaced-out CJK');
});

test('BOM and CRLF give the same manuscript as plain LF', async () => {
  const out = await tempDir();
  try {
    const text = await readFile(bundledSource, 'utf8');
    const variant = path.join(out, 'crlf.txt');
    await writeFile(variant, `\uFEFF${text.replace(/\n/gu, '\r\n')}`);
    const plain = await importIssue({ source: bundledSource, out });
    const crlf = await importIssue({ source: variant, out });
    assert.deepEqual([...imported(crlf).files.entries()], [...imported(plain).files.entries()]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

async function importError(bytes: Uint8Array | string): Promise<string[]> {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'bad.txt');
    await writeFile(file, bytes);
    return importStops(await importIssue({ source: file, out: path.join(dir, 'out') }), 'bad.txt');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('invalid UTF-8 is reported at its line and byte, nothing substituted', async () => {
  const bytes = Buffer.concat([Buffer.from(' A first line\nsecond line \n'), Buffer.from([0x61, 0xff, 0x62, 0x0a])]);
  assert.deepEqual(await importError(bytes), ['bad.txt:3:2: error: Unexpected byte 0xFF, expected UTF-8 text [import-001]']);
});

test('an empty source is an error', async () => {
  assert.deepEqual(await importError('\n \n'), ['bad.txt: error: Unexpected empty source, expected the text of an issue [import-002]']);
});

test('a source without page starts is an error', async () => {
  assert.deepEqual(await importError('just one line of text\n'), [
    'bad.txt:1: error: Unexpected text without page starts, expected lines that open printed pages [import-003]',
  ]);
});

test('the command exits 1 on bad input and leaves no manuscript folder', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'bad.txt');
    await writeFile(file, Buffer.from([0xc3, 0x28]));
    const run = spawnSync(process.execPath, [path.join(root, 'bin/folio.js'), 'import', file, '--out', path.join(dir, 'out')], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /bad\.txt:1:1: error: Unexpected byte 0xC3, expected UTF-8 text \[import-001\]/u);
    assert.equal(existsSync(path.join(dir, 'out')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a printed folio that disagrees with the layout stops the import, naming both folios', async () => {
  const text = await readFile(bundledSource, 'utf8');
  const lines = text.split('\n');
  // Shift one surviving folio by one: no page layout holds both it and its neighbours.
  const index = lines.findIndex((line, k) => /^\d+$/u.test(line) && k > 200 && lines[k + 2]?.includes('·'));
  const folio = Number(lines[index]);
  lines[index] = String(folio + 1);
  const messages = await importError(lines.join('\n'));
  assert.equal(messages.length, 1);
  assert.match(messages[0] ?? '', new RegExp(`error: Unexpected printed folios that no page layout can satisfy: folio \\d+ \\(line \\d+\\) and folio ${folio + 1} \\(line ${index + 1}\\)[^[]* \\[import-004\\]`, 'u'));
});

test('without any surviving folio the import stops where the page count is open, and holds to a count it is given', async () => {
  const lines = (await readFile(bundledSource, 'utf8')).split('\n');
  // Take out every folio block (folio, blank, running head, blank), as a worse extraction would.
  const stripped: string[] = [];
  for (let k = 0; k < lines.length; k += 1) {
    if (/^\d+$/u.test(lines[k] ?? '') && lines[k + 2]?.includes('·')) {
      k += 3;
      continue;
    }
    stripped.push(lines[k] ?? '');
  }
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'stripped.txt');
    await writeFile(source, stripped.join('\n'));
    // The layout alone leaves the count open: the import names the stretch rather than guess.
    assert.deepEqual(importStops(await importIssue({ source, out: dir }), 'stripped.txt'), [
      'stripped.txt:3119: error: Unexpected page count the evidence cannot fix: 165 or 166 pages fit the source about as well, laid out differently between lines 3119 and 3119; expected the count from the publisher (`folio import --pages N`, or `pages:` in the editorial file) [import-013]',
    ]);
    // Given the count, it restores that many pages, none above the warning line, and says so once.
    const result = await importIssue({ source, out: dir, pages: 167, editorial: path.join(root, 'manuscript/editorial.yaml') });
    assert.equal(imported(result).issue.pages, 167);
    // Every chapter opens where the editorial file expects it: one warning, for the missing folios.
    assert.deepEqual(
      result.messages.map((m) => m.ruleId),
      ['import-009'],
    );
    assert.ok(imported(result).report.pages.every((p) => p.confidence <= 0.5));
    // The first articles, whose pages are regular, come out as with the folios.
    const anchored = (await loadManuscript(path.join(root, 'manuscript'))).manuscript;
    for (let k = 0; k < 2; k += 1) {
      const a = anchored?.issue.chapters[k];
      const b = imported(result).issue.chapters[k];
      assert.deepEqual([b?.firstPage, b?.lastPage], [a?.firstPage, a?.lastPage], `chapter ${k + 1}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('editorial overrides: a supplied title and short title, a correction, and a correction that finds nothing', async () => {
  const dir = await tempDir();
  try {
    const editorial = path.join(dir, 'editorial.yaml');
    await writeFile(
      editorial,
      [
        'chapters:',
        '  - match: { firstPage: 1 }',
        '    title: A Title Supplied by the Editor',
        '    shortTitle: Supplied',
        'corrections:',
        '  - { page: 2, find: "carry out together", replace: "carry out jointly", why: typo in the print }',
        '  - { page: 3, find: "no such words", replace: "x" }',
        '',
      ].join('\n'),
    );
    const result = await importIssue({ source: path.join(fixtures, 'english-article/input.txt'), out: dir, editorial });
    const chapter = [...imported(result).files.values()][0] ?? '';
    assert.match(chapter, /^title: A Title Supplied by the Editor$/mu);
    assert.match(chapter, /^titleSource: editor$/mu);
    assert.match(chapter, /^shortTitle: Supplied$/mu);
    assert.match(chapter, /carry out jointly\./u);
    assert.doesNotMatch(chapter, /carry out together/u);
    assert.deepEqual(result.messages.map((m) => formatMessage({ ...m, ...(m.place ? { place: { ...m.place, file: m.place.file.replace(dir, '<out>').replace(fixtures, '<fixtures>') } } : {}) })), [
      '<out>/editorial.yaml:7:5: warning: Unexpected correction: `no such words` is not on page 3 [import-011]',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an invalid editorial file is an error at its line, and nothing is imported', async () => {
  const dir = await tempDir();
  try {
    const editorial = path.join(dir, 'editorial.yaml');
    await writeFile(editorial, 'chapters:\n  - match: { firstPage: one }\n');
    const result = await importIssue({ source: path.join(fixtures, 'english-article/input.txt'), out: dir, editorial });
    importStops(result);
    assert.deepEqual(
      result.messages.map((m) => `${m.place?.line}: ${m.ruleId}`),
      ['2: import-010'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a part of an issue (from an article opening on) keeps the folios its surviving folios give', async () => {
  const lines = (await readFile(bundledSource, 'utf8')).split('\n');
  // Start at the first page of the second article that has no surviving folio of its own.
  const bylines = lines.flatMap((line, k) => (/^By \p{Lu}.*\*\s*$/u.test(line) ? [k] : []));
  const secondOpening = lines.findLastIndex((line, k) => k < (bylines[1] ?? 0) && /^ \S/u.test(line) && !/^ \S/u.test(lines[k + 1] ?? ''));
  const dir = await tempDir();
  try {
    const source = path.join(dir, 'part.txt');
    await writeFile(source, lines.slice(secondOpening).join('\n'));
    const result = await importIssue({ source, out: dir });
    const whole = (await loadManuscript(path.join(root, 'manuscript'))).manuscript;
    const second = whole?.issue.chapters[1];
    assert.equal(imported(result).report.pages[0]?.page, second?.firstPage, 'the first folio comes from the surviving folios');
    assert.equal(imported(result).report.pages.at(-1)?.page, whole?.issue.pages);
    assert.deepEqual(
      imported(result).issue.chapters.map((c) => [c.firstPage, c.lastPage]),
      whole?.issue.chapters.slice(1).map((c) => [c.firstPage, c.lastPage]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
