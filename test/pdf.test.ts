/**
 * The PDF stage, rendered for real (Paged.js in Debian's Chromium): the small fixture issue,
 * failure cases built on it, and the bundled issue page by page. Facts about pages are read
 * with poppler (pdftotext, pdffonts) and pdf-lib: PDF page N holds printed page N from its
 * first word to its last, prints folio N and is labelled N; every font is embedded and none is
 * Type 3; the outline has a bookmark per chapter. A contact sheet of the bundled issue is kept
 * under build/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import puppeteer from 'puppeteer-core';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage, type Message } from '../src/messages.js';
import { defaultChromePath, issueSlug, renderPdf, type RenderPdfResult } from '../src/pdf/index.js';
import { copyPrintAssets, pagedPolyfillPath } from '../src/pdf/assets.js';
import { launchChromium, openPrintPage } from '../src/pdf/browser.js';
import { allPageWords, catalogue, comparable, pagesToPng, pdfFonts, printedPages, zones } from './pdf-pages.js';
import { resolved } from './resolved.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');

async function scratch(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `folio-pdf-${name}-`));
}

async function load(dir: string): Promise<Manuscript> {
  const { manuscript, messages } = await loadManuscript(dir);
  assert.ok(manuscript, messages.map(formatMessage).join('\n'));
  return manuscript;
}

function lines(messages: readonly Message[]): string[] {
  return messages.map(formatMessage);
}

/**
 * Every page of the PDF against the manuscript: the page count is the issue's; the body of PDF
 * page N begins with printed page N's first words and its last words close the body (the notes
 * the page calls follow them, as they sit at its foot); the folio N is printed.
 */
async function assertFacsimile(pdf: string, manuscript: Manuscript): Promise<void> {
  const pages = await allPageWords(pdf);
  assert.equal(pages.length, manuscript.issue.pages, 'PDF pages = issue.pages');
  const printed = printedPages(manuscript);
  const issueLine = comparable(`${manuscript.issue.journal} · ${manuscript.issue.issue}`);
  // The trim's margins (styles/print.css): running heads above the text area, drop folios below.
  const mm = 72 / 25.4;
  const problems: string[] = [];
  for (const [index, words] of pages.entries()) {
    const folio = index + 1;
    const page = printed.get(folio);
    if (!page) {
      problems.push(`page ${folio}: no such printed page in the manuscript`);
      continue;
    }
    const { head, text: area, foot } = zones(words, 22 * mm, 22.1 * mm);
    // The folio is printed: in the running head, or as the drop folio of an opening page.
    const folios = `${head} ${foot}`.split(/\s+/).filter((w) => /^\d+$/.test(w));
    if (!folios.includes(String(folio))) problems.push(`page ${folio}: folio not printed (found ${folios.join(', ') || 'none'})`);
    if (head !== '' && ![issueLine, comparable(page.shortTitle)].includes(comparable(head))) problems.push(`page ${folio}: running head «${head}»`);
    const text = comparable(area);
    const body = comparable(page.body);
    const notes = comparable(page.notes);
    const first = body.slice(0, 12);
    const last = body.slice(-12);
    if (!text.startsWith(first)) problems.push(`page ${folio}: starts «${text.slice(0, 24)}», expected «${first}»`);
    const lastAt = text.length - notes.length - last.length;
    if (text.slice(lastAt, lastAt + last.length) !== last) {
      problems.push(`page ${folio}: text ends «${text.slice(Math.max(0, lastAt - 12), lastAt + last.length)}», expected «${last}»`);
    }
    if (notes !== '' && !text.endsWith(notes)) problems.push(`page ${folio}: notes at the foot differ`);
  }
  assert.deepEqual(problems, []);
}

async function assertFonts(pdf: string): Promise<void> {
  const fonts = await pdfFonts(pdf);
  assert.ok(fonts.length > 0);
  assert.deepEqual(fonts.filter((f) => !f.embedded || /Type 3/.test(f.type)), [], 'every font embedded, none Type 3');
  assert.deepEqual([...new Set(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, '').replace(/-.*$/, '')))].filter((n) => !/^(NotoSerif|NotoSerifSC\w*|DejaVuSerif)$/.test(n)), [], 'only the bundled fonts');
}

