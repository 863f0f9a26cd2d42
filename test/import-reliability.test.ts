/**
 * Bad and awkward input for the import. Each case states its input and asserts the whole
 * list of messages, so "and nothing else was reported" is part of every case.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { words } from '../src/check/words.js';
import { importIssue, type ImportResult } from '../src/import/index.js';
import { imported, importStops } from './imported.js';
import { formatMessage } from '../src/messages.js';

const filler = (n: number, seed = 0): string[] =>
  Array.from({ length: n }, (_, k) => `${['trade', 'energy', 'climate', 'peace', 'growth'][(k + seed) % 5]} and cooperation between the two sides grew in the year `);

/** A three-page source in the extraction's format, with `body` set into page 2. */
function threePages(body: string[]): string {
  const pages = [filler(14), [...body, ...filler(14 - body.length, 1)], filler(14, 2)];
  return `${pages.map((p) => [` ${p[0]?.trimStart() ?? ''}`, ...p.slice(1), ''].join('\n')).join('\n')}\n`;
}

async function run(text: string | Uint8Array, name = 'issue.txt'): Promise<{ result: ImportResult; messages: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-reliability-'));
  try {
    const source = path.join(dir, name);
    await writeFile(source, text);
    const result = await importIssue({ source, out: dir });
    const messages = result.messages.map((m) => formatMessage({ ...m, ...(m.place ? { place: { ...m.place, file: name } } : {}) }));
    return { result, messages };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const layoutOnly = 'issue.txt: warning: No printed folios survive in the source: all 3 pages are restored from the layout alone, none with confidence above 0.5; check them in the proof [import-009]';
const untitled = "issue.txt:1: warning: Unexpected chapter without a title (pages 1–3), expected a title in the text or in the editorial file; supplied “Untitled article, pp. 1–3”, which is not printed [import-005]";
const body = (r: ImportResult): string => [...imported(r).files.values()].join('\n');
const parser = unified().use(remarkParse).use(remarkFrontmatter).use(remarkGfm).use(remarkDirective);

test('control characters and form feeds are removed, each with a warning at its line', async () => {
  const { result, messages } = await run(threePages(['the first \f line of page two\u0007 ']));
  assert.deepEqual(messages, [
    'issue.txt:16: warning: Unexpected control character, removed [import-006]',
    layoutOnly,
    untitled,
  ]);
  assert.match(body(result), /the first line of page two/u);
  assert.ok(!body(result).includes("\f") && !body(result).includes("\u0007"));
});

test('zero-width characters are kept, with a warning', async () => {
  const { result, messages } = await run(threePages(['a zero\u200Bwidth space ']));
  assert.deepEqual(messages, ['issue.txt:16: warning: Unexpected zero-width character, kept as it is [import-012]', layoutOnly, untitled]);
  assert.match(body(result), /zero\u200Bwidth/u);
});

test('private-use characters are kept with a warning, and never read as a footnote call', async () => {
  // U+E000 and U+E001 around a label were once the import's own marks for a call.
  const { result, messages } = await run(threePages(['a mark \uE000x\uE001 in the text ']));
  assert.deepEqual(messages, [
    "issue.txt:16:9: warning: Unexpected private-use character U+E000, kept as it is: its meaning is the extraction's own, and the PDF stage stops if no bundled font draws it [import-015]",
    layoutOnly,
    untitled,
  ]);
  assert.match(body(result), /a mark \uE000x\uE001 in the text/u);
  assert.doesNotMatch(body(result), /\[\^x\]/u);
});

test('noncharacters are removed with a warning, and never read as a footnote call', async () => {
  const { result, messages } = await run(threePages(['a mark \uFDD0x\uFDD1 in the text ']));
  assert.deepEqual(messages, ['issue.txt:16: warning: Unexpected noncharacter U+FDD0, removed: it is not text [import-006]', layoutOnly, untitled]);
  assert.match(body(result), /a mark x in the text/u);
  assert.doesNotMatch(body(result), /\[\^x\]/u);
});

test('NFD text is kept as it is and counts as the same words as NFC', async () => {
  const nfd = 'Prote\u0301ge\u0301 '.normalize('NFD');
  const { result, messages } = await run(threePages([nfd]));
  assert.deepEqual(messages, [layoutOnly, untitled]);
  assert.ok(body(result).includes(nfd.trim()), 'never rewritten');
  assert.deepEqual(words(nfd), words(nfd.normalize('NFC')));
});

test('a 1 MB line and a 10,000-word paragraph: nothing lost', async () => {
  const long = Array.from({ length: 10_000 }, (_, k) => `word${k}`).join(' ');
  const huge = 'x'.repeat(1_000_000);
  const { result, messages } = await run(threePages([`${long} `, `${huge} `]));
  assert.deepEqual(messages, [layoutOnly, untitled]);
  const text = body(result);
  assert.ok(text.includes('word0 word1') && text.includes('word9999'), 'every word of the paragraph');
  assert.ok(text.includes(huge), 'the whole long line');
});

test('characters Markdown reads as syntax survive a parse unchanged', async () => {
  const tricky = ['# not a heading, 1. not a list, * not a bullet, <b>not html</b> & [^1] not a note,', ':word not a directive, _under_ `code` ~~strike~~ | pipe \\ back [link](x) > quote.'];
  const { result } = await run(threePages(['A paragraph opens here. ', ...tricky.map((t) => `${t} `), '']));
  const markdown = [...imported(result).files.values()][0] ?? '';
  const tree = parser.parse(markdown) as Root;
  const paragraphs = tree.children.filter((n) => n.type === 'paragraph').map((n) => toString(n));
  const expected = tricky.join(' ');
  assert.ok(
    paragraphs.some((p) => p.includes(expected)),
    `expected a paragraph reading back as the source text:\n${expected}\n${paragraphs.join('\n')}`,
  );
  assert.equal(tree.children.filter((n) => n.type === 'heading' || n.type === 'list' || n.type === 'html').length, 0);
});

test('a file of binary noise is refused with its line and byte', async () => {
  const noise = Uint8Array.from({ length: 512 }, (_, k) => (k * 97 + 13) % 256);
  const { result, messages } = await run(noise);
  importStops(result);
  assert.deepEqual(messages, ['issue.txt:1:3: error: Unexpected byte 0xCF, expected UTF-8 text [import-001]']);
});

test('a section label alone at the foot of a page after a sentence end opens a section, and the import says it chose so', async () => {
  const page = (lines: string[]): string[] => [` ${lines[0]?.trimStart() ?? ''}`, ...lines.slice(1), ''];
  const text = [
    ...page(filler(14)),
    ...page([...filler(11, 1), 'and the talks ended in the year. ', '', 'Visits & Events ', '', '']),
    ...page(['Delegates of the two institutes met in the spring ', ...filler(13, 2)]),
  ].join('\n');
  const { result, messages } = await run(`${text}\n`);
  assert.deepEqual(messages, [
    layoutOnly,
    "issue.txt:29: warning: Unexpected short title “Visits & Events” alone at the foot of page 2 after a sentence's end, where a heading of the text could stand as well as a section label: read as the label of a section that opens on page 2; check the section in the proof [import-014]",
    "issue.txt:1: warning: Unexpected chapter without a title (pages 1–1), expected a title in the text or in the editorial file; supplied “Untitled article, p. 1”, which is not printed [import-005]",
  ]);
  assert.deepEqual(
    imported(result).issue.chapters.map((c) => [c.title, c.kind, c.firstPage, c.lastPage]),
    [
      ['Untitled article, p. 1', 'article', 1, 1],
      ['Visits & Events', 'news', 2, 3],
    ],
  );
});

test('a numeral alone at the foot of a page is a section numeral, never a section label', async () => {
  const page = (lines: string[]): string[] => [` ${lines[0]?.trimStart() ?? ''}`, ...lines.slice(1), ''];
  const text = [...page(filler(14)), ...page([...filler(12, 1), 'and the talks ended in the year. ', '', 'II', '']), ...page(filler(14, 2))].join('\n');
  const { result, messages } = await run(`${text}\n`);
  assert.deepEqual(messages, [layoutOnly, untitled]);
  assert.equal(imported(result).issue.chapters.length, 1);
});

test('a title set first, at the top of its page, is read as the title when the author note stands at the foot', async () => {
  const page = (lines: string[]): string[] => [` ${lines[0]?.trimStart() ?? ''}`, ...lines.slice(1), ''];
  const text = [
    ...page(['Cooperation Between Two Countries in a ', 'Changing World ', '', ...filler(10), '', '*  Jane Roe is a Senior Fellow of the Example Institute. ']),
    ...page(filler(14, 1)),
    ...page(filler(14, 2)),
  ].join('\n');
  const { result, messages } = await run(`${text}\n`);
  assert.deepEqual(messages, [layoutOnly]);
  assert.deepEqual(
    imported(result).issue.chapters.map((c) => [c.title, c.titleSource, c.authors, c.firstPage, c.lastPage]),
    [['Cooperation Between Two Countries in a Changing World', 'text', ['Jane Roe'], 1, 3]],
  );
  assert.ok(!body(result).includes('Changing World trade'), 'the title is not left in the text');
});
