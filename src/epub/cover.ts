/**
 * The cover: an HTML template filled from the issue metadata and rendered to a PNG by headless
 * Chromium. Nothing is fetched from the network; fonts come from the bundled @fontsource files.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ejs from 'ejs';
import type { Manuscript } from '../manuscript/index.js';
import { chromiumPath, type KeptBrowser, keptOrLaunched, launchChromium, writeFileAtomic, cacheKey } from '../session/index.js';
import { chromiumIdentity, pruneEntries } from './cache.js';
import type { PublicationMetadata } from './metadata.js';
import { templatePath } from './templates.js';

/** The rendered cover and the text a reader who cannot see it is given instead. */
export interface Cover {
  /** The image: a PNG rendered by Chromium, or an SVG drawn without a browser. */
  data: Buffer;
  extension: 'png' | 'svg';
  mediaType: 'image/png' | 'image/svg+xml';
  alt: string;
}

/** Text escaped for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');
}

/** Breaks a title into lines of at most `max` characters (CJK counts double), at spaces where there are any. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  const width = (t: string): number => [...t].reduce((w, ch) => w + (/[\u2E80-\u9FFF\uFF00-\uFFEF]/u.test(ch) ? 2 : 1), 0);
  for (const word of text.split(/(?<=\s)|(?=[\u2E80-\u9FFF])/u)) {
    if (line !== '' && width(line + word) > max) {
      lines.push(line.trim());
      line = '';
    }
    line += word;
  }
  if (line.trim() !== '') lines.push(line.trim());
  return lines;
}

/**
 * The cover drawn as SVG from the same metadata, with no browser: what the EPUB carries when
 * Chromium cannot run, so that a missing browser never costs the reader the book.
 */
export function svgCover(manuscript: Manuscript, metadata: PublicationMetadata): Cover {
  const rows: string[] = [];
  let y = 300;
  for (const line of wrap(metadata.journal, 20)) {
    rows.push(`<text x="100" y="${y}" font-size="80" font-weight="700">${escapeXml(line)}</text>`);
    y += 96;
  }
  rows.push(`<text x="100" y="${y + 20}" font-size="56" font-style="italic">${escapeXml(metadata.issue)}</text>`);
  y += 200;
  for (const article of coverArticles(manuscript, metadata.language)) {
    for (const line of wrap(article.title, 46)) {
      if (y > height - 260) break;
      rows.push(`<text x="100" y="${y}" font-size="40">${escapeXml(line)}</text>`);
      y += 50;
    }
    if (article.authors.length > 0 && y <= height - 260) {
      rows.push(`<text x="100" y="${y}" font-size="34" font-style="italic">${escapeXml(article.authors.join(', '))}</text>`);
      y += 50;
    }
    y += 30;
  }
  if (metadata.publisher) rows.push(`<text x="100" y="${height - 120}" font-size="36">${escapeXml(metadata.publisher)}</text>`);
  const svg = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="'Noto Serif', 'Noto Serif SC', serif" fill="#1a1a1a">`,
    `<rect width="${width}" height="${height}" fill="#f4efe6"/>`,
    `<rect x="60" y="60" width="${width - 120}" height="${height - 120}" fill="none" stroke="#1a1a1a" stroke-width="4"/>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
  return { data: Buffer.from(svg), extension: 'svg', mediaType: 'image/svg+xml', alt: coverAlt(manuscript, metadata) };
}

/** Cover size in CSS pixels: 2:3, the usual e-reader cover proportion. */
const width = 1200;
const height = 1800;
/** How many articles the cover lists; the table of contents has them all. */
const maxArticles = 8;

const require = createRequire(import.meta.url);

function fontStylesheets(): string[] {
  const sheets = ['@fontsource/noto-serif/400.css', '@fontsource/noto-serif/700.css', '@fontsource/noto-serif/400-italic.css', '@fontsource/noto-serif-sc/400.css'];
  return sheets.map((sheet) => pathToFileURL(require.resolve(sheet)).href);
}

/** The articles a cover lists: those in the issue's primary language, in reading order. */
function coverArticles(manuscript: Manuscript, language: string) {
  return manuscript.chapters
    .filter((c) => c.kind === 'article' && c.language === language)
    .slice(0, maxArticles)
    .map((c) => ({ title: c.title, authors: c.authors, language: c.language }));
}

/** Renders the cover HTML of an issue (exported for tests and for a person to preview). */
export async function coverHtml(manuscript: Manuscript, metadata: PublicationMetadata): Promise<string> {
  const template = await readFile(templatePath('cover.html.ejs'), 'utf8');
  return ejs.render(template, {
    language: metadata.language,
    journal: metadata.journal,
    issue: metadata.issue,
    publisher: metadata.publisher ?? '',
    articles: coverArticles(manuscript, metadata.language),
    fontStylesheets: fontStylesheets(),
    width,
    height,
  });
}

