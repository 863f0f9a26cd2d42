/**
 * Issues nobody has seen: the bundled articles re-flowed by the generator (test/generator) into
 * other page geometries, folio sets, page-start marks, title and note styles, with the truth
 * taken from the generator. The import must never place a page wrongly above the warning
 * threshold, never return a page count the evidence cannot fix, and the whole build must run
 * on issues of other geometry as it runs on the bundled one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import JSZip from 'jszip';
import { parse } from 'yaml';
import { importIssue } from '../src/import/index.js';
import { formatMessage } from '../src/messages.js';
import { readArticles, type Article } from './generator/content.js';
import { drawOptions, pickArticles } from './generator/draw.js';
import { generateIssue, type GeneratedIssue, type IssueOptions } from './generator/issue.js';
import { scoreImport, WARN_CONFIDENCE } from './generator/score.js';

const root = path.resolve(import.meta.dirname, '..');
let articles: Article[] | undefined;
async function issueFor(seed: number, overrides: Partial<IssueOptions> = {}): Promise<GeneratedIssue> {
  articles ??= await readArticles(path.join(root, 'manuscript'));
  const chosen = pickArticles(articles, seed);
  return generateIssue(chosen, drawOptions(seed, chosen.length, overrides));
}

test('generated issues: the generator is its own truth (pages, chapters and their first lines)', async () => {
  const issue = await issueFor(3);
  const lines = issue.text.split('\n');
  assert.equal(issue.pageStarts.length, issue.pages);
  for (const start of issue.pageStarts) assert.equal(lines[start.line - 1]?.trim(), start.first, `page ${start.page}`);
  assert.equal(issue.chapters[0]?.firstPage, 1);
  assert.equal(issue.chapters.at(-1)?.lastPage, issue.pages);
  // The same seed, the same issue.
  assert.equal((await issueFor(3)).text, issue.text);
  assert.notEqual((await issueFor(4)).text, issue.text);
  // The generator's own marks for note calls never reach the text, however a line wraps (seed
  // 18 once split a call in Chinese text and left U+E000 in the source).
  for (const seed of [3, 18]) assert.doesNotMatch((await issueFor(seed)).text, /\uE000/u, `seed ${seed}`);
});

test('generated issues: no page placed wrongly above the warning threshold, no page count returned that the evidence cannot fix', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-generated-'));
  try {
    const kinds: { overrides: Partial<IssueOptions>; pages: boolean }[] = [
      { overrides: {}, pages: true },
      { overrides: {}, pages: false },
      { overrides: { folios: 3, marked: 0.67 }, pages: true },
      { overrides: { folios: 3, marked: 0.67 }, pages: false },
    ];
    let right = 0;
    let scored = 0;
    for (const kind of kinds) {
      // Seeds 1–8, and issues the bench once caught: a Chinese page budget read off a folio
      // block's blank line (30), a Latin phrase wrapped at its space in Chinese text taken for a
      // page start (23), a short Chinese section whose marked starts are two pages apart (36).
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 23, 30, 36]) {
        const issue = await issueFor(seed, kind.overrides);
        const source = path.join(dir, `issue-${seed}.txt`);
        await writeFile(source, issue.text);
        const label = `seed ${seed} ${JSON.stringify(kind)}`;
        const result = await importIssue({ source, out: dir, ...(kind.pages ? { pages: issue.pages } : {}) });
        const stop = result.messages.find((m) => m.severity === 'error');
        if (stop || !result.output) {
          // Stopping is honest, when it names the stretch: a count left open, or folios no layout holds.
          const said = stop ? formatMessage(stop) : 'no output';
          assert.ok(['import-004', 'import-013'].includes(stop?.ruleId ?? ''), `${label}: ${said}`);
          assert.ok((stop?.place?.line ?? 0) >= 1, `${label}: the stop names a line`);
          assert.ok(kind.overrides.folios !== undefined || !kind.pages, `${label}: with the count and drawn evidence the import does not stop: ${said}`);
          continue;
        }
        const { report } = result.output;
        const score = scoreImport(issue, report);
        assert.equal(score.pagesFound, score.pagesExpected, `${label}: page count`);
        const wrong = score.pages.filter((p) => !p.right && p.confidence > WARN_CONFIDENCE);
        assert.deepEqual(wrong, [], `${label}: wrong pages above ${WARN_CONFIDENCE}`);
        // Every page at or below the threshold is warned about, at its line.
        const warned = new Set(result.messages.filter((m) => m.ruleId === 'import-008').map((m) => m.place?.line));
        for (const p of report.pages) if (p.confidence < WARN_CONFIDENCE) assert.ok(warned.has(p.startLine), `${label}: page ${p.page} is warned about`);
        if (kind.pages && kind.overrides.folios === undefined && seed <= 8) {
          right += score.pages.filter((p) => p.right).length;
          scored += score.pages.length;
        }
      }
    }
    // Accuracy floor on the drawn issues with their count (the bench reports it in full).
    assert.ok(right / scored >= 0.85, `pages placed right: ${right} of ${scored}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Runs `folio` in `dir` as a user would, for its exit code and what it printed. */
