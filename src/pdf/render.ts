/**
 * The PDF stage: the manuscript to print HTML, paginated by Paged.js in Chromium, printed,
 * finished with pdf-lib and written atomically. Pagination is a facsimile: PDF page N holds
 * printed page N. Every printed page begins with a forced break, so the issue is cut into
 * chunks where a chapter opens a page. Chunks not in the cache that follow one another are
 * laid out as one Paged.js flow of a bounded length (one browser, a context per flow, a few at
 * once), starting at its own folio, and cut back into chunks; the pages are joined with
 * pdf-lib. A printed page whose text spills over is copyfitted, step by step within the
 * ladder's limits, and only its chunk laid out again. A chunk's pages are kept in the cache folder under a hash
 * of its document, styles, templates, fonts and runtime, so an edit lays out only its chunk.
 */
import { toString } from 'hast-util-to-string';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { loadManuscript, type Manuscript } from '../manuscript/index.js';
import { FolioError, hasErrors, message, type Message } from '../messages.js';
import { bundledFamilies, copyPrintAssets, pagedPolyfillPath, projectDir } from './assets.js';
import { type KeptBrowser, keptOrLaunched, writeFileAtomic, cacheKey } from '../session/index.js';
import { launchChromium, openPrintPage, withWatchdog, type PrintBrowser } from './browser.js';
import { describeLevel, maxCopyfitLevel } from './copyfit.js';
import { cleanPrintedPdf, finishPdf, type OutlineItem, type PdfPart } from './post-process.js';
import { buildPrintHtml, chunkPadPages, printChunks, renderIssueInTurns, type PrintChunk, type RenderedIssue } from './print-document.js';

/** Options of `renderPdf`. */
export interface RenderPdfOptions {
  /** The manuscript folder (issue.yaml, chapters/). */
  manuscriptDir: string;
  /** The PDF to write. */
  out: string;
  /** Where the print HTML and its assets go (default: the PDF's folder). */
  buildDir?: string;
  /** Chromium to run (default: CHROME_PATH, then /usr/bin/chromium). */
  chromePath?: string;
  /** Watchdog for each stage, in milliseconds (default 10 minutes). */
  stageTimeoutMs?: number;
  /**
   * Told after each page Paged.js lays out: pages done in this layout pass, out of the pages
   * the issue should have. A copyfit pass starts again from 1.
   */
  onProgress?: (done: number, total: number) => void;
  /** Justify a page's last line only when it is at least this full (default `pageEndFill`; 0: always). */
  pageEndFill?: number;
  /** Where rendered chunks are kept between builds (default `<buildDir>/cache/pdf`). */
  cacheDir?: string;
  /** Chunks laid out at once, each in its own browser context (default: the cores, at most 4). */
  jobs?: number;
  /**
   * The fewest printed pages a chunk holds (default `chunkPages`); chunks are cut only where a
   * chapter opens a page. Smaller chunks cache finer, larger ones start Paged.js less often.
   */
  chunkPages?: number;
  /** The most pages laid out in one Paged.js flow (default `flowPages`). */
  flowPages?: number;
  /** A print browser kept between builds (`launchChromium` of ./browser.js): used, not closed. */
  browser?: KeptBrowser;
}

/** How one chunk of the issue was come by: laid out in this run, or reused from the cache. */
export interface ChunkReport {
  firstFolio: number;
  lastFolio: number;
  /** Slugs of its chapters. */
  chapters: string[];
  /** True when laid out in this run; false when its pages came from the cache. */
  rendered: boolean;
  /** Layout passes it took in this run (0 when reused). */
  passes: number;
}

/**
 * How full (as a share of the measure) the last line of a page-ending paragraph must be to be
 * justified like a full line; shorter ones stay ragged rather than spaced out. Our measure is
 * not the original's, so that line is often short: on the bundled issue about 30 of 139 such
 * lines are justified at this default, all of them at 0.
 */
export const pageEndFill = 0.85;

/**
 * The fewest printed pages in a chunk by default: 1, so every chapter that opens a page is a
 * chunk of its own. A chunk is the unit of the cache and of a copyfit pass, not of layout:
 * chunks not in the cache are laid out together in flows (`flowPages`), so small chunks cost a
 * cold build nothing, while an edit lays out only its chapter's pages again.
 */
export const chunkPages = 1;

/**
 * The most printed pages laid out in one Paged.js flow when chunks not in the cache follow one
 * another: fewer flows start Paged.js less often, short ones keep the time per page flat.
 */
