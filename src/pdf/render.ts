/**
 * The PDF stage: the manuscript to print HTML, paginated by Paged.js in Chromium, printed,
 * finished with pdf-lib and written atomically. Pagination is a facsimile: PDF page N holds
 * printed page N. Every printed page begins with a forced break, so the issue is cut into
 * chunks where a chapter opens a page. Chunks not in the cache that follow one another are
 * laid out as one Paged.js flow of a bounded length (one browser, a context per flow, a few at
 * once), starting at its own folio, and cut back into chunks; the pages are joined with
 * pdf-lib. A printed page whose text spills over is copyfitted, to the rung its measured spill
 * asks for within the ladder's limits, and only its chunk laid out again. A chunk's pages are kept in the cache folder under a hash
 * of its document, styles, templates, fonts and runtime, so an edit lays out only its chunk.
 *
 * `renderPdf` is the run of named steps; the steps are files of their own: the chunk cache
 * (./chunk-cache.ts), the flows (./flows.ts), one layout and its copyfit passes (./layout.ts),
 * the glyph check (./glyphs.ts), the page checks (./pages.ts), the finish and the write
 * (./finish.ts, with ./join.ts and ./structure-tree.ts; the text layer: ./soft-hyphens.ts).
 */
import type { StageReport } from '../stage.js';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Manuscript } from '../manuscript/index.js';
import { refusedManuscript, type Resolved } from '../resolve/index.js';
import { FolioError, hasErrors, message, type Message } from '../messages.js';
import { cacheKey, keptOrLaunched, type KeptBrowser } from '../session/index.js';
import { copyPrintAssets, projectDir, type CopiedAssets } from './assets.js';
import { launchChromium, withWatchdog, type PrintBrowser } from './browser.js';
import { sharedKey } from './chunk-cache.js';
import { describeLevel, maxCopyfitLevel } from './copyfit.js';
import { finishPdf, pdfFacts, writeAtomically } from './finish.js';
import { layOutChunks, type ChunkOutcome } from './flows.js';
import { GlyphCheck } from './glyphs.js';
import type { PageFacts } from './layout.js';
import type { PdfPart } from './join.js';
import { checkPages, pageMessage } from './pages.js';
import { buildPrintHtml, printChunks, renderIssueInTurns, type PrintAssets, type PrintChunk, type RenderedIssue } from './print-document.js';
import type { PrintRun } from './print-run.js';

export { issueSlug } from '../manuscript/index.js';
export { planFlows } from './flows.js';
export { overflowingFolios, type PageFacts } from './layout.js';

/** Options of `renderPdf`. */
export interface RenderPdfOptions {
  /**
   * The run, resolved (`resolve()`): the manuscript, the PDF to write (`settings.files.pdf`;
   * the print HTML goes beside it, its assets and the cache in `settings.outDir`), the Chromium
   * and the build date.
   */
  resolved: Resolved;
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

/** The outcome: the page count (0 when no PDF was written), the messages, and measurements. */
export interface RenderPdfResult extends StageReport {
  pages: number;
  /** The print HTML that was paginated, beside its assets. */
  printHtml?: string;
  /** Copyfit level per printed page that needed one. */
  copyfit: Map<number, number>;
  /** Most layout passes any chunk took in this run (1 when no page needed copyfitting, 0 when all were cached). */
  passes: number;
  /** The chunks, in page order, and whether each was laid out or reused. */
  chunks: ChunkReport[];
  /** Facts of every page of the last layout pass. */
  layout: PageFacts[];
}

/**
 * Renders the resolved issue to a PDF at `settings.files.pdf`. Problems come back as messages;
 * the manuscript's own were reported by whoever resolved it, and one that failed its checks
 * makes no PDF.
 */
export async function renderPdf(options: RenderPdfOptions): Promise<RenderPdfResult> {
  const result: RenderPdfResult = { pages: 0, messages: [], copyfit: new Map(), passes: 0, chunks: [], timings: {}, layout: [] };
  if (options.resolved.failed) {
    result.messages.push(refusedManuscript(options.resolved, 'PDF'));
    return result;
  }
  const stage = resolveStage(options);
  const launchOptions = { chromePath: stage.chrome, timeoutMs: stage.stageMs };
  const browser = new RunBrowser(() => keptOrLaunched(options.browser, () => launchChromium(launchOptions)));
  // Chromium starts while the HTML is made, unless this very manuscript was rendered last time
  // (then most likely every chunk is in the cache and no browser is needed at all).
  if (!existsSync(stage.warmMark)) browser.get().catch(() => undefined);
  try {
    await printIssue(stage, browser, result);
  } finally {
    await browser.close();
  }
  return result;
}

/** The options of one run resolved against the manuscript: its paths, limits and settings. */
interface ResolvedStage {
  options: RenderPdfOptions;
  manuscript: Manuscript;
  out: string;
  buildDir: string;
  cacheDir: string;
  stageMs: number;
  fill: number;
  /** The Chromium asked for, as named (part of the cache keys). */
  chrome: string;
  /** A file whose presence says this very manuscript was rendered last time. */
  warmMark: string;
}

/** Every default of `options` settled, once. */
function resolveStage(options: RenderPdfOptions): ResolvedStage {
  const { manuscript, settings } = options.resolved;
  const out = settings.files.pdf;
  // The print HTML and its fonts go beside the PDF; its cache in the build folder.
  const buildDir = path.dirname(out);
  const cacheDir = path.resolve(options.cacheDir ?? path.join(settings.outDir, 'cache', 'pdf'));
  const fill = options.pageEndFill ?? pageEndFill;
  const chrome = settings.environment.chromePath;
  const warmMark = path.join(cacheDir, `rendered-${cacheKey(JSON.stringify(manuscript.issue), ...manuscript.chapters.map((c) => c.markdown), String(fill), chrome)}`);
  return { options, manuscript, out, buildDir, cacheDir, stageMs: options.stageTimeoutMs ?? 600_000, fill, chrome, warmMark };
}

/**
 * The print browser of one run: launched once, on first need (or early, on a guess), and closed
 * once however the run ends (a failed launch closes itself).
 */
class RunBrowser {
  private launching: Promise<PrintBrowser> | undefined;
  private closing: Promise<void> | undefined;
  private loseBrowser: (error: Error) => void = () => undefined;
  /**
   * Rejects when the browser goes away before the run is done with it (it crashed or was
   * killed): the work waiting on it is then ended at once, rather than when its watchdog
   * fires, which a call that never hears back from the dead browser may leave to.
   */
  readonly lost: Promise<never> = new Promise<never>((_, reject) => (this.loseBrowser = reject));

