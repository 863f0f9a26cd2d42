/**
 * The chunks of an issue to lay out, cut into flows: chunks not in the cache that follow one
 * another are laid out as one Paged.js flow (each flow starts Paged.js once), a few flows at
 * once, and cut back into chunks for the cache; a flow with a spill is laid out again chunk by
 * chunk, each copyfitted on its own.
 */
import path from 'node:path';
import { cacheKey } from '../session/index.js';
import { cachedChunk, keepChunk, keepPdf } from './chunk-cache.js';
import { layOut, type PageFacts } from './layout.js';
import type { PdfPart } from './join.js';
import { buildPrintHtml, type PrintChunk } from './print-document.js';
import type { PrintRun } from './print-run.js';

/** One chunk, rendered or taken from the cache. */
export interface ChunkOutcome {
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

/** A chunk not in the cache: its document as designed (no copyfit), and its cache key. */
interface ChunkToLayOut {
  chunk: PrintChunk;
  designed: string;
  key: string;
}

/**
 * Every chunk's pages, in page order: from the cache where it has them (keyed by `shared`, what
 * all chunks depend on, and the chunk's document), else laid out in flows, `jobs` at once.
 */
export async function layOutChunks(run: PrintRun, chunks: readonly PrintChunk[], shared: string, jobs: number, maxFlowPages: number): Promise<ChunkOutcome[]> {
  const outcomes = new Map<PrintChunk, ChunkOutcome>();
  const pdfs = new Map<string, Uint8Array>();
  // Runs of chunks not in the cache, in page order; a cached chunk ends a run.
  const runs: ChunkToLayOut[][] = [];
  let open = false;
  for (const chunk of chunks) {
    const designed = await buildPrintHtml(run.manuscript, run.issue, run.chunkAssets, new Map(), chunk);
    const key = cacheKey(shared, designed);
    const cached = await cachedChunk(run.cacheDir, key, pdfs);
    if (cached) {
      run.progress(chunk, cached.entry.facts.length);
      outcomes.set(chunk, { chunk, rendered: false, pdf: { bytes: cached.bytes, first: cached.entry.first, count: cached.entry.facts.length }, facts: cached.entry.facts, fit: new Map(cached.entry.fit), passes: 0, failed: [], blocked: [] });
      open = false;
      continue;
    }
    if (open) runs.at(-1)?.push({ chunk, designed, key });
    else runs.push([{ chunk, designed, key }]);
    open = true;
  }
  const flows = planFlows(runs, jobs, maxFlowPages);
  const pagesOf = (flow: (typeof flows)[number]) => flow.reduce((sum, item) => sum + item.chunk.lastFolio - item.chunk.firstFolio + 1, 0);
  run.glyphs.at = [...flows].sort((a, b) => pagesOf(a) - pagesOf(b))[0]?.[0]?.chunk.firstFolio;
  for (const list of await inPool(flows, jobs, (flow) => renderFlow(run, flow))) for (const outcome of list) outcomes.set(outcome.chunk, outcome);
  return chunks.map((chunk) => outcomes.get(chunk) as ChunkOutcome);
}

/** One chunk on its own (and copyfitted), its pages kept in the cache under its key. */
async function renderChunk(run: PrintRun, { chunk, designed, key }: ChunkToLayOut): Promise<ChunkOutcome> {
  const laid = await layOut(run, chunk, designed, path.join(run.cacheDir, `${key}.html`), false);
  if (!laid.pdf) return { chunk, rendered: true, facts: laid.facts, fit: laid.fit, passes: laid.passes, failed: laid.failed, blocked: laid.blocked };
  const pdfFile = await keepPdf(run.cacheDir, key, laid.pdf);
  await keepChunk(run.cacheDir, key, { facts: laid.facts, fit: [...laid.fit], pdf: pdfFile, first: 0 });
  return { chunk, rendered: true, pdf: { bytes: laid.pdf, first: 0, count: laid.facts.length }, facts: laid.facts, fit: laid.fit, passes: laid.passes, failed: [], blocked: laid.blocked };
}

/**
 * Chunks not in the cache, in a row, laid out as one flow and cut back into chunks for the
 * cache; a flow with a spill is laid out chunk by chunk.
 */
async function renderFlow(run: PrintRun, flow: readonly ChunkToLayOut[]): Promise<ChunkOutcome[]> {
  const first = flow[0];
  const last = flow[flow.length - 1];
  if (!first || !last) return [];
  if (flow.length === 1) return [await renderChunk(run, first)];
  const span: PrintChunk = { from: first.chunk.from, to: last.chunk.to, firstFolio: first.chunk.firstFolio, lastFolio: last.chunk.lastFolio };
  const key = cacheKey(...flow.map((f) => f.key));
  const designed = await buildPrintHtml(run.manuscript, run.issue, run.chunkAssets, new Map(), span);
  const laid = await layOut(run, span, designed, path.join(run.cacheDir, `flow-${key}.html`), true);
  if (!laid.pdf) {
    const outcomes: ChunkOutcome[] = [];
    for (const item of flow) outcomes.push(await renderChunk(run, item));
    return outcomes;
  }
  const pdfFile = await keepPdf(run.cacheDir, `flow-${key}`, laid.pdf);
  const outcomes: ChunkOutcome[] = [];
  for (const item of flow) {
    const at = item.chunk.firstFolio - span.firstFolio;
    const facts = laid.facts.slice(at, at + item.chunk.lastFolio - item.chunk.firstFolio + 1).map((f, i) => ({ ...f, index: i + 1 }));
    await keepChunk(run.cacheDir, item.key, { facts, fit: [], pdf: pdfFile, first: at });
    outcomes.push({ chunk: item.chunk, rendered: true, pdf: { bytes: laid.pdf, first: at, count: facts.length }, facts, fit: new Map(), passes: laid.passes, failed: [], blocked: laid.blocked });
  }
  return outcomes;
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