export const flowPages = 160;

/** Facts about one laid-out page, as the browser reported them. */
export interface PageFacts {
  index: number;
  starts: number[];
  folios: number[];
  clipped: number[];
  headings: Array<{ level: number; text: string; top: number; chapter: number }>;
  opening: boolean;
  height: number;
  fill: number;
}

/** The outcome: the page count (0 when no PDF was written), the messages, and measurements. */
export interface RenderPdfResult {
  pages: number;
  messages: Message[];
  /** The print HTML that was paginated, beside its assets. */
  printHtml?: string;
  /** Copyfit level per printed page that needed one. */
  copyfit: Map<number, number>;
  /** Most layout passes any chunk took in this run (1 when no page needed copyfitting, 0 when all were cached). */
  passes: number;
  /** The chunks, in page order, and whether each was laid out or reused. */
  chunks: ChunkReport[];
  /** Wall-clock seconds per stage. */
  timings: Record<string, number>;
  /** Facts of every page of the last layout pass. */
  layout: PageFacts[];
}

/** The slug of an issue's files: journal and issue, lowercase words joined by hyphens. */
export function issueSlug(manuscript: Manuscript): string {
  return `${manuscript.issue.journal} ${manuscript.issue.issue}`
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Renders the issue in `manuscriptDir` to a PDF at `out`. Problems come back as messages. */
export async function renderPdf(options: RenderPdfOptions): Promise<RenderPdfResult> {
  const timings: Record<string, number> = {};
  const result: RenderPdfResult = { pages: 0, messages: [], copyfit: new Map(), passes: 0, chunks: [], timings, layout: [] };
  const time = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + Math.round(performance.now() - started) / 1000;
    }
  };
  const loaded = await loadManuscript(options.manuscriptDir);
  result.messages.push(...loaded.messages);
  if (!loaded.manuscript || hasErrors(loaded.messages)) return result;
  const manuscript = loaded.manuscript;
  const out = path.resolve(options.out);
  const buildDir = path.resolve(options.buildDir ?? path.dirname(out));
  const stageMs = options.stageTimeoutMs ?? 600_000;
  const cacheDir = path.resolve(options.cacheDir ?? path.join(buildDir, 'cache', 'pdf'));
  const fill = options.pageEndFill ?? pageEndFill;
  const chrome = options.chromePath ?? process.env.CHROME_PATH ?? '';
  const launchOptions = options.chromePath === undefined ? { timeoutMs: stageMs } : { chromePath: options.chromePath, timeoutMs: stageMs };
  // Chromium starts while the HTML is made, unless this very manuscript was rendered last time
  // (then most likely every chunk is in the cache and no browser is needed at all).
  let launching: Promise<PrintBrowser> | undefined;
  const launch = () => (launching ??= keptOrLaunched(options.browser, () => launchChromium(launchOptions)));
  let closing: Promise<void> | undefined;
  const warmMark = path.join(cacheDir, `rendered-${cacheKey(JSON.stringify(manuscript.issue), ...manuscript.chapters.map((c) => c.markdown), String(fill), chrome)}`);
  if (!existsSync(warmMark)) launch().catch(() => undefined);
  try {
    return await renderWith();
  } finally {
    // However the render ended, a browser it started is closed (a failed launch closes itself).
    await (closing ?? launching?.then((browser) => browser.close(), () => undefined));
  }

  async function renderWith(): Promise<RenderPdfResult> {
    // The fonts are copied while the chapters are rendered.
    const assetsCopied = copyPrintAssets(buildDir);
    assetsCopied.catch(() => undefined);
    // A chapter at a time, the event loop let through in between: Chromium's launch, under way,
    // needs it to finish its start.
    const issue = await time('html', () => renderIssueInTurns(manuscript));
    result.messages.push(...issue.messages);
    if (hasErrors(issue.messages)) return result;

    const assets = await time('assets', () => assetsCopied);
    const printHtml = path.join(buildDir, `${issueSlug(manuscript)}.print.html`);
    result.printHtml = printHtml;

    await mkdir(cacheDir, { recursive: true });
    const templateDir = path.join(projectDir, 'templates', 'print');
    // Chunk documents live in the cache folder, two levels below the assets they link to.
    const up = path.relative(cacheDir, buildDir).split(path.sep).join('/');
    const chunkAssets = { templateDir, fontStylesheets: assets.fontStylesheets.map((href) => `${up}/${href}`), printStylesheet: `${up}/${assets.printStylesheet}` };
    const shared = await time('assets', () => sharedKey(buildDir, templateDir, fill, chrome));
    const chunks = printChunks(issue, options.chunkPages ?? chunkPages);
    const jobs = Math.max(1, options.jobs ?? Math.min(4, availableParallelism()));
    const pagesDone = new Map<number, number>();
    const progress = (chunk: PrintChunk, done: number) => {
      pagesDone.set(chunk.firstFolio, done);
      options.onProgress?.([...pagesDone.values()].reduce((a, b) => a + b, 0), manuscript.issue.pages);
    };

    try {
      // A launch that finishes after the watchdog gave up is closed by renderPdf all the same.
      let browserReady: Promise<PrintBrowser> | undefined;
      const browser = () => (browserReady ??= time('launch', () => withWatchdog('launch Chromium', stageMs, launch)));

      // The glyph check: every character once, in the issue's styles. It runs in the first page
      // laid out in this run, once that page is printed (its fonts are loaded already); only when
      // nothing is laid out does it get a page of its own.
      const probe = glyphProbe(manuscript, issue);
      const glyphKey = cacheKey(shared, JSON.stringify(probe));
      const glyphFile = path.join(cacheDir, `glyphs-${glyphKey}.json`);
      // `at`: the first folio of the flow to run it in, the shortest, which ends first.
      const glyphs: { missing?: Array<{ char: string; lang: string }>; claimed: boolean; at?: number | undefined } = { claimed: false };
      const cachedGlyphs = await readJson<Array<{ char: string; lang: string }>>(glyphFile);
      if (Array.isArray(cachedGlyphs)) glyphs.missing = cachedGlyphs;
      const checkGlyphs = async (page: Page, span?: PrintChunk) => {
        if (glyphs.missing || glyphs.claimed || (span && glyphs.at !== undefined && span.firstFolio !== glyphs.at)) return;
        glyphs.claimed = true;
        glyphs.missing = await time('glyphs', () => withWatchdog('check glyph coverage', stageMs, () => findMissingGlyphs(page, probe)));
        await writeFile(glyphFile, JSON.stringify(glyphs.missing));
      };
      const glyphPage = async () => {
        const html = await buildPrintHtml(manuscript, issue, chunkAssets, new Map(), { from: 0, to: 0, firstFolio: 1, lastFolio: 1 });
        const file = path.join(cacheDir, `glyphs-${glyphKey}.html`);
        await writeFile(file, html);
        const context = await (await browser()).browser.createBrowserContext();
        try {
          const { page } = await openPrintPage(context, buildDir, printScripts());
          await withWatchdog('load the glyph check', stageMs, () => page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: stageMs }));
          await page.addScriptTag({ url: pathToFileURL(runtimePath).href });
          await checkGlyphs(page);
        } finally {
          await context.close();
          await rm(file, { force: true });
        }
      };

      /**
       * Lays out a span of the issue (one chunk, or several in a row) in its own browser context,
       * copyfitting it pass by pass unless `once`: then a spill is handed back at once.
       */
      const layOut = async (span: PrintChunk, designed: string, file: string, once: boolean): Promise<{ facts: PageFacts[]; fit: Map<number, number>; passes: number; failed: number[]; blocked: string[]; pdf?: Uint8Array; spilled?: boolean }> => {
        const fit = new Map<number, number>();
        const pad = chunkPadPages(span);
        const context = await (await browser()).browser.createBrowserContext();
        const name = `pages ${span.firstFolio}–${span.lastFolio}`;
        // Paged.js loads only the faces the text needs, unless a layout showed that was not enough.
        let allFaces = false;
        try {
          for (let passes = 1; ; passes += 1) {
            await writeFile(file, fit.size === 0 ? designed : await buildPrintHtml(manuscript, issue, chunkAssets, fit, span));
            const { page, problems, blocked } = await openPrintPage(context, buildDir, printScripts());
            const pass = `${name}, pass ${passes}`;
            await time('load', () => withWatchdog(`load the print HTML (${pass})`, stageMs, () => page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: stageMs })));
            await page.addScriptTag({ url: pathToFileURL(runtimePath).href });
            await page.addScriptTag({ url: pathToFileURL(pagedPolyfillPath()).href });
            // A pad page is not a printed page: nothing to tell until the first printed one is laid out.
            if (options.onProgress) await page.exposeFunction('folioPageRendered', (done: number) => (done > pad ? progress(span, done - pad) : undefined));
            const laid = await time('paginate', () =>
              withWatchdog(`paginate with Paged.js (${pass})`, stageMs, () => page.evaluate(`window.folioPrint.paginate(${JSON.stringify({ pageEndFill: fill, allFaces })})`) as Promise<{ facts: PageFacts[]; lateFaces: number }>),
            );
            if (problems.length > 0) {
              throw new FolioError(problems.map((p) => message('pdf-003', `Unexpected browser problem while paginating ${name}: ${p}, expected a clean layout`)));
            }
            if (laid.lateFaces > 0 && !allFaces) {
              // A face arrived while pages were being measured: lay out again with every face loaded first.
              await page.close();
              allFaces = true;
              continue;
            }
            const facts = laid.facts.slice(pad).map((f, i) => ({ ...f, index: i + 1 }));
            const spilled = overflowingFolios(facts);
            if (once && (spilled.size > 0 || facts.length !== span.lastFolio - span.firstFolio + 1)) {
              await page.close();
              return { facts, fit, passes, failed: [], blocked, spilled: true };
            }
            if (spilled.size > 0) {
              await page.close();
              const failed: number[] = [];
              for (const [folio, excess] of spilled) {
                // A page far over (a fifth of a page or more) skips a rung: fewer passes, same limits.
                const current = fit.get(folio) ?? 0;
                if (current >= maxCopyfitLevel) failed.push(folio);
                else fit.set(folio, Math.min(maxCopyfitLevel, current + (excess >= 0.2 ? 2 : 1)));
              }
              if (failed.length > 0) return { facts, fit, passes, failed, blocked };
              continue;
            }
            const printed = await time('print', () =>
              withWatchdog(`print to PDF (${name})`, stageMs, () => page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true, timeout: stageMs, ...(pad > 0 ? { pageRanges: `${pad + 1}-` } : {}) })),
            );
            const pdf = await time('clean', () => cleanPrintedPdf(printed));
            await checkGlyphs(page, span);
            await page.close();
            return { facts, fit, passes, failed: [], blocked, pdf };
          }
        } finally {
          await context.close();
        }
      };

      // Each chunk on its own (and copyfitted), caching its pages under its key.
      const renderChunk = async (chunk: PrintChunk, designed: string, key: string): Promise<ChunkOutcome> => {
        const laid = await layOut(chunk, designed, path.join(cacheDir, `${key}.html`), false);
        if (!laid.pdf) return { chunk, rendered: true, facts: laid.facts, fit: laid.fit, passes: laid.passes, failed: laid.failed, blocked: laid.blocked };
        const pdfFile = `${key}.pdf`;
        await writeFile(path.join(cacheDir, pdfFile), laid.pdf);
        await writeFile(path.join(cacheDir, `${key}.json`), JSON.stringify({ facts: laid.facts, fit: [...laid.fit], pdf: pdfFile, first: 0 } satisfies CachedChunk));
        return { chunk, rendered: true, pdf: { bytes: laid.pdf, first: 0, count: laid.facts.length }, facts: laid.facts, fit: laid.fit, passes: laid.passes, failed: [], blocked: laid.blocked };
      };

      // Chunks not in the cache, in a row, laid out as one flow (each flow starts Paged.js once)
      // and cut back into chunks for the cache; a flow with a spill is laid out chunk by chunk.
      const renderFlow = async (flow: Array<{ chunk: PrintChunk; designed: string; key: string }>): Promise<ChunkOutcome[]> => {
        const first = flow[0];
        const last = flow[flow.length - 1];
        if (!first || !last) return [];
        if (flow.length === 1) return [await renderChunk(first.chunk, first.designed, first.key)];
        const span: PrintChunk = { from: first.chunk.from, to: last.chunk.to, firstFolio: first.chunk.firstFolio, lastFolio: last.chunk.lastFolio };
        const key = cacheKey(...flow.map((f) => f.key));
        const designed = await buildPrintHtml(manuscript, issue, chunkAssets, new Map(), span);
        const laid = await layOut(span, designed, path.join(cacheDir, `flow-${key}.html`), true);
        if (!laid.pdf) {
          const outcomes: ChunkOutcome[] = [];
          for (const item of flow) outcomes.push(await renderChunk(item.chunk, item.designed, item.key));
          return outcomes;
        }
        const pdfFile = `flow-${key}.pdf`;
        await writeFile(path.join(cacheDir, pdfFile), laid.pdf);
        const outcomes: ChunkOutcome[] = [];
        for (const item of flow) {
          const at = item.chunk.firstFolio - span.firstFolio;
          const facts = laid.facts.slice(at, at + item.chunk.lastFolio - item.chunk.firstFolio + 1).map((f, i) => ({ ...f, index: i + 1 }));
          await writeFile(path.join(cacheDir, `${item.key}.json`), JSON.stringify({ facts, fit: [], pdf: pdfFile, first: at } satisfies CachedChunk));
          outcomes.push({ chunk: item.chunk, rendered: true, pdf: { bytes: laid.pdf, first: at, count: facts.length }, facts, fit: new Map(), passes: laid.passes, failed: [], blocked: laid.blocked });
        }
        return outcomes;
      };

      const chunkWork = async (): Promise<ChunkOutcome[]> => {
        const outcomes = new Map<PrintChunk, ChunkOutcome>();
        const pdfs = new Map<string, Uint8Array>();
        // Runs of chunks not in the cache, in page order; a cached chunk ends a run.
        const runs: Array<Array<{ chunk: PrintChunk; designed: string; key: string }>> = [];
        let open = false;
        for (const chunk of chunks) {
          const designed = await buildPrintHtml(manuscript, issue, chunkAssets, new Map(), chunk);
          const key = cacheKey(shared, designed);
          const entry = await readJson<CachedChunk>(path.join(cacheDir, `${key}.json`));
          // An entry written by another version of Folio, or cut short, is a miss, never an error.
          const cached = entry && typeof entry.pdf === 'string' && Array.isArray(entry.facts) && Array.isArray(entry.fit) && typeof entry.first === 'number' ? entry : undefined;
          const file = cached ? path.join(cacheDir, cached.pdf) : undefined;
          const bytes = file ? (pdfs.get(file) ?? (await readFile(file).catch(() => undefined))) : undefined;
          if (cached && file && bytes) {
            pdfs.set(file, bytes);
            progress(chunk, cached.facts.length);
            outcomes.set(chunk, { chunk, rendered: false, pdf: { bytes, first: cached.first, count: cached.facts.length }, facts: cached.facts, fit: new Map(cached.fit), passes: 0, failed: [], blocked: [] });
            open = false;
            continue;
          }
          if (open) runs.at(-1)?.push({ chunk, designed, key });
          else runs.push([{ chunk, designed, key }]);
          open = true;
        }
        const flows = planFlows(runs, jobs, options.flowPages ?? flowPages);
        const pagesOf = (flow: (typeof flows)[number]) => flow.reduce((sum, item) => sum + item.chunk.lastFolio - item.chunk.firstFolio + 1, 0);
        glyphs.at = [...flows].sort((a, b) => pagesOf(a) - pagesOf(b))[0]?.[0]?.chunk.firstFolio;
        for (const list of await inPool(flows, jobs, renderFlow)) for (const outcome of list) outcomes.set(outcome.chunk, outcome);
        return chunks.map((chunk) => outcomes.get(chunk) as ChunkOutcome);
      };

      const outcomes = await time('chunks', () => chunkWork());
      if (!glyphs.missing) await glyphPage();
      // The browser is done with: its memory is given back while the pages are joined.
      closing = launching?.then((chromium) => chromium.close(), () => undefined);
      for (const { char, lang } of glyphs.missing ?? []) {
        const code = char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? '?';
        result.messages.push(
          message('pdf-007', `Unexpected character \`${char}\` (U+${code}) without a glyph in the bundled fonts for \`${lang}\`, expected ${bundledFamilies.join(', ')} to cover it`, placeOf(char, manuscript)),
        );
      }
      const facts: PageFacts[] = [];
      for (const outcome of outcomes) {
        for (const [folio, level] of outcome.fit) result.copyfit.set(folio, level);
        for (const url of new Set(outcome.blocked)) result.messages.push(message('pdf-010', `Unexpected request to \`${url}\` (blocked), expected only files of the build folder`));
        result.passes = Math.max(result.passes, outcome.passes);
        result.chunks.push({ firstFolio: outcome.chunk.firstFolio, lastFolio: outcome.chunk.lastFolio, chapters: issue.chapters.slice(outcome.chunk.from, outcome.chunk.to).map((c) => c.slug), rendered: outcome.rendered, passes: outcome.passes });
        const offset = facts.length;
        facts.push(...outcome.facts.map((f) => ({ ...f, index: f.index + offset })));
      }
      result.layout = facts;
      // The whole issue's print HTML, with the levels settled on: for another engine, and the preview.
      await time('print html', async () => writeFile(printHtml, await buildPrintHtml(manuscript, issue, { templateDir, ...assets }, result.copyfit)));
      const failed = outcomes.flatMap((o) => o.failed).sort((a, b) => a - b);
      if (failed.length > 0) {
        result.messages.push(...failed.map((folio) => pageMessage('pdf-004', `Unexpected overflow: the text of printed page ${folio} does not fit its PDF page even at the copyfit limit (${describeLevel(maxCopyfitLevel)}), expected it to fit; shorten or split the page`, folio, issue)));
        return result;
      }
      result.messages.push(...checkPages(facts, manuscript, issue));
      for (const [folio, level] of [...result.copyfit.entries()].sort((a, b) => a[0] - b[0])) {
        result.messages.push(pageMessage('pdf-005', `Copyfitted printed page ${folio} to hold its text: ${describeLevel(level)}`, folio, issue));
      }
      if (hasErrors(result.messages)) return result;
      const finished = await time('finish', () => finishPdf(outcomes.map((o) => o.pdf as PdfPart), pdfFacts(manuscript, issue, facts)));
      await time('write', () => writeAtomically(out, finished));
      result.pages = facts.length;
      await writeFile(warmMark, '').catch(() => undefined);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0] ?? '';
      if (error instanceof FolioError) result.messages.push(...error.messages);
      // A DevTools call that timed out is the browser hanging: a timeout, like the watchdog's.
      else if (['ProtocolError', 'TimeoutError'].includes((error as Error).name) && /timed? ?out/iu.test(reason)) {
        const stage = Object.keys(timings).at(-1) ?? 'render';
        result.messages.push(message('pdf-002', `Unexpected timeout in stage \`${stage}\` after ${Math.round(stageMs / 1000)} s, expected it to finish (${reason})`));
      } else result.messages.push(message('pdf-003', `Unexpected failure while rendering: ${reason}`));
    }
    return result;
  }
}

