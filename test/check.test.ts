/**
 * `folio check` proven able to fail: real outputs of the bundled issue are checked as built
 * (every page faithful, no message), then mutated the ways a pipeline goes wrong (a page
 * dropped or two swapped in the PDF, a marker moved in the manuscript, a sentence deleted
 * from the EPUB, a folio shifted in the source) and each change must be caught at its page,
 * with nothing else reported.
 *
 * The reader proof (foliate-js in Chromium) is test/reader.test.ts's; here it is left out.
 * The PDF is build/<issue>.pdf when one is there (PDF rendering takes minutes; CHECK_PDF
 * names another), else it is rendered with the PDF stage into a scratch folder.
 */
import assert from 'node:assert/strict';
import { access, cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PDFDocument, PDFName } from 'pdf-lib';
import { check, type CheckResult } from '../src/check/index.js';
import { buildEpub } from '../src/epub/index.js';
import { readZip, writeEpubZip } from '../src/epub/zip.js';
import { findFolioBlocks } from '../src/import/folio-blocks.js';
import { readSource } from '../src/import/source.js';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage, type Message } from '../src/messages.js';
import { issueSlug, renderPdf } from '../src/pdf/index.js';
import { main } from '../src/cli/index.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manuscriptDir = path.join(repo, 'manuscript');

/** Pages a message names: `page N` in its reason. */
function pagesNamed(messages: readonly Message[]): number[] {
  const pages = new Set<number>();
  for (const m of messages) for (const x of m.reason.matchAll(/\bpage (\d+)\b/g)) pages.add(Number(x[1]));
  return [...pages].sort((a, b) => a - b);
}

/** Pages the report marks unfaithful. */
function unfaithful(result: CheckResult): number[] {
  return (result.report?.pages ?? []).filter((p) => !p.faithful).map((p) => p.page);
}

