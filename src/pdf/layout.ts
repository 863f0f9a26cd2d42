/**
 * One layout of a span of the issue (a chunk, or a flow of several) in a browser context of its
 * own: the print HTML loaded, paginated by Paged.js, and the page facts read back; a printed page
 * whose text spills over is copyfitted to the rung its measured spill asks for and the span laid
 * out again, until it fits (then it is printed to PDF) or a page is at the ladder's limit.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { FolioError, message } from '../messages.js';
import { pagedPolyfillPath, printScripts, runtimePath } from './assets.js';
import { openPrintPage, withWatchdog } from './browser.js';
import { nextLevel, type Script, type Spill } from './copyfit.js';
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
 * `levels`, when given, are copyfit levels to start from (what an earlier layout of these pages
 * measured), saving the pass that would measure them again.
 */
export async function layOut(run: PrintRun, span: PrintChunk, designed: string, file: string, once: boolean, levels?: ReadonlyMap<number, number>): Promise<LaidOut> {
  const { stageMs, time } = run;
  const fit = new Map<number, number>(levels);
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
      const spilled = pageSpills(facts);
      if (once && (spilled.size > 0 || facts.length !== span.lastFolio - span.firstFolio + 1)) {
        await page.close();
        return { facts, fit, passes, failed: [], blocked, spilled: true };
      }
      if (spilled.size > 0) {
        await page.close();
        const failed = copyfitStep(fit, spilled, scriptOf(run));
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
 * One copyfit step for the pages that spilled (by how much): each to the level its measured
 * spill asks for (`nextLevel`: in one step where the spill was measured, a rung up where it was
 * only seen), so a page far over takes one more pass, not one a rung. The pages already at the
 * limit come back: they cannot be fitted.
 */
export function copyfitStep(fit: Map<number, number>, spilled: ReadonlyMap<number, Spill>, script: (folio: number) => Script): number[] {
  const failed: number[] = [];
  for (const [folio, spill] of spilled) {
    const next = nextLevel(fit.get(folio) ?? 0, spill, script(folio));
    if (next === undefined) failed.push(folio);
    else fit.set(folio, next);
  }
  return failed;
}

/** The script a printed page is set in, for the copyfit's estimate: Chinese or Japanese only where every chapter on it is. */
export function scriptOf(run: Pick<PrintRun, 'issue'>): (folio: number) => Script {
  return (folio) => {
    const on = run.issue.chapters.filter((c) => c.firstPage <= folio && folio <= c.lastPage);
    return on.length > 0 && on.every((c) => /^(zh|ja)\b/u.test(c.language)) ? 'cjk' : 'latin';
  };
}

/** The share of a page taken as a spill that was seen (a clipped line, text on a shared page) but not measured. */
const seenSpill = 0.05;

/**
 * Printed pages whose text lies on more than one PDF page, or is clipped by its page box, with
 * how far they run over (the share of a page that spilled onto pages they do not start).
 */
export function overflowingFolios(facts: readonly PageFacts[]): Map<number, number> {
  return new Map([...pageSpills(facts)].map(([folio, spill]) => [folio, spill.excess]));
}

/**
 * `overflowingFolios` with how each spill is known: measured where the text ran onto a page of
 * its own (that page's fill), only seen where it was clipped or shares a page.
 */
export function pageSpills(facts: readonly PageFacts[]): Map<number, Spill> {
  const spilled = new Map<number, Spill>();
  for (const page of facts) {
    for (const folio of page.clipped) spilled.set(folio, { excess: Math.max(spilled.get(folio)?.excess ?? 0, seenSpill), measured: false });
    for (const folio of page.folios) {
      if (page.starts.includes(folio)) continue;
      const measured = page.folios.length === 1;
      const before = spilled.get(folio);
      spilled.set(folio, { excess: (before?.excess ?? 0) + (measured ? page.fill : seenSpill), measured: measured && (before?.measured ?? true) });
    }
  }
  return spilled;
}
