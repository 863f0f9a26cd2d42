/**
 * One layout of a span of the issue (a chunk, or a flow of several) in a browser context of its
 * own: the print HTML loaded, paginated by Paged.js, and the page facts read back; a printed page
 * whose text spills over is copyfitted a rung or two up the ladder and the span laid out again,
 * until it fits (then it is printed to PDF) or a page is at the ladder's limit.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { FolioError, message } from '../messages.js';
import { pagedPolyfillPath, printScripts, runtimePath } from './assets.js';
import { openPrintPage, withWatchdog } from './browser.js';
import { maxCopyfitLevel } from './copyfit.js';
import { buildPrintHtml, chunkPadPages, type PrintChunk } from './print-document.js';
import type { PrintRun } from './print-run.js';
import { cleanPrintedPdf } from './soft-hyphens.js';

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

/** What one layout of a span came to. */
export interface LaidOut {
  facts: PageFacts[];
  /** The copyfit level of each printed page that needed one. */
  fit: Map<number, number>;
  passes: number;
  /** Printed pages that spill over even at the copyfit limit. */
  failed: number[];
  /** Requests the page made that were blocked. */
  blocked: string[];
  /** The printed pages, cleaned (absent when a page did not fit). */
  pdf?: Uint8Array;
  /** A layout asked to go `once` that spilled. */
  spilled?: boolean;
}

/**
 * Lays out a span of the issue (one chunk, or several in a row) in its own browser context,
 * copyfitting it pass by pass unless `once`: then a spill is handed back at once. `designed` is
 * its document without copyfit, written to `file` (in the cache folder) for the browser.
 */
export async function layOut(run: PrintRun, span: PrintChunk, designed: string, file: string, once: boolean): Promise<LaidOut> {
  const { stageMs, time } = run;
  const fit = new Map<number, number>();
  const pad = chunkPadPages(span);
  const context = await (await run.browser()).browser.createBrowserContext();
  const name = `pages ${span.firstFolio}–${span.lastFolio}`;
  // Paged.js loads only the faces the text needs, unless a layout showed that was not enough.
  let allFaces = false;
  try {
    for (let passes = 1; ; passes += 1) {
      await writeFile(file, fit.size === 0 ? designed : await buildPrintHtml(run.manuscript, run.issue, run.chunkAssets, fit, span));
      const { page, problems, blocked } = await openPrintPage(context, run.buildDir, printScripts());
      const pass = `${name}, pass ${passes}`;
      await time('load', () => withWatchdog(`load the print HTML (${pass})`, stageMs, () => page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: stageMs })));
      await page.addScriptTag({ url: pathToFileURL(runtimePath).href });
      await page.addScriptTag({ url: pathToFileURL(pagedPolyfillPath()).href });
      // A pad page is not a printed page: nothing to tell until the first printed one is laid out.
      if (run.reportsPages) await page.exposeFunction('folioPageRendered', (done: number) => (done > pad ? run.progress(span, done - pad) : undefined));
      const laid = await time('paginate', () =>
        withWatchdog(`paginate with Paged.js (${pass})`, stageMs, () => page.evaluate(`window.folioPrint.paginate(${JSON.stringify({ pageEndFill: run.pageEndFill, allFaces })})`) as Promise<{ facts: PageFacts[]; lateFaces: number }>),
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
        const failed = copyfitStep(fit, spilled);
        if (failed.length > 0) return { facts, fit, passes, failed, blocked };
        continue;
      }
      const printed = await time('print', () =>
        withWatchdog(`print to PDF (${name})`, stageMs, () => page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true, timeout: stageMs, ...(pad > 0 ? { pageRanges: `${pad + 1}-` } : {}) })),
      );
      const pdf = await time('clean', () => cleanPrintedPdf(printed));
      await run.glyphs.checkIn(run, page, span);
      await page.close();
      return { facts, fit, passes, failed: [], blocked, pdf };
    }
  } finally {
    await context.close();
  }
}

/**
 * One copyfit step for the pages that spilled (by how much): each a rung up its ladder, a page
 * far over (a fifth of a page or more) two, for fewer passes within the same limits. The pages
 * already at the limit come back: they cannot be fitted.
 */
function copyfitStep(fit: Map<number, number>, spilled: ReadonlyMap<number, number>): number[] {
  const failed: number[] = [];
  for (const [folio, excess] of spilled) {
    const current = fit.get(folio) ?? 0;
    if (current >= maxCopyfitLevel) failed.push(folio);
    else fit.set(folio, Math.min(maxCopyfitLevel, current + (excess >= 0.2 ? 2 : 1)));
  }
  return failed;
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
