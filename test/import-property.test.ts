/**
 * A property of the import: pages of words, headings and notes, joined end to end in the
 * extraction's format (a leading space opening each page, a steady line budget), import back
 * to the same pages with the same words, nothing lost or doubled.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { manuscriptPages, sourcePages } from '../src/check/manuscript.js';
import { words } from '../src/check/words.js';
import { importIssue } from '../src/import/index.js';
import { imported } from './imported.js';
import type { Chapter, Manuscript } from '../src/manuscript/index.js';
import { frontMatter } from '../src/manuscript/index.js';
import { splitFrontMatter } from '../src/manuscript/load.js';
import { parse } from 'yaml';

const vocabulary = ['trade', 'energy', 'climate', 'forum', 'policy', 'growth', 'peace', 'talks', 'region', 'market', 'water', 'people', 'agreed', 'world', 'order', 'summit'];
const linesPerPage = 14;

/** One generated page: its lines in the extraction's format, and the words a reader sees on it. */
const pageArbitrary = fc
  .record({
    lines: fc.array(fc.array(fc.constantFrom(...vocabulary), { minLength: 6, maxLength: 9 }), { minLength: linesPerPage - 4, maxLength: linesPerPage - 4 }),
    paragraphEnds: fc.array(fc.boolean(), { minLength: linesPerPage, maxLength: linesPerPage }),
    heading: fc.option(fc.constantFrom('II', 'III', 'IV'), { nil: undefined }),
    note: fc.boolean(),
  })
  .map(({ lines, paragraphEnds, heading, note }) => {
    const out: string[] = [];
    lines.forEach((ws, k) => {
      const end = paragraphEnds[k] === true && k > 0 && k < lines.length - 1;
      out.push(`${ws.join(' ')}${end ? '.' : ''} `);
      if (end) out.push('');
      if (k === 2 && heading) out.push('', heading, '');
    });
    if (note) {
      out[0] = out[0]?.replace(/(\w) $/u, '$1”1 ') ?? '';
      out.push('', '1  A note at the foot of the page with a few words.');
    }
    return out;
  });

test('import property: generated pages come back page for page, word for word', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-property-'));
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(pageArbitrary, { minLength: 3, maxLength: 9 }), async (pages) => {
        const lines: string[] = [];
        pages.forEach((page) => {
          // Every page holds the same number of lines on paper: pad short ones with blank lines.
          const padded = [...page];
          while (padded.length < linesPerPage + 4) padded.push('');
          padded[0] = ` ${padded[0] ?? ''}`;
          lines.push(...padded);
        });
        const source = path.join(dir, 'issue.txt');
        await writeFile(source, `${lines.join('\n')}\n`);
        // The publisher knows the count: a last page fuller than a page would leave it open otherwise.
        const result = await importIssue({ source, out: dir, pages: pages.length });
        assert.equal(imported(result).issue.pages, pages.length);
        const chapters: Chapter[] = [...imported(result).files.entries()].map(([file, markdown]) => {
          const fm = frontMatter.parse(parse(splitFrontMatter(markdown)?.yaml ?? ''));
          return { ...fm, file, path: path.join(dir, file), markdown };
        });
        const manuscript: Manuscript = { dir, issue: imported(result).issue, chapters };
        const restored = manuscriptPages(manuscript);
        const original = await sourcePages(source, imported(result).report);
        pages.forEach((page, k) => {
          // Notes are read where they are called, so compare each page's words as a multiset.
          const expected = words(page.join('\n')).sort();
          assert.deepEqual([...(original.pages.get(k + 1)?.words ?? [])].sort(), expected, `source page ${k + 1}`);
          assert.deepEqual([...(restored.pages.get(k + 1)?.words ?? [])].sort(), expected, `manuscript page ${k + 1}`);
        });
      }),
      { numRuns: 40, seed: 20211231 },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