test('pdf: the small fixture issue, page for page', async () => {
  const dir = await scratch('small');
  try {
    const out = path.join(dir, 'small.pdf');
    const result = await renderPdf({ resolved: await resolved(fixture, { pdf: out }) });
    assert.deepEqual(lines(result.messages), []);
    assert.equal(result.pages, 5);
    const manuscript = await load(fixture);
    await assertFacsimile(out, manuscript);
    await assertFonts(out);
    const facts = await catalogue(await readFile(out));
    assert.equal(facts.pages, 5);
    assert.equal(facts.pageLabelStart, 1);
    assert.equal(facts.language, 'en');
    assert.equal(facts.title, 'Foreign Affairs Journal · Winter 2099');
    assert.deepEqual(facts.outline, [
      'A Test Article on Cooperation',
      '  I',
      '  1. A Numbered Heading',
      'Visits & Events',
      '  2099 Understanding Test Conference (Guangzhou) Successfully Held',
      '  The Third Meeting of the Test Forum Successfully Held',
      '关于合作的测试文章',
      '  一',
      '  （一）会议背景',
    ]);
    // Openings carry no running head; the verso carries folio and issue, the recto the title.
    assert.deepEqual(
      result.layout.map((p) => p.opening),
      [true, false, true, true, false],
    );
    const print = await readFile(path.join(dir, `${issueSlug(manuscript)}.print.html`), 'utf8');
    assert.doesNotMatch(print, /paged\.polyfill/, 'the print HTML is kept without the polyfill');
    assert.match(print, /fonts\/noto-serif\/400\.css/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: Chromium missing is pdf-001 naming the path and CHROME_PATH', async () => {
  const dir = await scratch('nochrome');
  try {
    const result = await renderPdf({ resolved: await resolved(fixture, { pdf: path.join(dir, 'x.pdf'), chromePath: path.join(dir, 'no-chromium') }) });
    assert.equal(result.pages, 0);
    assert.deepEqual(
      result.messages.map((m) => m.ruleId),
      ['pdf-001'],
    );
    assert.match(result.messages[0]?.reason ?? '', /no-chromium.*CHROME_PATH/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: a stage past its watchdog fails with pdf-002 naming the stage', async () => {
  const dir = await scratch('watchdog');
  try {
    const result = await renderPdf({ resolved: await resolved(fixture, { pdf: path.join(dir, 'x.pdf') }), stageTimeoutMs: 1 });
    assert.equal(result.pages, 0);
    assert.deepEqual(
      lines(result.messages),
      ['error: Unexpected timeout in stage `launch Chromium` after 0 s, expected it to finish [pdf-002]'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: the print page is hidden and reaches nothing but the build folder', async () => {
  const dir = await scratch('network');
  const chromium = await launchChromium({ timeoutMs: 60_000 });
  try {
    const buildDir = path.join(dir, 'build');
    await writeFile(path.join(dir, 'secret.css'), 'p { color: red }');
    await mkdir(buildDir);
    await writeFile(path.join(buildDir, 'local.css'), 'p { color: blue }');
    await writeFile(
      path.join(buildDir, 'page.html'),
      '<!DOCTYPE html><html><head><link rel="stylesheet" href="local.css"><link rel="stylesheet" href="../secret.css"><link rel="stylesheet" href="https://example.com/remote.css"></head><body><p>x</p><img src="http://example.com/pixel.png"></body></html>',
    );
    const { page, blocked } = await openPrintPage(chromium.browser, buildDir);
    await page.goto(pathToFileURL(path.join(buildDir, 'page.html')).href, { waitUntil: 'load' });
    assert.deepEqual([...blocked].sort(), [pathToFileURL(path.join(dir, 'secret.css')).href, 'http://example.com/pixel.png', 'https://example.com/remote.css']);
    assert.equal(await page.evaluate('getComputedStyle(document.querySelector("p")).color'), 'rgb(0, 0, 255)');
    // Hidden, so that nothing paints the pages while Paged.js lays them out.
    assert.equal(await page.evaluate('document.visibilityState'), 'hidden');
  } finally {
    await chromium.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: a face the layout needed that the text did not ask for is caught, and loading every face first leaves none', async () => {
  const dir = await scratch('late-face');
  const chromium = await launchChromium({ timeoutMs: 60_000 });
  try {
    const buildDir = path.join(dir, 'build');
    await copyPrintAssets(buildDir);
    // Ⅱ comes only from generated content, written as an escape: the runtime's font loading,
    // which reads the characters of the content and of the styles, does not see it.
    await writeFile(
      path.join(buildDir, 'page.html'),
      [
        '<!DOCTYPE html><html><head>',
        '<link rel="stylesheet" href="fonts/dejavu-serif/fallback.css" data-pagedjs-ignore="" />',
        "<style>p { font-family: 'DejaVu Serif', serif; } p::after { content: '\\2161'; }</style>",
        '</head><body><template data-ref="pagedjs-content"><p>x</p></template></body></html>',
      ].join('\n'),
    );
    const scripts = [path.join(repo, 'src', 'pdf', 'browser', 'print-runtime.js'), pagedPolyfillPath()];
    const lateFaces = async (allFaces: boolean): Promise<number> => {
      const context = await chromium.browser.createBrowserContext();
      try {
        const { page, problems } = await openPrintPage(context, buildDir, scripts);
        await page.goto(pathToFileURL(path.join(buildDir, 'page.html')).href, { waitUntil: 'load' });
        for (const script of scripts) await page.addScriptTag({ url: pathToFileURL(script).href });
        const laid = (await page.evaluate(`window.folioPrint.paginate(${JSON.stringify({ pageEndFill: 0.85, allFaces })})`)) as { facts: unknown[]; lateFaces: number };
        assert.deepEqual(problems, []);
        assert.equal(laid.facts.length, 1);
        return laid.lateFaces;
      } finally {
        await context.close();
      }
    };
    assert.ok((await lateFaces(false)) >= 1, 'the face for Ⅱ arrived during the layout');
    assert.equal(await lateFaces(true), 0);
  } finally {
    await chromium.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: every character needs a glyph: Ⅱ is covered by the fallback, a private-use one is reported', async () => {
  const dir = await scratch('glyphs');
  try {
    const manuscriptDir = path.join(dir, 'manuscript');
    await cp(fixture, manuscriptDir, { recursive: true });
    const file = path.join(manuscriptDir, 'chapters', '01-a-test-article.md');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('## I\n', '## I\n\nPart Ⅱ of the plan, and a private sign \uE000 here.\n'));
    const result = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: path.join(dir, 'issue.pdf') }) });
    assert.deepEqual(
      lines(result.messages.filter((m) => m.ruleId === 'pdf-007')).map((line) => line.replace(/, expected .*/, '')),
      ['chapters/01-a-test-article.md:24: error: Unexpected character `\uE000` (U+E000) without a glyph in the bundled fonts for `en`'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: a page that cannot fit fails naming it, and the old PDF stays whole', async () => {
  const dir = await scratch('overflow');
  try {
    const manuscriptDir = path.join(dir, 'manuscript');
    await cp(fixture, manuscriptDir, { recursive: true });
    const file = path.join(manuscriptDir, 'chapters', '01-a-test-article.md');
    const text = await readFile(file, 'utf8');
    const filler = Array.from({ length: 30 }, (_, i) => `Filler paragraph ${i + 1} repeats the same sentence so the second page runs far past its foot and keeps on going.`).join('\n\n');
    await writeFile(file, text.replace('## 1. A Numbered Heading', `${filler}\n\n## 1. A Numbered Heading`));
    const out = path.join(dir, 'issue.pdf');
    await writeFile(out, 'old PDF');
    const result = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }) });
    assert.equal(result.pages, 0);
    assert.deepEqual(lines(result.messages), [
      'chapters/01-a-test-article.md:28: error: Unexpected overflow: the text of printed page 2 does not fit its PDF page even at the copyfit limit (word spacing -0.08em, letter spacing -0.015em, leading at 80%, type at 91%), expected it to fit; shorten or split the page [pdf-004]',
    ]);
    assert.equal(await readFile(out, 'utf8'), 'old PDF');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: a page a little over is copyfitted, reported, and still lands on its page', async () => {
  const dir = await scratch('copyfit');
  try {
    const manuscriptDir = path.join(dir, 'manuscript');
    await cp(fixture, manuscriptDir, { recursive: true });
    const file = path.join(manuscriptDir, 'chapters', '01-a-test-article.md');
    const text = await readFile(file, 'utf8');
    // Printed page 2 as long as a full page of the design plus a line or two.
    const sentence = 'A sentence of ordinary length keeps the second page of the article nearly full of words. ';
    const filler = Array.from({ length: 4 }, () => sentence.repeat(6).trim()).join('\n\n');
    await writeFile(file, text.replace('## 1. A Numbered Heading', `${filler}\n\n${sentence.repeat(3).trim()}\n\n## 1. A Numbered Heading`));
    const out = path.join(dir, 'issue.pdf');
    const result: RenderPdfResult = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }) });
    assert.deepEqual(
      lines(result.messages).map((line) => line.replace(/: word spacing.*/, '')),
      ['chapters/01-a-test-article.md:28: info: Copyfitted printed page 2 to hold its text'],
    );
    assert.equal(result.pages, 5);
    await assertFacsimile(out, await load(manuscriptDir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pdf: the bundled issue, every page against the manuscript, with a contact sheet', { skip: false }, async () => {
  const manuscriptDir = path.join(repo, 'manuscript');
  const manuscript = await load(manuscriptDir);
  const buildDir = path.join(repo, 'build');
  const out = path.join(buildDir, `${issueSlug(manuscript)}.pdf`);
  const started = performance.now();
  const result = await renderPdf({ resolved: await resolved(manuscriptDir, { pdf: out }) });
  const seconds = (performance.now() - started) / 1000;
  assert.deepEqual(
    lines(result.messages.filter((m) => m.severity !== 'info')),
    [],
  );
  assert.equal(result.pages, manuscript.issue.pages);
  await assertFacsimile(out, manuscript);
  await assertFonts(out);
  // The text layer keeps no soft hyphen a line did not break at (the few left sit inside an
  // f-ligature, where Chromium draws them otherwise).
  const words = (await allPageWords(out)).flatMap((p) => p.words);
  const midWord = words.filter((w) => /\u00AD./u.test(w.text)).length;
  assert.ok(midWord < words.length / 500, `${midWord} of ${words.length} words hold a soft hyphen`);
  const facts = await catalogue(await readFile(out));
  assert.equal(facts.pageLabelStart, 1);
  assert.deepEqual(
    facts.outline.filter((t) => !t.startsWith(' ')),
    manuscript.chapters.map((c) => c.title),
  );
  // Copyfitting stays the exception: reported for each page it touched, and only those.
  assert.deepEqual(
    result.messages.filter((m) => m.severity === 'info').map((m) => m.ruleId),
    [...result.copyfit.keys()].map(() => 'pdf-005'),
  );
  await writeFile(
    path.join(buildDir, `${issueSlug(manuscript)}.pdf-figures.json`),
    `${JSON.stringify({ seconds: Math.round(seconds), pages: result.pages, passes: result.passes, copyfit: Object.fromEntries(result.copyfit), timings: result.timings }, null, 2)}\n`,
  );
  await contactSheet(out, path.join(buildDir, `${issueSlug(manuscript)}.contact-sheet.png`));
});

/** All pages as small pictures on one sheet, laid out by Chromium, for a person to review. */
async function contactSheet(pdf: string, png: string): Promise<void> {
  const dir = await scratch('sheet');
  try {
    await pagesToPng(pdf, path.join(dir, 'p'), 18);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
    const html = `<!DOCTYPE html><html><body style="margin:8px;background:#888;display:grid;grid-template-columns:repeat(14,1fr);gap:6px">${files
      .map((f, i) => `<figure style="margin:0;background:#fff"><img src="${f}" style="width:100%;display:block"/><figcaption style="font:9px sans-serif;text-align:center">${i + 1}</figcaption></figure>`)
      .join('')}</body></html>`;
    await writeFile(path.join(dir, 'sheet.html'), html);
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH ?? defaultChromePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
    });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 1000 });
      await page.goto(pathToFileURL(path.join(dir, 'sheet.html')).href, { waitUntil: 'load' });
      await page.screenshot({ path: png as `${string}.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await run('test', ['-s', png]);
}
