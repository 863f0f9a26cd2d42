/**
 * The PDF's text layer read as a reader's copy and search would, where Chromium's own text is
 * wrong: a ligature drawn across two text nodes (Paged.js cuts a node where a page opens, at
 * times inside `fi`) is marked with the first node's letters only, and `financial` reads
 * `fnancial`. The clean-up reads such a glyph as its font maps it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readPdfText } from '../src/check/pdf-text.js';
import { cleanPrintedPdf } from '../src/pdf/soft-hyphens.js';
import { printSample } from './print-sample.js';

test('a ligature cut between two text nodes (f|inancial) reads as the word it prints after the clean-up', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-ligature-'));
  try {
    // Two text nodes that meet inside the ligature, as a page cut leaves them: `f` and `inancial`.
    const raw = await printSample('<p id="p">A global cycle.</p>', () => {
      const p = document.getElementById('p') as HTMLElement;
      p.textContent = '';
      p.append('A global f', 'inancial cycle, fine and flat.');
    });
    const rawFile = path.join(dir, 'raw.pdf');
    const cleanFile = path.join(dir, 'clean.pdf');
    await writeFile(rawFile, raw);
    await writeFile(cleanFile, await cleanPrintedPdf(raw));
    const wordsOf = async (file: string): Promise<string[]> => (await readPdfText(file)).flatMap((p) => p.lines.flatMap((l) => l.words.map((w) => w.text)));
    // Chromium's own text layer loses the `i` (this is what the clean-up is for).
    assert.deepEqual(await wordsOf(rawFile), ['A', 'global', 'fnancial', 'cycle,', 'fine', 'and', 'flat.']);
    assert.deepEqual(await wordsOf(cleanFile), ['A', 'global', 'financial', 'cycle,', 'fine', 'and', 'flat.']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
