/**
 * `folio preview` for real: the server on a free port over a copy of the small fixture, fetched
 * over HTTP, then opened in Debian's Chromium, where Paged.js paginates the issue with its
 * folios; an edit to a chapter file rebuilds the preview and the open page reloads with it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage } from '../src/messages.js';
import { defaultChromePath } from '../src/pdf/index.js';
import { copyPrintAssets } from '../src/pdf/assets.js';
import { maxCopyfitLevel } from '../src/pdf/copyfit.js';
import { buildPrintHtml, renderIssue } from '../src/pdf/print-document.js';
import { issueSlug } from '../src/pdf/render.js';
import { lastCopyfit, makePreviewDocuments, startPreview, type PreviewServer } from '../src/preview/index.js';
import { runFolio } from './folio-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');

/** A copy of the fixture manuscript an edit may change, and an empty build folder. */
async function workspace(): Promise<{ dir: string; manuscriptDir: string; buildDir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-preview-test-'));
  const manuscriptDir = path.join(dir, 'manuscript');
  await cp(fixture, manuscriptDir, { recursive: true });
  return { dir, manuscriptDir, buildDir: path.join(dir, 'build') };
}

async function load(dir: string): Promise<Manuscript> {
  const { manuscript, messages } = await loadManuscript(dir);
  assert.ok(manuscript, messages.map(formatMessage).join('\n'));
  return manuscript;
}

