/** The manuscript as a whole: its page markers, read across chapters in reading order. */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkPageMarkers, loadManuscript } from '../src/manuscript/index.js';
import { formatMessage } from '../src/messages.js';

const root = path.resolve(import.meta.dirname, '..');
const fixture = path.join(root, 'test/fixtures/manuscript/small');

/** Copies the fixture, edits one chapter, and returns the marker messages with short paths. */
async function markersAfter(chapter: string, edit: (text: string) => string): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-markers-'));
  try {
    await cp(fixture, dir, { recursive: true });
    const file = path.join(dir, 'chapters', chapter);
    await writeFile(file, edit(await readFile(file, 'utf8')));
    const { manuscript } = await loadManuscript(dir);
    assert.ok(manuscript);
    return checkPageMarkers(manuscript).map((m) => formatMessage(m).replaceAll(`${dir}/`, ''));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the bundled manuscript and the fixture have every marker once, in order', async () => {
  for (const dir of [path.join(root, 'manuscript'), fixture]) {
    const { manuscript } = await loadManuscript(dir);
    assert.ok(manuscript);
    assert.deepEqual(checkPageMarkers(manuscript), []);
  }
});

test('a duplicate marker names both places', async () => {
  assert.deepEqual(await markersAfter('03-a-test-article-zh.md', (t) => t.replace(':page[5]', ':page[4]')), [
    'chapters/03-a-test-article-zh.md:23:54: error: Unexpected second marker `:page[4]`, the first is at chapters/03-a-test-article-zh.md:13:1 [manuscript-003]',
    "issue.yaml: error: Unexpected last marker `:page[4]`, expected the issue's 5 pages (issue.yaml `pages`) [manuscript-003]",
  ]);
});

test('a missing marker names the markers around the gap', async () => {
  assert.deepEqual(await markersAfter('02-visits-events.md', (t) => t.replace(':page[3]', '')), [
    'chapters/03-a-test-article-zh.md:13:1: error: Unexpected `:page[4]` right after `:page[2]` at chapters/01-a-test-article.md:28:52: no marker for page 3 [manuscript-003]',
  ]);
});

test('markers out of order name both places', async () => {
  assert.deepEqual(
    await markersAfter('01-a-test-article.md', (t) => t.replace(':page[1]', ':page[2]').replace(':page[2]continues', ':page[1]continues')),
    [
      'chapters/01-a-test-article.md:28:52: error: Unexpected `:page[1]` after `:page[2]` at chapters/01-a-test-article.md:14:1, expected pages in order [manuscript-003]',
    ],
  );
});