/** One chunk, rendered or taken from the cache. */
interface ChunkOutcome {
  chunk: PrintChunk;
  rendered: boolean;
  /** Its pages: `count` pages from page `first` (0-based) of a PDF; absent when a page did not fit. */
  pdf?: PdfPart;
  facts: PageFacts[];
  fit: Map<number, number>;
  passes: number;
  failed: number[];
  blocked: string[];
}

/** What the cache keeps of a chunk beside its PDF: its page facts and copyfit levels. */
interface CachedChunk {
  facts: PageFacts[];
  fit: Array<[number, number]>;
  /** The PDF in the cache folder holding its pages (its own, or its flow's), from page `first`. */
  pdf: string;
  first: number;
}

const runtimePath = path.join(projectDir, 'src', 'pdf', 'browser', 'print-runtime.js');
/**
 * The scripts put into a print page, by file URL: read by the browser itself rather than sent
 * over DevTools as a megabyte of text per layout.
 */
const printScripts = (): string[] => [runtimePath, pagedPolyfillPath()];

/**
 * What every chunk's rendering depends on besides its own document: the print stylesheet, the
 * font stylesheets and the fonts they name (by name and size), the templates, our runtime,
 * the Paged.js polyfill, the page-end setting and the browser.
 */
async function sharedKey(buildDir: string, templateDir: string, fill: number, chrome: string): Promise<string> {
  const files: string[] = [path.join(buildDir, 'print.css'), runtimePath, pagedPolyfillPath()];
  for (const name of await readdir(templateDir)) files.push(path.join(templateDir, name));
  const fonts = path.join(buildDir, 'fonts');
  const fontParts: string[] = [];
  for (const entry of await readdir(fonts, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (file.endsWith('.css')) files.push(file);
    else fontParts.push(`${path.relative(fonts, file)} ${(await stat(file)).size}`);
  }
  const contents = await Promise.all(files.sort().map((file) => readFile(file, 'utf8')));
  // v2: the pages are kept with their unused soft hyphens taken out; v3: those inside a
  // ligature's text too (a chunk cached before keeps them, so it is laid out again).
  return cacheKey(...contents, ...fontParts.sort(), String(fill), chrome, 'chunk-v3');
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Cuts runs of chunks to lay out into flows: as many flows as there are jobs (or more, when a
 * flow would pass `flowPages`), of about equal page counts, so the flows laid out at once end
 * together. A flow never spans two runs: a chunk from the cache lies between them.
 */
export function planFlows<T extends { chunk: PrintChunk }>(runs: readonly (readonly T[])[], jobs: number, maxPages: number): T[][] {
  const pages = (item: T) => item.chunk.lastFolio - item.chunk.firstFolio + 1;
  const total = runs.flat().reduce((sum, item) => sum + pages(item), 0);
  const target = Math.min(maxPages, Math.max(1, Math.ceil(total / Math.max(1, jobs))));
  const flows: T[][] = [];
  for (const run of runs) {
    let flow: T[] = [];
    let size = 0;
    for (const item of run) {
      const after = size + pages(item);
      // Close the flow before this chunk when that leaves it nearer the target than adding it would.
      if (flow.length > 0 && (after > maxPages || (after > target && after - target > target - size))) {
        flows.push(flow);
        flow = [];
        size = 0;
      }
      flow.push(item);
      size += pages(item);
    }
    if (flow.length > 0) flows.push(flow);
  }
  return flows;
}

/** Runs `work` on every item, at most `size` at a time; results in the items' order. */
async function inPool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/**
 * Printed pages whose text lies on more than one PDF page, or is clipped by its page box, with
 * how far over they run (the share of a page that spilled onto pages they do not start).
 */
export function overflowingFolios(facts: readonly PageFacts[]): Map<number, number> {
  const spilled = new Map<number, number>();
  for (const page of facts) {
    for (const folio of page.clipped) spilled.set(folio, Math.max(spilled.get(folio) ?? 0, 0.05));
    for (const folio of page.folios) {
      if (page.starts.includes(folio)) continue;
      const share = page.folios.length === 1 ? page.fill : 0.05;
      spilled.set(folio, (spilled.get(folio) ?? 0) + share);
    }
  }
  return spilled;
}

/** PDF page N must hold printed page N and nothing else; the count must be the issue's. */
function checkPages(facts: readonly PageFacts[], manuscript: Manuscript, issue: RenderedIssue): Message[] {
  const messages: Message[] = [];
  if (facts.length !== manuscript.issue.pages) {
    messages.push(message('pdf-009', `Unexpected ${facts.length} PDF pages, expected ${manuscript.issue.pages} as issue.yaml says`, { file: path.join(manuscript.dir, 'issue.yaml') }));
  }
  for (const page of facts) {
    const foreign = page.folios.filter((folio) => folio !== page.index);
    if (foreign.length > 0 || (page.folios.length > 0 && !page.starts.includes(page.index))) {
      messages.push(pageMessage('pdf-009', `Unexpected text of printed page ${foreign.join(', ') || '?'} on PDF page ${page.index}, expected printed page ${page.index}`, page.index, issue));
    }
  }
  return messages;
}

/** A message about a printed page, placed at the line of the chapter where that page starts. */
function pageMessage(ruleId: 'pdf-004' | 'pdf-005' | 'pdf-009', reason: string, folio: number, issue: RenderedIssue): Message {
  const chapter = issue.chapters.find((c) => folio >= c.firstPage && folio <= c.lastPage);
  if (!chapter) return message(ruleId, reason);
  let line: number | undefined;
  const walk = (node: RenderedIssue['chapters'][number]['hast'] | RenderedIssue['chapters'][number]['hast']['children'][number]): void => {
    if (line !== undefined) return;
    if (node.type === 'element' && Number(node.properties.dataFolioStart) === folio && node.properties.dataSourceLine !== undefined) {
      line = Number(node.properties.dataSourceLine);
    }
    if ('children' in node) for (const child of node.children) walk(child);
  };
  walk(chapter.hast);
  return message(ruleId, reason, line === undefined ? { file: chapter.file } : { file: chapter.file, line });
}

type GlyphProbe = Array<{ lang: string; chars: string[] }>;

/** Every character of the issue once, grouped by the language whose font stack sets it. */
function glyphProbe(manuscript: Manuscript, issue: RenderedIssue): GlyphProbe {
  const groups = new Map<string, Set<string>>();
  const add = (lang: string, text: string) => {
    const set = groups.get(lang) ?? new Set<string>();
    for (const char of text) if (!/[\s\u00AD\p{Cc}\p{Cf}]/u.test(char)) set.add(char);
    groups.set(lang, set);
  };
  const main = manuscript.issue.languages[0] ?? 'en';
  add(main, `${manuscript.issue.journal} · ${manuscript.issue.issue} 0123456789`);
  for (const chapter of issue.chapters) {
    add(chapter.language, toString(chapter.hast));
    add(main, chapter.shortTitle);
  }
  return [...groups].map(([lang, chars]) => ({ lang, chars: [...chars] }));
}

/**
 * Finds the characters of the issue that the bundled fonts do not cover: each character is set
 * once in its language's font stack, and Chromium says which fonts drew it. A character drawn by
 * a system font (not a web font we bundle) has no glyph of ours.
 */
async function findMissingGlyphs(page: Page, list: GlyphProbe): Promise<Array<{ char: string; lang: string }>> {
  await page.evaluate(`window.folioPrint.addGlyphProbe(${JSON.stringify(list)})`);
  const client = await page.createCDPSession();
  await client.send('DOM.enable');
  await client.send('CSS.enable');
  const { root } = await client.send('DOM.getDocument', { depth: 0 });
  // A language's characters all at once first: only a group some system font helped to draw
  // is looked at character by character (one round trip each).
  const fontsOf = async (nodeId: number) => (await client.send('CSS.getPlatformFontsForNode', { nodeId })).fonts;
  const { nodeIds: groupIds } = await client.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '#folio-glyph-probe > section' });
  const missing: Array<{ char: string; lang: string }> = [];
  for (const [index, groupId] of groupIds.entries()) {
    const group = list[index];
    if (!group) continue;
    const fonts = await fontsOf(groupId);
    if (fonts.length > 0 && fonts.every((font) => font.isCustomFont)) continue;
    const { nodeIds } = await client.send('DOM.querySelectorAll', { nodeId: groupId, selector: 'span' });
    for (const [at, nodeId] of nodeIds.entries()) {
      const char = group.chars[at];
      const used = await fontsOf(nodeId);
      if (char !== undefined && (used.length === 0 || used.some((font) => !font.isCustomFont))) missing.push({ char, lang: group.lang });
    }
  }
  await client.detach();
  await page.evaluate('window.folioPrint.removeGlyphProbe()');
  return missing;
}