async function launch(userDataDir: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? defaultChromePath,
    headless: true,
    userDataDir,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

/** Waits until Paged.js has laid out the page; resolves to the page count it reports. */
async function paginated(page: Page): Promise<number> {
  await page.waitForSelector('html[data-folio-preview]', { timeout: 120_000 });
  const state = await page.evaluate(() => [document.documentElement.dataset.folioPreview, document.documentElement.dataset.folioPages]);
  assert.equal(state[0], 'ready', 'Paged.js did not finish the layout');
  return Number(state[1]);
}

/** The text Chromium shows in each page's margin boxes (running heads, folios): generated content included. */
async function marginTexts(page: Page): Promise<Array<{ number: number; texts: string[] }>> {
  const pages = await page.$$('.pagedjs_page');
  const found: Array<{ number: number; texts: string[] }> = [];
  for (const sheet of pages) {
    const number = Number(await sheet.evaluate((e) => e.getAttribute('data-page-number')));
    const texts: string[] = [];
    for (const box of await sheet.$$('.pagedjs_margin')) {
      const visible = await box.evaluate((e) => getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden');
      if (!visible) continue;
      // Counters live in ::after content, out of the DOM's text; the accessibility tree has them.
      const tree = await page.accessibility.snapshot({ root: box, interestingOnly: false });
      const walk = (node: { name?: string; children?: unknown[] } | null): void => {
        if (!node) return;
        if (typeof node.name === 'string' && node.name.trim() !== '') texts.push(node.name.trim());
        for (const child of node.children ?? []) walk(child as { name?: string; children?: unknown[] });
      };
      walk(tree as { name?: string; children?: unknown[] } | null);
    }
    found.push({ number, texts });
  }
  return found;
}

test('the preview serves the index, the EPUB chapters and the paginated issue, and reloads after an edit', { timeout: 300_000 }, async () => {
  const { dir, manuscriptDir, buildDir } = await workspace();
  const manuscript = await load(manuscriptDir);
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'folio-preview-chromium-'));
  try {
    server = await startPreview({ manuscriptDir, port: 0, buildDir, watchDirs: [] });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(server.port, 0);

    // The index lists every chapter and links the paginated issue.
    const index = await fetch(server.url);
    assert.equal(index.status, 200);
    const indexHtml = await index.text();
    assert.match(indexHtml, /href="\/print\/"/);
    for (const chapter of manuscript.chapters) assert.ok(indexHtml.includes(`href="/epub/${chapter.slug}.xhtml"`), `no link to ${chapter.slug}`);
    assert.match(indexHtml, /No problems reported/);

    // A chapter page is the EPUB content document (well-formed XHTML) with the reload script.
    const first = manuscript.chapters[0];
    assert.ok(first);
    const chapter = await fetch(new URL(`/epub/${first.slug}.xhtml`, server.url));
    assert.equal(chapter.status, 200);
    assert.match(chapter.headers.get('content-type') ?? '', /application\/xhtml\+xml/);
    const chapterXhtml = await chapter.text();
    assert.ok(chapterXhtml.includes(`<title>${first.title.replace(/&/g, '&amp;')}</title>`));
    assert.match(chapterXhtml, /EventSource\('\/_preview\/events'\)/);
    assert.match(chapterXhtml, /role="doc-pagebreak"/);

    // Loopback only, and nothing outside the preview's own files.
    assert.equal(await statusWithHost(server.url, 'example.com'), 403);
    assert.equal(await statusWithHost(server.url, `localhost:${server.port}`), 200);
    assert.equal((await fetch(new URL('/epub/no-such-chapter.xhtml', server.url))).status, 404);
    assert.notEqual((await fetch(new URL('/print/..%2f..%2fetc%2fpasswd', server.url))).status, 200);

    // In Chromium: Paged.js lays out every printed page, each showing its folio in a margin.
    browser = await launch(userDataDir);
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(String(error)));
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(new URL('/print/', server.url).href);
    assert.equal(await paginated(page), manuscript.issue.pages);
    const sheets = await marginTexts(page);
    assert.equal(sheets.length, manuscript.issue.pages);
    for (const sheet of sheets) {
      const folio = String(sheet.number);
      assert.ok(
        sheet.texts.some((text) => text === folio || text.startsWith(`${folio} `) || text.endsWith(` ${folio}`) || text.split(/\s+/).includes(folio)),
        `page ${folio} shows no folio in its margins: ${JSON.stringify(sheet.texts)}`,
      );
    }
    assert.deepEqual(failures, []);

    // Edit the first chapter on disk: the preview rebuilds and the open page reloads with it.
    const before = server.version();
    const added = `Proof edit ${process.pid}-${Date.now()}`;
    const file = path.join(manuscriptDir, first.file);
    const text = await readFile(file, 'utf8');
    const lastParagraph = text.trimEnd().lastIndexOf('\n\n');
    const rebuilt = server.nextBuild();
    const reloaded = page.waitForNavigation({ timeout: 60_000 });
    await writeFile(file, `${text.slice(0, lastParagraph)}\n\n${added}${text.slice(lastParagraph)}`);
    assert.ok((await rebuilt) > before);
    await reloaded;
    await paginated(page);
    const shown = await page.evaluate(() => document.querySelector('.pagedjs_pages')?.textContent ?? '');
    assert.ok(shown.replace(/\u00AD/g, '').includes(added), 'the reloaded page does not show the edit');
    assert.deepEqual(failures, []);

    // The preview writes nothing into the build folder: the reload script never reaches an output.
    assert.deepEqual(await readdir(buildDir).catch(() => []), []);
  } finally {
    await browser?.close();
    await rm(userDataDir, { recursive: true, force: true });
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a broken chapter shows its problem at file:line on the preview, and fixing it brings the pages back', { timeout: 60_000 }, async () => {
  const { dir, manuscriptDir, buildDir } = await workspace();
  const manuscript = await load(manuscriptDir);
  let server: PreviewServer | undefined;
  try {
    const styles = path.join(dir, 'styles');
    await mkdir(path.join(styles, 'nested'), { recursive: true });
    server = await startPreview({ manuscriptDir, port: 0, buildDir, watchDirs: [styles], debounceMs: 50 });
    // A change in a watched folder besides the manuscript (templates/, styles/ in use), however deep, rebuilds too.
    const restyled = server.nextBuild();
    await writeFile(path.join(styles, 'nested', 'extra.css'), 'p { color: black; }\n');
    assert.equal(await restyled, 2);
    const first = manuscript.chapters[0];
    assert.ok(first);
    const file = path.join(manuscriptDir, first.file);
    const text = await readFile(file, 'utf8');
    const rebuilt = server.nextBuild();
    await writeFile(file, text.replace(/^firstPage: .*$/m, 'firstPage: one'));
    await rebuilt;
    const state = (await (await fetch(new URL('/_preview/state.json', server.url))).json()) as { messages: Parameters<typeof formatMessage>[0][]; paginated: boolean };
    assert.equal(state.paginated, false);
    const line = text.split('\n').findIndex((l) => l.startsWith('firstPage:')) + 1;
    assert.deepEqual(state.messages.map(formatMessage), [`${file}:${line}:12: error: Unexpected value at \`firstPage\`: Expected number, received string [manuscript-001]`]);
    const print = await (await fetch(new URL('/print/', server.url))).text();
    assert.match(print, /cannot be paginated/);
    assert.ok(print.includes(`${file}:${line}:12`));

    const fixed = server.nextBuild();
    await writeFile(file, text);
    await fixed;
    const again = (await (await fetch(new URL('/_preview/state.json', server.url))).json()) as { messages: unknown[]; paginated: boolean };
    assert.deepEqual(again, { ...again, messages: [], paginated: true });
  } finally {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the preview lays out with the copyfit levels the last PDF build wrote into its print HTML', async () => {
  const { dir, manuscriptDir, buildDir } = await workspace();
  try {
    const manuscript = await load(manuscriptDir);
    const issue = renderIssue(manuscript);
    // A level on every other printed page, as a copyfit pass of the PDF stage would set them.
    const fit = new Map<number, number>();
    for (let folio = manuscript.chapters[0]?.firstPage ?? 1; folio <= manuscript.issue.pages; folio += 2) fit.set(folio, 1 + (folio % maxCopyfitLevel));
    const assets = await copyPrintAssets(buildDir);
    const html = await buildPrintHtml(manuscript, issue, { templateDir: path.join(repo, 'templates', 'print'), ...assets }, fit);
    await writeFile(path.join(buildDir, `${issueSlug(manuscript)}.print.html`), html);
    assert.deepEqual(await lastCopyfit(path.join(buildDir, `${issueSlug(manuscript)}.print.html`)), fit);
    assert.deepEqual(await lastCopyfit(path.join(buildDir, 'no-such.print.html')), new Map());
    const documents = await makePreviewDocuments({ manuscriptDir, assetsDir: path.join(dir, 'assets'), buildDir });
    assert.deepEqual(documents.copyfit, fit);
    assert.deepEqual(documents.messages, []);
    assert.equal(documents.printHtml, html, 'the preview paginates the print HTML the PDF stage builds');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the images of a chapter are served from the manuscript; nothing else of it is', async () => {
  const withImage = path.join(repo, 'test', 'fixtures', 'epub', 'local-image');
  const manuscript = await load(withImage);
  let server: PreviewServer | undefined;
  const buildDir = await mkdtemp(path.join(os.tmpdir(), 'folio-preview-images-'));
  try {
    server = await startPreview({ manuscriptDir: withImage, port: 0, buildDir, watchDirs: [] });
    const chapter = manuscript.chapters.find((c) => /!\[[^\]]*\]\((?!https?:)[^)]+\.png\)/.test(c.markdown));
    assert.ok(chapter, 'the fixture has a chapter with a local PNG');
    const xhtml = await (await fetch(new URL(`/epub/${chapter.slug}.xhtml`, server.url))).text();
    const sources = [...xhtml.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(sources.length > 0);
    const served = await Promise.all(sources.map(async (src) => ({ src, file: path.join(withImage, decodeURIComponent(src.replace(/^\/manuscript\//, ''))), response: await fetch(new URL(src, server?.url)) })));
    for (const { src, file, response } of served) {
      assert.match(src, /^\/manuscript\//);
      const exists = await access(file).then(() => true, () => false);
      assert.equal(response.status, exists ? 200 : 404, src);
      if (exists) assert.deepEqual(Buffer.from(await response.arrayBuffer()), await readFile(file));
    }
    assert.ok(served.some((s) => s.response.status === 200), 'at least one image is there to serve');
    assert.notEqual((await fetch(new URL('/manuscript/issue.yaml', server.url))).status, 200);
    assert.notEqual((await fetch(new URL(`/manuscript/${chapter.file}`, server.url))).status, 200);
  } finally {
    await server?.close();
    await rm(buildDir, { recursive: true, force: true });
  }
});

/** Resolves to a port something is listening on, and a function to free it. */
async function occupiedPort(): Promise<{ port: number; free: () => Promise<void> }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(address && typeof address === 'object');
  return { port: address.port, free: () => new Promise<void>((resolve) => blocker.close(() => resolve())) };
}

test('folio preview on a port in use says so and exits 2; Ctrl-C stops a running preview with 0', { timeout: 120_000 }, async () => {
  const { port, free } = await occupiedPort();
  try {
    const busy = await runFolio(['preview', '--port', String(port), '--manuscript', fixture]);
    assert.equal(busy.code, 2);
    assert.equal(busy.stdout, '');
    assert.match(busy.stderr, new RegExp(`error: Unexpected port ${port} already in use on 127\\.0\\.0\\.1, expected a free port; .*--port 0.* \\[preview-001\\]`));
    const busyJson = await runFolio(['preview', '--port', String(port), '--manuscript', fixture, '--json']);
    assert.equal(busyJson.code, 2);
    const parsed = JSON.parse(busyJson.stdout) as { exitCode: number; messages: Array<{ ruleId: string }> };
    assert.equal(parsed.exitCode, 2);
    assert.deepEqual(parsed.messages.map((m) => m.ruleId), ['preview-001']);
  } finally {
    await free();
  }

  const bad = await runFolio(['preview', '--port', 'eighty']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unexpected --port `eighty`, expected a whole number from 0 to 65535 \[cli-001\]/);

  // Port 0: the system picks one, the JSON says which; SIGINT (Ctrl-C) closes it cleanly.
  const child = spawn(process.execPath, [path.join(repo, 'bin', 'folio.js'), 'preview', '--port', '0', '--manuscript', fixture, '--json'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const info = await new Promise<{ url: string; port: number; messages: unknown[] }>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        try {
          resolve(JSON.parse(stdout) as { url: string; port: number; messages: unknown[] });
        } catch {
          // Not the whole document yet.
        }
      });
      child.on('exit', (code) => reject(new Error(`preview exited with ${code}: ${stderr}`)));
    });
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual(info.messages, []);
    assert.equal((await fetch(info.url)).status, 200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(info.url));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

/** The status of a GET with a given Host header (fetch may not set one): a DNS-rebinding probe. */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
}