/** The cover's text alternative: what the cover says, in reading order. */
export function coverAlt(manuscript: Manuscript, metadata: PublicationMetadata): string {
  const articles = coverArticles(manuscript, metadata.language);
  if (/^zh\b/i.test(metadata.language)) {
    // In the edition's language, as the cover itself: 《刊名》期号封面，列出：题目（作者）；……，出版者。
    const parts = [`《${metadata.journal}》${metadata.issue}封面`];
    if (articles.length > 0) parts.push(`列出：${articles.map((a) => (a.authors.length > 0 ? `${a.title}（${a.authors.join('、')}）` : a.title)).join('；')}`);
    if (metadata.publisher) parts.push(`出版：${metadata.publisher}`);
    return `${parts.join('，')}。`;
  }
  const parts = [`Cover of ${metadata.journal}, ${metadata.issue}`];
  if (articles.length > 0) {
    parts.push(`listing ${articles.map((a) => (a.authors.length > 0 ? `${a.title} by ${a.authors.join(', ')}` : a.title)).join('; ')}`);
  }
  if (metadata.publisher) parts.push(`published by ${metadata.publisher}`);
  return `${parts.join(', ')}.`;
}

/** Bumped when the rendering changes in a way the cover HTML does not show. */
const coverFormat = 'folio-cover-1';

/** The versions of the font packages the cover HTML loads by file URL (their files are not in the HTML). */
async function fontVersions(): Promise<string> {
  const versions = await Promise.all(
    ['@fontsource/noto-serif/package.json', '@fontsource/noto-serif-sc/package.json'].map(async (name) => {
      try {
        return `${name}@${(JSON.parse(await readFile(require.resolve(name), 'utf8')) as { version?: string }).version ?? '?'}`;
      } catch {
        return `${name}@?`;
      }
    }),
  );
  return versions.join(' ');
}

/** Whether bytes are a whole PNG: the signature first and the IEND chunk last (a cut-short file is not). */
function wholePng(data: Buffer): boolean {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const end = Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  return data.length > 64 && data.subarray(0, 8).equals(signature) && data.subarray(data.length - 8).equals(end);
}

/**
 * Renders the cover to PNG with headless Chromium. Throws when Chromium cannot run. With a
 * cache folder, a cover rendered before from the same HTML, fonts and Chromium is reused and
 * no browser is started (`reused` says which).
 */
export async function renderCover(manuscript: Manuscript, metadata: PublicationMetadata, executablePath = chromiumPath(), cacheDir?: string, kept?: KeptBrowser): Promise<Cover & { reused: boolean }> {
  const html = await coverHtml(manuscript, metadata);
  const alt = coverAlt(manuscript, metadata);
  const chromium = cacheDir === undefined ? undefined : await chromiumIdentity(executablePath);
  const cached = cacheDir !== undefined && chromium !== undefined ? path.join(cacheDir, `cover-${cacheKey(coverFormat, html, chromium, await fontVersions())}.png`) : undefined;
  if (cached) {
    const data = await readFile(cached).catch(() => undefined);
    if (data && wholePng(data)) return { data, extension: 'png', mediaType: 'image/png', alt, reused: true };
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'folio-cover-'));
  const coverFile = path.join(workDir, 'cover.html');
  let png: Buffer;
  try {
    // A file page, so that it may load the bundled fonts from file: URLs.
    await writeFile(coverFile, html);
    const { browser, close } = await keptOrLaunched(kept, () => launchChromium({ chromePath: executablePath, timeoutMs: 60_000, ruleId: 'epub-004' }));
    try {
      const page = await browser.newPage();
      try {
        // The cover is made from metadata and local fonts only: refuse anything from the network.
        await page.setRequestInterception(true);
        page.on('request', (request) => {
          if (/^(file|data|about):/.test(request.url())) void request.continue();
          else void request.abort();
        });
        await page.setViewport({ width, height, deviceScaleFactor: 1 });
        await page.goto(pathToFileURL(coverFile).href, { waitUntil: 'load', timeout: 60_000 });
        await page.evaluate(async () => {
          await document.fonts.ready;
        });
        png = Buffer.from(await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width, height } }));
      } finally {
        // A kept browser outlives this cover: its tab goes now.
        await page.close().catch(() => undefined);
      }
    } finally {
      await close();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  if (cached && cacheDir !== undefined) {
    try {
      await writeFileAtomic(cached, png);
      // The whole book's, its editions' and every article's: a build's covers, and an edit's.
      await pruneEntries(cacheDir, /^cover-[0-9a-f]+\.png$/, 64);
    } catch {
      // A cache that cannot be written costs time, never the build.
    }
  }
  return { data: png, extension: 'png', mediaType: 'image/png', alt, reused: false };
}
