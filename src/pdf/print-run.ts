/**
 * What every part of one run of the PDF stage shares: the issue, where its files go, the
 * browser, the watchdog, the clock, the progress report and the glyph check. `renderPdf` makes
 * it once; the layout, the flows and the glyph check read it instead of closing over it.
 */
import type { Manuscript } from '../manuscript/index.js';
import type { PrintBrowser } from './browser.js';
import type { GlyphCheck } from './glyphs.js';
import type { PrintAssets, PrintChunk, RenderedIssue } from './print-document.js';

/** One run of the PDF stage. */
export interface PrintRun {
  manuscript: Manuscript;
  /** The chapters rendered for print, once. */
  issue: RenderedIssue;
  /** Where the print HTML and its assets are. */
  buildDir: string;
  /** Where chunk documents and pages are kept between builds. */
  cacheDir: string;
  /** The assets as a chunk document in the cache folder links to them. */
  chunkAssets: PrintAssets;
  /** Justify a page's last line only when it is at least this full. */
  pageEndFill: number;
  /** The watchdog of each browser step, in milliseconds. */
  stageMs: number;
  /** The browser, launched on first need. */
  browser: () => Promise<PrintBrowser>;
  /** Runs `work`, adding its time to the step's timing. */
  time: <T>(step: string, work: () => Promise<T>) => Promise<T>;
  /** Whether anyone is told of pages as they are laid out (a page hook costs a round trip a page). */
  reportsPages: boolean;
  /** Tells of `done` pages of `chunk` laid out (or taken from the cache). */
  progress: (chunk: PrintChunk, done: number) => void;
  glyphs: GlyphCheck;
}