  constructor(private readonly launch: () => Promise<PrintBrowser>) {
    this.lost.catch(() => undefined);
  }

  /** The browser, launched now if it is not yet. */
  get(): Promise<PrintBrowser> {
    return (this.launching ??= this.launch().then((launched) => {
      const onLost = (): void => this.loseBrowser(new FolioError([message('pdf-003', 'Unexpected end of Chromium in the middle of the render (it crashed or was killed), expected it to lay out every page')]));
      launched.browser.once('disconnected', onLost);
      // A kept browser outlives the run: it no longer tells this run when it goes.
      this.forget = () => launched.browser.off('disconnected', onLost);
      // One that died between its launch and this line has told no one (a loaded machine
      // leaves that gap wide enough): it is lost now.
      if (!launched.browser.connected) onLost();
      return launched;
    }));
  }

  private forget: () => void = () => undefined;

  /** Done with: closed now, so that its memory is given back while the pages are joined. */
  release(): void {
    this.forget();
    this.closing ??= this.launching?.then((browser) => browser.close(), () => undefined);
  }

  /** Closed, if it was started; resolves once it is. */
  async close(): Promise<void> {
    this.release();
    await this.closing;
  }
}

/** The run of the stage's steps, from the chapters rendered for print to the PDF written; into `result`. */
async function printIssue(stage: ResolvedStage, browser: RunBrowser, result: RenderPdfResult): Promise<void> {
  const { options, manuscript, buildDir, cacheDir, stageMs, fill } = stage;
  const time = stepClock(result.timings);
  // The fonts are copied while the chapters are rendered.
  const assetsCopied = copyPrintAssets(buildDir);
  assetsCopied.catch(() => undefined);
  // A chapter at a time, the event loop let through in between: Chromium's launch, under way,
  // needs it to finish its start.
  const issue = await time('html', () => renderIssueInTurns(manuscript));
  result.messages.push(...issue.messages);
  if (hasErrors(issue.messages)) return;
  const assets = await time('assets', () => assetsCopied);
  const printHtml = stage.options.resolved.settings.files.printHtml;
  result.printHtml = printHtml;
  await mkdir(cacheDir, { recursive: true });
  const templateDir = path.join(projectDir, 'templates', 'print');
  const shared = await time('assets', () => sharedKey(buildDir, templateDir, fill, stage.chrome));
  try {
    // A launch that finishes after the watchdog gave up is closed by renderPdf all the same.
    let browserReady: Promise<PrintBrowser> | undefined;
    const run: PrintRun = {
      manuscript,
      issue,
      buildDir,
      cacheDir,
      chunkAssets: chunkAssetsOf(assets, templateDir, cacheDir, buildDir),
      pageEndFill: fill,
      stageMs,
      browser: () => (browserReady ??= time('launch', () => withWatchdog('launch Chromium', stageMs, () => browser.get()))),
      time,
      reportsPages: options.onProgress !== undefined,
      progress: pagesReport(manuscript, options.onProgress),
      glyphs: await GlyphCheck.start(manuscript, issue, shared, cacheDir),
    };
    const chunks = printChunks(issue, options.chunkPages ?? chunkPages);
    const jobs = Math.max(1, options.jobs ?? Math.min(4, availableParallelism()));
    const outcomes = await time('chunks', () => Promise.race([layOutChunks(run, chunks, shared, jobs, options.flowPages ?? flowPages), browser.lost]));
    await Promise.race([run.glyphs.finish(run), browser.lost]);
    browser.release();
    result.messages.push(...run.glyphs.messages(manuscript));
    const facts = recordOutcomes(result, outcomes, issue);
    // The whole issue's print HTML, with the levels settled on: for another engine, and the preview.
    await time('print html', async () => writeFile(printHtml, await buildPrintHtml(manuscript, issue, { templateDir, ...assets }, result.copyfit)));
    const failed = outcomes.flatMap((o) => o.failed).sort((a, b) => a - b);
    if (failed.length > 0) {
      result.messages.push(...failed.map((folio) => pageMessage('pdf-004', `Unexpected overflow: the text of printed page ${folio} does not fit its PDF page even at the copyfit limit (${describeLevel(maxCopyfitLevel)}), expected it to fit; shorten or split the page`, folio, issue)));
      return;
    }
    result.messages.push(...checkPages(facts, manuscript, issue), ...copyfitMessages(result.copyfit, issue));
    if (hasErrors(result.messages)) return;
    const finished = await time('finish', () => finishPdf(outcomes.map((o) => o.pdf as PdfPart), pdfFacts(manuscript, issue, facts, options.resolved.settings.environment.sourceDateEpoch)));
    await time('write', () => writeAtomically(stage.out, finished));
    result.pages = facts.length;
    await writeFile(stage.warmMark, '').catch(() => undefined);
  } catch (error) {
    result.messages.push(...failureMessage(error, result.timings, stageMs));
  }
}

/** A clock of the stage's steps: each call adds the time of its work to its step, in milliseconds. */
function stepClock(timings: Record<string, number>): PrintRun['time'] {
  return async (step, work) => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[step] = (timings[step] ?? 0) + Math.round(performance.now() - started);
    }
  };
}