function folioIn(dir: string): (args: string[]) => { status: number | null; stdout: string; stderr: string } {
  return (args) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/folio.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

/** The fidelity report `folio check` wrote into `outDir`, and its file name. */
async function fidelityIn(outDir: string): Promise<{ name: string; pagesChecked: number; pagesFaithful: number; wordsLost: number }> {
  const name = (await readdir(outDir)).find((f) => f.endsWith('.fidelity.json')) ?? '';
  return { name, ...(JSON.parse(await readFile(path.join(outDir, name), 'utf8')) as { pagesChecked: number; pagesFaithful: number; wordsLost: number }) };
}

/**
 * The end-to-end builds: 37-line pages of 54 and of 59 characters with notes called after
 * punctuation, 34-line pages of 56 with an English article printed without its title.
 */
const builds: { seed: number; overrides: Partial<IssueOptions> }[] = [
  { seed: 3, overrides: {} },
  { seed: 9, overrides: {} },
  { seed: 12, overrides: { untitled: [1] } },
];

for (const { seed, overrides } of builds) {
  test(`generated issue ${seed}: import with the publisher's page count, then folio build exits 0 with every page faithful`, async () => {
    const issue = await issueFor(seed, overrides);
    if (overrides.untitled) assert.ok(issue.chapters.some((c) => !c.printedTitle && c.language === 'en'), 'an English article without its title');
    const dir = await mkdtemp(path.join(tmpdir(), `folio-generated-${seed}-`));
    try {
      const source = path.join(dir, 'source.txt');
      await writeFile(source, issue.text);
      const run = folioIn(dir);
      const imported = run(['import', source, '--out', 'manuscript', '--pages', String(issue.pages), '--quiet']);
      assert.equal(imported.status, 0, imported.stderr);
      const yaml = parse(await readFile(path.join(dir, 'manuscript/issue.yaml'), 'utf8')) as {
        pages: number;
        geometry?: { measured?: { latin?: { linesPerPage: number } } };
        chapters: { title: string; titleSource: string; firstPage: number; file: string }[];
      };
      assert.equal(yaml.pages, issue.pages);
      // The geometry is the issue's own, not the bundled one's.
      assert.ok(Math.abs((yaml.geometry?.measured?.latin?.linesPerPage ?? 0) - issue.options.latin.linesPerPage) <= 2, JSON.stringify(yaml.geometry));
      // A chapter whose title the text lacks gets a supplied one, never an empty one.
      for (const chapter of issue.chapters.filter((c) => !c.printedTitle)) {
        const found = yaml.chapters.find((c) => c.firstPage === chapter.firstPage);
        assert.equal(found?.titleSource, 'supplied', JSON.stringify(found));
        assert.ok((found?.title ?? '').trim().length > 0);
      }
      const built = run(['build', '--manuscript', 'manuscript', '--out-dir', 'out']);
      assert.equal(built.status, 0, built.stderr);
      assert.doesNotMatch(built.stderr, /: error:/u);
      const { name, ...fidelity } = await fidelityIn(path.join(dir, 'out'));
      assert.deepEqual([fidelity.pagesChecked, fidelity.pagesFaithful, fidelity.wordsLost], [issue.pages, issue.pages, 0]);
      // The EPUB: no empty title, no empty entry in the navigation, a page-list of every page.
      const epub = await JSZip.loadAsync(await readFile(path.join(dir, 'out', name.replace(/\.fidelity\.json$/u, '.epub'))));
      const nav = await epub.file('OEBPS/toc.xhtml')?.async('string');
      assert.ok(nav);
      assert.doesNotMatch(nav, /<a[^>]*>\s*<\/a>/u);
      assert.equal((nav.match(/<a [^>]*href="[^"]*#page-\d+"/gu) ?? []).length, issue.pages);
      for (const file of epub.file(/\.xhtml$/u)) {
        const xhtml = await file.async('string');
        assert.match(xhtml, /<title>[^<\s][^<]*<\/title>/u, file.name);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/*
 * Seed 4 sets, on its page 4, a note call at the very end of a justified line (“3×3”³ with the
 * full stop run on to the next line). Paged.js takes a call to the right of the text area for
 * text run on into the next page and drops its note; at a line's end the call lay 0.02 px past
 * that edge, and the note's 37 words were lost. Only the PDF is made: the rest is the builds' above.
 */
test('generated issue 4: a note whose call ends a justified line keeps its note in the PDF', async () => {
  const issue = await issueFor(4);
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-generated-4-'));
  try {
    const source = path.join(dir, 'source.txt');
    await writeFile(source, issue.text);
    const run = folioIn(dir);
    const imported = run(['import', source, '--out', 'manuscript', '--pages', String(issue.pages), '--quiet']);
    assert.equal(imported.status, 0, imported.stderr);
    const built = run(['build', '--manuscript', 'manuscript', '--out-dir', 'out', '--only', 'pdf', '--quiet']);
    assert.equal(built.status, 0, built.stderr);
    const checked = run(['check', '--manuscript', 'manuscript', '--out', 'out', '--no-epub', '--no-proof', '--no-reader', '--quiet']);
    assert.equal(checked.status, 0, checked.stderr + checked.stdout);
    const fidelity = await fidelityIn(path.join(dir, 'out'));
    assert.deepEqual([fidelity.pagesFaithful, fidelity.wordsLost], [issue.pages, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
