/**
 * The proof an editor opens in a browser: for every printed page, the original text beside a
 * picture of the PDF page, words lost marked <del>, words added marked <ins>, problems listed.
 */
import { execFile } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheKey, writeFileAtomic } from '../session/index.js';
import { readSource } from '../import/source.js';
import { readPdfObjects } from './pdf-objects.js';
import { encodePng, readPpm } from './png.js';
import type { FidelityReport, Stage } from './report.js';
import { words } from './words.js';

const run = promisify(execFile);

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const pngEnd = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * True when a file is a whole PNG: its signature first and its end chunk last (a render cut
 * short has none). Read synchronously: a few bytes of each image, far cheaper so than 167
 * rounds of asynchronous opens and reads.
 */
function isWholePng(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const { size } = fstatSync(fd);
    if (size < pngSignature.length + pngEnd.length) return false;
    const head = Buffer.alloc(pngSignature.length);
    const tail = Buffer.alloc(pngEnd.length);
    readSync(fd, head, 0, head.length, 0);
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return head.equals(pngSignature) && tail.equals(pngEnd);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The images folder, made when missing; whatever stands in its place (a file) is removed first. */
async function imagesFolder(dir: string): Promise<void> {
  const found = await stat(dir).catch(() => undefined);
  if (found && !found.isDirectory()) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

/** The version pdftoppm prints: another poppler may draw a page otherwise. */
async function pdftoppmVersion(): Promise<string> {
  const { stdout, stderr } = await run('pdftoppm', ['-v']);
  return /pdftoppm version (\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? 'unknown';
}

/**
 * Cuts the pages to render into at most `workers` shares of about as many pages, each a list of
 * runs of consecutive pages, none longer than `longest` (the pages of one pdftoppm call: its
 * uncompressed images wait on disk until they are encoded). Pages with at most `gap` pages
 * between them share a run: drawing a page or two more costs less than starting pdftoppm again.
 */
export function renderShares(pages: readonly number[], workers: number, longest = 24, gap = 2): { first: number; last: number }[][] {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const shares: { first: number; last: number }[][] = [];
  const per = Math.ceil(sorted.length / Math.max(1, workers));
  for (let i = 0; i < sorted.length; i += per) {
    const share: { first: number; last: number }[] = [];
    for (const page of sorted.slice(i, i + per)) {
      const last = share.at(-1);
      if (last && page - last.last <= gap + 1 && page - last.first < longest) last.last = page;
      else share.push({ first: page, last: page });
    }
    shares.push(share);
  }
  return shares;
}

/** Page images of a PDF, and which pages were drawn this time. */
export interface PageImages {
  /** The image of each page (1-based), named by the page's key. */
  images: Map<number, string>;
  /** Pages rendered this time; every other page's image was already there. */
  rendered: number[];
}

/** Options of `renderPageImages`. */
export interface PageImageOptions {
  /** Per page, the digest of what it is drawn from (`readPdfObjects`); read from the PDF when left out. */
  pageDigests?: readonly string[];
  /** Dots per inch (default 50). */
  resolution?: number;
  /** Stops the renderers. */
  signal?: AbortSignal;
}

/**
 * Renders the PDF's pages to PNG, each named by a key of what the page is drawn from (its
 * digest), the resolution and the renderer: a page whose key has a whole image already is not
 * drawn again, so after an edit only the pages that changed are. The pages to draw go to
 * pdftoppm in runs of consecutive pages, a share of the runs per core; each page it draws (a
 * PPM) is encoded as PNG here (`encodePng`) and moved into place whole. Images no page uses
 * any more are removed, and anything else in the folder with them.
 */
export async function renderPageImages(pdf: string, dir: string, options: PageImageOptions = {}): Promise<PageImages> {
  const resolution = options.resolution ?? 50;
  const [digests, version] = await Promise.all([options.pageDigests ?? readFile(pdf).then(async (bytes) => (await readPdfObjects(bytes)).pageDigests), pdftoppmVersion()]);
  const keys = digests.map((d) => cacheKey(d, String(resolution), 'ppm pdftoppm', version, 'png-v1'));
  await imagesFolder(dir);
  const imageOf = (key: string): string => path.join(dir, `${key}.png`);
  // A key's image is drawn from the first page that has it; pages alike share it.
  const firstPage = new Map<string, number>();
  keys.forEach((key, i) => firstPage.set(key, firstPage.get(key) ?? i + 1));
  const missing = new Map<string, number>();
  for (const [key, page] of firstPage) if (!isWholePng(imageOf(key))) missing.set(key, page);

  const placed = new Set<string>();
  if (missing.size > 0) {
    const work = await mkdtemp(path.join(dir, '.rendering-'));
    const encoded: Promise<void>[] = [];
    let failed: { error: unknown } | undefined;
    try {
      // A page's PPM becomes its PNG while pdftoppm draws the next run; the PNG is moved into place whole.
      const encode = async (ppm: string, key: string): Promise<void> => {
        const png = path.join(work, `${key}.png`);
        await writeFile(png, await encodePng(readPpm(await readFile(ppm))));
        await rm(ppm);
        await rm(imageOf(key), { recursive: true, force: true });
        await rename(png, imageOf(key));
        placed.add(key);
      };
      await Promise.all(
        renderShares([...missing.values()], availableParallelism()).map(async (share, k) => {
          for (const { first, last } of share) {
            const prefix = `${k}-${first}`;
            await run('pdftoppm', ['-r', String(resolution), '-f', String(first), '-l', String(last), pdf, path.join(work, prefix)], { maxBuffer: 1 << 26, ...(options.signal ? { signal: options.signal } : {}) });
            // pdftoppm names a page `<prefix>-<page>.ppm`, the number padded to the width of the page count.
            for (const name of await readdir(work)) {
              const match = new RegExp(`^${prefix}-(\\d+)\\.ppm$`).exec(name);
              if (!match) continue;
              const page = Number(match[1]);
              const key = keys[page - 1];
              // A page drawn only because it lies between two that are wanted is dropped.
              const done = key !== undefined && missing.get(key) === page ? encode(path.join(work, name), key) : rm(path.join(work, name));
              encoded.push(done.catch((error: unknown) => void (failed ??= { error })));
            }
          }
        }),
      );
    } finally {
      // Nothing is left writing into the folder, whatever stopped the renderers.
      await Promise.all(encoded);
      await rm(work, { recursive: true, force: true });
    }
    if (failed) throw failed.error;
  }

  const used = new Set(keys.map((key) => `${key}.png`));
  await Promise.all((await readdir(dir)).filter((name) => !used.has(name)).map((name) => rm(path.join(dir, name), { recursive: true, force: true })));
  const images = new Map<number, string>();
  keys.forEach((key, i) => images.set(i + 1, imageOf(key)));
  const unrendered = [...missing].find(([key]) => !placed.has(key));
  if (unrendered) throw new Error(`Unexpected page ${unrendered[1]} without an image from pdftoppm, expected one per page`);
  return { images, rendered: [...missing.values()].sort((a, b) => a - b) };
}

/**
 * Marks, in the original text, the words an output lost: each lost word is matched to its
 * last occurrence not yet marked, so a page that lost its end shows the end struck out.
 */
function markLost(text: string, lost: readonly string[]): string {
  if (lost.length === 0) return escapeHtml(text);
  const pieces = text.split(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}\p{M}])+)/u);
  const want = new Map<string, number>();
  for (const w of lost) want.set(w, (want.get(w) ?? 0) + 1);
  const marked = new Set<number>();
  for (let i = pieces.length - 1; i >= 0; i -= 1) {
    const token = words(pieces[i] ?? '')[0];
    if (i % 2 === 1 && token !== undefined && (want.get(token) ?? 0) > 0) {
      want.set(token, (want.get(token) ?? 0) - 1);
      marked.add(i);
    }
  }
  return pieces.map((p, i) => (marked.has(i) ? `<del>${escapeHtml(p)}</del>` : escapeHtml(p))).join('');
}

