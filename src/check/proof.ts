/**
 * The proof an editor opens in a browser: for every printed page, the original text beside a
 * picture of the PDF page, words lost marked <del>, words added marked <ins>, problems listed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readSource } from '../import/source.js';
import type { FidelityReport, Stage } from './report.js';
import { words } from './words.js';

const run = promisify(execFile);

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

async function listImages(dir: string): Promise<Map<number, string>> {
  const images = new Map<number, string>();
  for (const name of await readdir(dir)) {
    const m = /^page-0*(\d+)\.png$/.exec(name);
    if (m) images.set(Number(m[1]), path.join(dir, name));
  }
  return images;
}

/**
 * Renders every PDF page to a PNG at the given resolution; returns the image path per page.
 * The images of the same PDF (by content) at the same resolution are reused: rendering them
 * is most of the check's time.
 */
export async function renderPageImages(pdf: string, dir: string, resolution = 50): Promise<Map<number, string>> {
  const { stdout } = await run('pdfinfo', [pdf]);
  const count = Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
  const stamp = `${createHash('sha256').update(await readFile(pdf)).digest('hex')} ${resolution}\n`;
  const stampFile = path.join(dir, '.rendered-from');
  const previous = await readFile(stampFile, 'utf8').catch(() => '');
  if (previous === stamp) {
    const images = await listImages(dir);
    if (images.size === count) return images;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // One pdftoppm per core, each on its own run of pages. pdftoppm pads the page number to the
  // width of the document's page count whatever the range, so the names agree across runs.
  const workers = Math.max(1, Math.min(availableParallelism(), count));
  const per = Math.ceil(count / workers);
  const runs: Promise<unknown>[] = [];
  for (let first = 1; first <= count; first += per) {
    const last = Math.min(count, first + per - 1);
    runs.push(run('pdftoppm', ['-r', String(resolution), '-png', '-f', String(first), '-l', String(last), pdf, path.join(dir, 'page')], { maxBuffer: 1 << 26 }));
  }
  await Promise.all(runs);
  await writeFile(stampFile, stamp);
  return listImages(dir);
}

/**
 * Marks, in the original text, the words an output lost: each lost word is matched to its
 * last occurrence not yet marked, so a page that lost its end shows the end struck out.
 */
function markLost(text: string, lost: readonly string[]): string {
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

/** Writes the proof: HTML beside its page images. Returns the HTML file. */
export async function writeProof(report: FidelityReport, options: { file: string; pdf?: string; imagesDir: string; sourceFile?: string; pageRanges?: { page: number; startLine: number; endLine: number }[] }): Promise<string> {
  const images = options.pdf ? await renderPageImages(options.pdf, options.imagesDir) : new Map<number, string>();
  let lines: { text: string }[] = [];
  if (options.sourceFile) lines = readSource(await readFile(options.sourceFile), options.sourceFile).lines;
  const ranges = new Map((options.pageRanges ?? []).map((r) => [r.page, r]));
  const stageNames: Stage[] = ['manuscript', 'pdf', 'epub'];
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
  await writeFile(options.file, out.join('\n'));
  return options.file;
}