/** The assets as a chunk document links to them: chunk documents live in the cache folder, below the assets. */
function chunkAssetsOf(assets: CopiedAssets, templateDir: string, cacheDir: string, buildDir: string): PrintAssets {
  const up = path.relative(cacheDir, buildDir).split(path.sep).join('/');
  return { templateDir, fontStylesheets: assets.fontStylesheets.map((href) => `${up}/${href}`), printStylesheet: `${up}/${assets.printStylesheet}` };
}

/** Tells `onProgress` the pages done in all chunks, out of the issue's, as each chunk reports its own. */
function pagesReport(manuscript: Manuscript, onProgress: RenderPdfOptions['onProgress']): PrintRun['progress'] {
  const pagesDone = new Map<number, number>();
  return (chunk: PrintChunk, done: number) => {
    pagesDone.set(chunk.firstFolio, done);
    onProgress?.([...pagesDone.values()].reduce((a, b) => a + b, 0), manuscript.issue.pages);
  };
}

/** The chunks' outcomes into the result (levels, blocked requests, passes, chunk reports); the facts of every page, in order. */
function recordOutcomes(result: RenderPdfResult, outcomes: readonly ChunkOutcome[], issue: RenderedIssue): PageFacts[] {
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
  return facts;
}

/** A pdf-005 for every copyfitted page, in page order. */
function copyfitMessages(copyfit: ReadonlyMap<number, number>, issue: RenderedIssue): Message[] {
  return [...copyfit.entries()].sort((a, b) => a[0] - b[0]).map(([folio, level]) => pageMessage('pdf-005', `Copyfitted printed page ${folio} to hold its text: ${describeLevel(level)}`, folio, issue));
}

/** What a render that threw reports: its own messages, a timeout of the step last timed, or a failure. */
function failureMessage(error: unknown, timings: Record<string, number>, stageMs: number): Message[] {
  const reason = (error as Error).message.split('\n')[0] ?? '';
  if (error instanceof FolioError) return error.messages;
  // A DevTools call that timed out is the browser hanging: a timeout, like the watchdog's.
  if (['ProtocolError', 'TimeoutError'].includes((error as Error).name) && /timed? ?out/iu.test(reason)) {
    const step = Object.keys(timings).at(-1) ?? 'render';
    return [message('pdf-002', `Unexpected timeout in stage \`${step}\` after ${Math.round(stageMs / 1000)} s, expected it to finish (${reason})`)];
  }
  return [message('pdf-003', `Unexpected failure while rendering: ${reason}`)];
}