/** Writes the proof: HTML beside the page images given (`renderPageImages`). Returns the HTML file. */
export async function writeProof(report: FidelityReport, options: { file: string; images?: ReadonlyMap<number, string>; sourceFile?: string; pageRanges?: { page: number; startLine: number; endLine: number }[] }): Promise<string> {
  const images = options.images ?? new Map<number, string>();
  let lines: { text: string }[] = [];
  if (options.sourceFile) lines = readSource(await readFile(options.sourceFile), options.sourceFile).lines;
  const ranges = new Map((options.pageRanges ?? []).map((r) => [r.page, r]));
  const stageNames: Stage[] = ['manuscript', 'pdf', 'epub', 'reader'];
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8" />');
  out.push(`<title>Fidelity proof: ${escapeHtml(`${report.issue.journal}, ${report.issue.issue}`)}</title>`);
  out.push(`<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
header { margin-bottom: 1rem; }
.page { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 1rem; border-top: 1px solid #ccc; padding: 1rem 0; }
.page.unfaithful h2 { color: #b00; }
.original { white-space: pre-wrap; font-family: Georgia, serif; font-size: 0.85rem; line-height: 1.35; }
img { border: 1px solid #999; max-width: 300px; }
del { background: #fcc; } ins { background: #cfc; text-decoration: none; }
.problems { color: #b00; }
nav a { margin-right: 0.3rem; } nav a.bad { color: #b00; font-weight: bold; }
</style>`);
  out.push('</head>', '<body>', '<header>');
  out.push(`<h1>${escapeHtml(`${report.issue.journal}, ${report.issue.issue}`)}: fidelity proof</h1>`);
  out.push(`<p>${report.pagesChecked} pages checked, ${report.pagesFaithful} faithful; ${report.wordsLost} words lost, ${report.wordsAdded} added.</p>`);
  out.push('<nav>', ...report.pages.map((p) => `<a href="#p${p.page}"${p.faithful ? '' : ' class="bad"'}>${p.page}</a>`), '</nav>', '</header>');
  for (const p of report.pages) {
    const range = ranges.get(p.page);
    const original = range ? lines.slice(range.startLine - 1, range.endLine).map((l) => l.text).join('\n') : '';
    // A word two outputs both lost is struck once: the most any one output lost of it.
    const most = new Map<string, number>();
    for (const s of stageNames) {
      const counts = new Map<string, number>();
      for (const w of p.stages[s]?.lost ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
      for (const [w, c] of counts) most.set(w, Math.max(most.get(w) ?? 0, c));
    }
    const lost = [...most].flatMap(([w, c]) => new Array<string>(c).fill(w));
    out.push(`<section class="page${p.faithful ? '' : ' unfaithful'}" id="p${p.page}">`, '<div>');
    out.push(`<h2>Page ${p.page}${p.faithful ? '' : ' — differs'}</h2>`);
    for (const s of stageNames) {
      const st = p.stages[s];
      if (!st || st.faithful) continue;
      out.push(`<p class="problems"><b>${s}</b>: ${st.lost.length} lost, ${st.added.length} added${st.added.length > 0 ? `: ${st.added.map((w) => `<ins>${escapeHtml(w)}</ins>`).join(' ')}` : ''}</p>`);
      if (st.problems.length > 0) out.push('<ul class="problems">', ...st.problems.map((x) => `<li>${escapeHtml(x)}</li>`), '</ul>');
    }
    out.push(`<div class="original">${markLost(original, lost)}</div>`, '</div>');
    const image = images.get(p.page);
    out.push(image ? `<img src="${escapeHtml(path.relative(path.dirname(options.file), image).split(path.sep).join('/'))}" alt="PDF page ${p.page}" loading="lazy" />` : '<div></div>');
    out.push('</section>');
  }
  out.push('</body>', '</html>', '');
  await writeFileAtomic(options.file, out.join('\n'));
  return options.file;
}