function show(messages: readonly Message[]): string {
  return messages.map(formatMessage).join('\n');
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

describe('check: the bundled issue and its real outputs', () => {
  let scratch = '';
  let manuscript: Manuscript;
  let epub = '';
  let pdf = '';
  /** The PDF as built, checked: what a mutation newly breaks is measured against it. */
  let pdfBaseline: CheckResult;

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-check-'));
    const loaded = await loadManuscript(manuscriptDir);
    assert.ok(loaded.manuscript, show(loaded.messages));
    manuscript = loaded.manuscript;
    epub = path.join(scratch, 'issue.epub');
    const built = await buildEpub({ resolved: await resolved(manuscriptDir, { epub }), validate: false });
    assert.ok(built.out, show(built.messages));
    pdf = process.env.CHECK_PDF ?? path.join(repo, 'build', `${issueSlug(manuscript)}.pdf`);
    if (!(await exists(pdf))) {
      pdf = path.join(scratch, 'issue.pdf');
      const rendered = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf }) });
      assert.ok(rendered.pages > 0, `the PDF stage wrote no PDF:\n${show(rendered.messages)}`);
    }
    pdfBaseline = await check({ resolved: await resolved(manuscriptDir), pdf });
  });

  /** Pages a mutated PDF newly gets wrong, and the messages it newly raises. */
  const newly = (result: CheckResult): { pages: number[]; messages: Message[] } => {
    const before = new Set(unfaithful(pdfBaseline));
    const said = new Set(pdfBaseline.messages.map(formatMessage));
    return { pages: unfaithful(result).filter((n) => !before.has(n)), messages: result.messages.filter((m) => !said.has(formatMessage(m))) };
  };

  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('as built, every page is faithful in the manuscript, the EPUB and the PDF, and nothing is reported', async () => {
    const out = path.join(scratch, 'reports');
    const result = await check({ resolved: await resolved(manuscriptDir), pdf, epub, outDir: out, reader: false });
    assert.equal(show(result.messages), '');
    assert.equal(result.failedToRun, false);
    assert.equal(result.report?.pagesChecked, manuscript.issue.pages);
    assert.equal(result.report?.pagesFaithful, manuscript.issue.pages);
    assert.deepEqual(unfaithful(result), []);
    const json = JSON.parse(await readFile(path.join(out, `${issueSlug(manuscript)}.fidelity.json`), 'utf8')) as { pagesFaithful: number };
    assert.equal(json.pagesFaithful, manuscript.issue.pages);
    const proof = await readFile(path.join(out, `${issueSlug(manuscript)}.proof.html`), 'utf8');
    // An image per page, named by what the page is drawn from; nothing else in the folder.
    const sources = [...proof.matchAll(/<img src="([^"]+)" alt="PDF page (\d+)"/g)];
    assert.deepEqual(
      sources.map((m) => Number(m[2])),
      Array.from({ length: manuscript.issue.pages }, (_, i) => i + 1),
    );
    assert.deepEqual((await readdir(path.join(out, 'proof'))).sort(), [...new Set(sources.map((m) => path.basename(m[1] ?? '')))].sort());
    assert.doesNotMatch(proof, /<del>|<ins>/);
  });

  test('a page dropped from the PDF is caught at that page, and the page count is wrong', async () => {
    const doc = await PDFDocument.load(await readFile(pdf));
    const dropped = Math.ceil(doc.getPageCount() / 3);
    doc.removePage(dropped - 1);
    const mutated = path.join(scratch, 'dropped.pdf');
    await writeFile(mutated, await doc.save());
    const result = await check({ resolved: await resolved(manuscriptDir), pdf: mutated });
    const { pages, messages } = newly(result);
    assert.equal(pages[0], dropped, show(messages));
    assert.equal(pagesNamed(messages)[0], dropped, show(messages));
    // Every page after the gap holds the next page's text and folio, and the last is missing.
    const last = manuscript.issue.pages;
    const shifted = Array.from({ length: last - dropped }, (_, i) => dropped + i);
    assert.deepEqual(
      messages.map((m) => `${m.ruleId} ${m.reason}`),
      [
        `check-003 Unexpected ${last - 1} pages in the PDF, expected the ${last} printed pages of issue.yaml`,
        ...shifted.map((p) => `check-002 Unexpected folio ${p + 1} printed on PDF page ${p}, expected ${p} (it holds the text of printed page ${p + 1})`),
        `check-003 Unexpected missing PDF page ${last}, expected the text of printed page ${last}`,
      ],
    );
  });

  test('two pages swapped in the PDF are caught at exactly those two pages', async () => {
    const doc = await PDFDocument.load(await readFile(pdf));
    const a = Math.ceil(doc.getPageCount() / 2);
    const b = a + 3;
    const pa = doc.getPage(a - 1);
    const pb = doc.getPage(b - 1);
    doc.removePage(b - 1);
    doc.removePage(a - 1);
    doc.insertPage(a - 1, pb);
    doc.insertPage(b - 1, pa);
    const mutated = path.join(scratch, 'swapped.pdf');
    await writeFile(mutated, await doc.save());
    const result = await check({ resolved: await resolved(manuscriptDir), pdf: mutated });
    const { pages, messages } = newly(result);
    assert.deepEqual(pages, [a, b], show(messages));
    assert.deepEqual(pagesNamed(messages), [a, b], show(messages));
    assert.deepEqual(
      messages.map((m) => `${m.ruleId} ${m.reason}`),
      [
        `check-002 Unexpected folio ${b} printed on PDF page ${a}, expected ${a} (it holds the text of printed page ${b})`,
        `check-002 Unexpected folio ${a} printed on PDF page ${b}, expected ${b} (it holds the text of printed page ${a})`,
      ],
    );
    const report = result.report?.pages;
    assert.ok((report?.[a - 1]?.stages.pdf?.lost.length ?? 0) > 0 && (report?.[b - 1]?.stages.pdf?.added.length ?? 0) > 0);
  });

  test('a PDF without page labels is caught', async () => {
    const doc = await PDFDocument.load(await readFile(pdf));
    assert.ok(doc.catalog.has(PDFName.of('PageLabels')), 'the PDF as built has page labels');
    doc.catalog.delete(PDFName.of('PageLabels'));
    const mutated = path.join(scratch, 'unlabelled.pdf');
    await writeFile(mutated, await doc.save());
    const { pages, messages } = newly(await check({ resolved: await resolved(manuscriptDir), pdf: mutated }));
    assert.deepEqual(pages, []);
    assert.deepEqual(
      messages.map((m) => `${m.ruleId} ${m.reason}`),
      ['check-002 Unexpected PDF without page labels, expected each page labelled with its printed page number'],
    );
  });

  test('a page marker moved by a line in the manuscript is caught at the two pages it divides', async () => {
    const copy = path.join(scratch, 'moved-marker');
    await cp(manuscriptDir, copy, { recursive: true });
    // The first marker past the middle of the issue that stands inside a paragraph, followed
    // by another plain paragraph line: move it to the start of that next line.
    let moved: { page: number; file: string } | undefined;
    for (const chapter of manuscript.chapters) {
      const lines = chapter.markdown.split('\n');
      for (let i = 0; i < lines.length && !moved; i += 1) {
        const m = /(\S) ?:page\[(\d+)\]/.exec(lines[i] ?? '');
        if (!m || Number(m[2]) < manuscript.issue.pages / 2) continue;
        const next = lines.findIndex((l, k) => k > i && l.trim() !== '');
        const nextLine = lines[next] ?? '';
        if (next < 0 || /^[#:[>|-]|:page\[|\[\^/.test(nextLine)) continue;
        const marker = `:page[${m[2]}]`;
        lines[i] = (lines[i] ?? '').replace(marker, '');
        lines[next] = `${marker}${nextLine}`;
        moved = { page: Number(m[2]), file: chapter.file };
      }
      if (moved) {
        await writeFile(path.join(copy, chapter.file), lines.join('\n'));
        break;
      }
    }
    assert.ok(moved, 'a marker inside a paragraph to move');
    const result = await check({ resolved: await resolved(copy) });
    assert.deepEqual(unfaithful(result), [moved.page - 1, moved.page], show(result.messages));
    assert.deepEqual(pagesNamed(result.messages), [moved.page - 1, moved.page], show(result.messages));
    assert.ok(result.messages.every((m) => m.ruleId === 'check-001' && m.place?.file.endsWith(moved.file)), show(result.messages));
    const lost = result.report?.pages[moved.page - 1]?.stages.manuscript?.lost.length ?? 0;
    const added = result.report?.pages[moved.page - 2]?.stages.manuscript?.added.length ?? 0;
    assert.ok(lost > 0 && lost === added, `the words page ${moved.page} lost went to page ${moved.page - 1}`);
  });

  test('a sentence deleted from an EPUB chapter is caught at its page, and as lost from the book', async () => {
    const files = await readZip(await readFile(epub));
    // The page a third of the way in: the first sentence after its page-break loses itself.
    const target = Math.ceil(manuscript.issue.pages / 3);
    let done = false;
    for (const [name, data] of files) {
      if (!name.endsWith('.xhtml')) continue;
      const text = data.toString('utf8');
      const at = text.indexOf(`id="page-${target}"`);
      if (at < 0) continue;
      const pStart = text.indexOf('<p>', at);
      const sentence = /^<p>([^<]*?[.!?。] )/.exec(text.slice(pStart));
      assert.ok(sentence?.[1], `a plain sentence after page ${target}'s break in ${name}`);
      files.set(name, Buffer.from(text.slice(0, pStart + 3) + text.slice(pStart + 3 + sentence[1].length)));
      done = true;
    }
    assert.ok(done);
    const mutated = path.join(scratch, 'deleted.epub');
    await writeFile(mutated, await writeEpubZip(files, new Date(0)));
    const reports = path.join(scratch, 'deleted-reports');
    const result = await check({ resolved: await resolved(manuscriptDir), epub: mutated, outDir: reports, reader: false });
    assert.deepEqual(unfaithful(result), [target], show(result.messages));
    // The proof strikes the deleted words out of the original page, on that page alone.
    const proof = await readFile(path.join(reports, `${issueSlug(manuscript)}.proof.html`), 'utf8');
    const sections = proof.split('<section ').slice(1);
    assert.deepEqual(
      sections.filter((x) => x.includes('<del>')).map((x) => Number(/id="p(\d+)"/.exec(x)?.[1])),
      [target],
    );
    assert.deepEqual(
      result.messages.map((m) => m.ruleId),
      ['check-001', 'check-004'],
      show(result.messages),
    );
    assert.match(result.messages[0]?.reason ?? '', new RegExp(`page ${target} of the EPUB: \\d+ words lost`));
    assert.deepEqual(result.report?.pages[target - 1]?.stages.epub?.added, []);
  });

  test('a noteref that reaches no note and a page missing from the page-list are caught at their pages', async () => {
    const files = await readZip(await readFile(epub));
    let notePage: number | undefined;
    let listed: number | undefined;
    for (const [name, data] of files) {
      if (!name.endsWith('.xhtml')) continue;
      let text = data.toString('utf8');
      const ref = /<a id="fnref-([^"]+)" href="#fn-\1"/.exec(text);
      if (notePage === undefined && ref) {
        const before = [...text.slice(0, ref.index).matchAll(/id="page-(\d+)"/g)].at(-1);
        notePage = Number(before?.[1]);
        text = text.replace(ref[0], `<a id="fnref-${ref[1]}" href="#fn-nowhere"`);
      }
      const entry = /<li><a href="[^"]*#page-(\d+)">\d+<\/a><\/li>\s*/.exec(text.slice(text.indexOf('page-list')));
      if (listed === undefined && text.includes('epub:type="page-list"') && entry) {
        // The middle entry of the page-list goes.
        const all = [...text.matchAll(/<li><a href="[^"]*#page-(\d+)">\d+<\/a><\/li>\s*/g)];
        const middle = all[Math.floor(all.length / 2)];
        assert.ok(middle);
        listed = Number(middle[1]);
        text = text.replace(middle[0], '');
      }
      files.set(name, Buffer.from(text));
    }
    assert.ok(notePage && listed, 'a noteref and a page-list entry to break');
    const mutated = path.join(scratch, 'broken-links.epub');
    await writeFile(mutated, await writeEpubZip(files, new Date(0)));
    const result = await check({ resolved: await resolved(manuscriptDir), epub: mutated, reader: false });
    const rules = result.messages.map((m) => `${m.ruleId} ${pagesNamed([m]).join(',')}`);
    assert.ok(rules.includes(`check-005 ${notePage}`), show(result.messages));
    assert.ok(rules.includes(`check-006 ${listed}`), show(result.messages));
    // The note is no longer read on its page: its words are lost there, and from the book.
    assert.ok(unfaithful(result).includes(notePage), show(result.messages));
    assert.ok(unfaithful(result).includes(listed), show(result.messages));
  });

  test('a page marker repeated in the manuscript is caught where it repeats', async () => {
    const copy = path.join(scratch, 'repeated-marker');
    await cp(manuscriptDir, copy, { recursive: true });
    const chapter = manuscript.chapters[Math.floor(manuscript.chapters.length / 2)];
    assert.ok(chapter);
    const lines = chapter.markdown.split('\n');
    const at = lines.findIndex((l) => /:page\[\d+\]/.test(l));
    const page = Number(/:page\[(\d+)\]/.exec(lines[at] ?? '')?.[1]);
    // The chapter's first marker is written again at the start of the next paragraph.
    const next = lines.findIndex((l, k) => k > at + 1 && l.trim() !== '' && !/^[#:]/.test(l));
    lines[next] = `:page[${page}]${lines[next] ?? ''}`;
    await writeFile(path.join(copy, chapter.file), lines.join('\n'));
    const result = await check({ resolved: await resolved(copy) });
    assert.deepEqual(
      result.messages.map((m) => `${path.basename(m.place?.file ?? '')}:${m.place?.line} ${m.ruleId} ${m.reason}`),
      [`${path.basename(chapter.file)}:${next + 1} check-007 Unexpected second marker of page ${page}, expected each page once (first at line ${at + 1})`],
    );
    assert.ok(unfaithful(result).includes(page));
  });

  test('a folio shifted in the source is caught at the page it stands on', async () => {
    const copy = path.join(scratch, 'shifted-folio');
    await cp(manuscriptDir, copy, { recursive: true });
    const sourceFile = path.join(copy, manuscript.issue.source ?? '');
    const bytes = await readFile(sourceFile);
    const { lines } = readSource(bytes, sourceFile);
    const blocks = findFolioBlocks(lines);
    const block = blocks[Math.floor(blocks.length / 2)];
    assert.ok(block, 'a folio in the source');
    const raw = bytes.toString('utf8').split('\n');
    const n = lines[block.folioIndex]?.n ?? 0;
    raw[n - 1] = (raw[n - 1] ?? '').replace(String(block.folio), String(block.folio + 1));
    await writeFile(sourceFile, raw.join('\n'));
    const result = await check({ resolved: await resolved(copy), source: sourceFile });
    assert.deepEqual(
      result.messages.map((m) => [m.ruleId, m.reason, m.place?.line]),
      [['check-002', `Unexpected printed folio ${block.folio + 1} on page ${block.folio}, expected ${block.folio}`, n]],
    );
    assert.deepEqual(unfaithful(result), [block.folio]);
  });

  test('folio check: exit 0 when everything holds, 1 when a check fails, 2 when an input is missing', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const reports = path.join(scratch, 'cli');
    assert.equal(await main(['check', '--manuscript', manuscriptDir, '--epub', epub, '--no-pdf', '--no-reader', '--out', reports], io), 0, out.join('\n'));
    assert.match(out.join('\n'), new RegExp(`${manuscript.issue.pages} pages checked, ${manuscript.issue.pages} faithful`));
    const swapped = path.join(scratch, 'swapped.pdf');
    assert.equal(await main(['check', '--manuscript', manuscriptDir, '--pdf', swapped, '--no-epub', '--no-proof', '--out', reports], io), 1);
    assert.equal(await main(['check', '--manuscript', manuscriptDir, '--pdf', path.join(scratch, 'nothing.pdf'), '--no-epub', '--out', reports], io), 2);
  });
});

test('a short issue (the 5-page fixture): its running heads and titles are told apart, every page faithful', async () => {
  const fixtureDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/manuscript/small');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-check-short-'));
  try {
    const pdf = path.join(scratch, 'short.pdf');
    const rendered = await renderPdf({ resolved: await resolved(fixtureDir, { pdf }) });
    assert.deepEqual(rendered.messages.map(formatMessage), []);
    const result = await check({ resolved: await resolved(fixtureDir), pdf, proof: false });
    assert.deepEqual(result.messages.map(formatMessage), []);
    assert.equal(result.report?.stages.pdf?.pagesFaithful, 5);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