/** The first place a character occurs in the manuscript: chapter file and line. */
function placeOf(char: string, manuscript: Manuscript): { file: string; line?: number } {
  for (const chapter of manuscript.chapters) {
    const at = chapter.markdown.indexOf(char);
    if (at !== -1) return { file: path.relative(manuscript.dir, chapter.path), line: chapter.markdown.slice(0, at).split('\n').length };
  }
  return { file: path.join(manuscript.dir, 'issue.yaml') };
}

/** Metadata and outline for pdf-lib, from the manuscript and where the headings landed. */
function pdfFacts(manuscript: Manuscript, issue: RenderedIssue, facts: readonly PageFacts[]) {
  const meta = manuscript.issue;
  const outline: OutlineItem[] = issue.chapters.map((chapter, index) => {
    const headings = facts.flatMap((page) => page.headings.filter((h) => h.chapter === index + 1).map((h) => ({ ...h, page: page.index })));
    const title = headings.find((h) => h.level === 1);
    return {
      title: chapter.title,
      page: title?.page ?? chapter.firstPage - (facts[0]?.starts[0] ?? 1) + 1,
      top: title?.top ?? 0,
      children: headings.filter((h) => h.level === 2).map((h) => ({ title: h.text, page: h.page, top: h.top, children: [] })),
    };
  });
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const date = epoch ? new Date(Number(epoch) * 1000) : meta.date ? new Date(`${meta.date}T00:00:00Z`) : undefined;
  return {
    title: `${meta.journal} · ${meta.issue}`,
    subject: meta.description ?? `${meta.journal}, ${meta.issue}`,
    language: meta.languages[0] ?? 'en',
    authors: [...new Set(manuscript.chapters.flatMap((c) => c.authors))],
    keywords: [meta.journal, meta.issue],
    outline,
    firstFolio: facts[0]?.starts[0] ?? 1,
    ...(date ? { date } : {}),
  };
}

/** Writes through a temporary file and a rename, so an old PDF stays whole if anything fails. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (error) {
    throw new FolioError([message('pdf-008', `Unexpected failure writing \`${file}\`: ${(error as Error).message}`)]);
  }
}
