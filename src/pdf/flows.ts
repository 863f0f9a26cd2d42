/**
 * The chunks of an issue to lay out, cut into flows: chunks not in the cache that follow one
 * another are laid out as one Paged.js flow (each flow starts Paged.js once), a few flows at
 * once, and cut back into chunks for the cache; a flow with a spill is laid out again chunk by
 * chunk, each copyfitted on its own, from the levels the flow's layout measured, in the slots
 * the other flows leave free.
 */
import path from 'node:path';
import { cacheKey } from '../session/index.js';
import { cachedChunk, keepChunk, keepPdf } from './chunk-cache.js';
import { copyfitStep, layOut, pageSpills, scriptOf, type PageFacts } from './layout.js';
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
  const slots = new Slots(jobs);
  for (const list of await Promise.all(flows.map((flow) => renderFlow(run, flow, slots)))) for (const outcome of list) outcomes.set(outcome.chunk, outcome);
  return chunks.map((chunk) => outcomes.get(chunk) as ChunkOutcome);
}

/**
 * One chunk on its own (and copyfitted, from `levels` when an earlier layout measured its
 * pages), its pages kept in the cache under its key.
 */
async function renderChunk(run: PrintRun, { chunk, designed, key }: ChunkToLayOut, levels?: ReadonlyMap<number, number>): Promise<ChunkOutcome> {
  const laid = await layOut(run, chunk, designed, path.join(run.cacheDir, `${key}.html`), false, levels);
  if (!laid.pdf) return { chunk, rendered: true, facts: laid.facts, fit: laid.fit, passes: laid.passes, failed: laid.failed, blocked: laid.blocked };
  const pdfFile = await keepPdf(run.cacheDir, key, laid.pdf);
  await keepChunk(run.cacheDir, key, { facts: laid.facts, fit: [...laid.fit], pdf: pdfFile, first: 0 });
  return { chunk, rendered: true, pdf: { bytes: laid.pdf, first: 0, count: laid.facts.length }, facts: laid.facts, fit: laid.fit, passes: laid.passes, failed: [], blocked: laid.blocked };
}

/**
 * Chunks not in the cache, in a row, laid out as one flow and cut back into chunks for the
 * cache; a flow with a spill is laid out chunk by chunk, each in a slot of its own, and a chunk
 * whose pages spilled starts at the levels the flow's layout measured for them (`copyfitStep`),
 * not from the design again: the flow was that chunk's first pass.
 */
async function renderFlow(run: PrintRun, flow: readonly ChunkToLayOut[], slots: Slots): Promise<ChunkOutcome[]> {
  const first = flow[0];
  const last = flow[flow.length - 1];
  if (!first || !last) return [];
  if (flow.length === 1) return [await slots.use(() => renderChunk(run, first))];
  const span: PrintChunk = { from: first.chunk.from, to: last.chunk.to, firstFolio: first.chunk.firstFolio, lastFolio: last.chunk.lastFolio };
  const key = cacheKey(...flow.map((f) => f.key));
  const designed = await buildPrintHtml(run.manuscript, run.issue, run.chunkAssets, new Map(), span);
  const laid = await slots.use(() => layOut(run, span, designed, path.join(run.cacheDir, `flow-${key}.html`), true));
  if (!laid.pdf) {
    // Printed page N of the flow is printed page N of its chunk: every page begins with a forced break.
    const measured = new Map<number, number>();
    copyfitStep(measured, pageSpills(laid.facts), scriptOf(run));
    const levelsOf = (chunk: PrintChunk) => new Map([...measured].filter(([folio]) => folio >= chunk.firstFolio && folio <= chunk.lastFolio));
    // The flow's layout was each chunk's first pass.
    return Promise.all(
      flow.map(async (item) => {
        const outcome = await slots.use(() => renderChunk(run, item, levelsOf(item.chunk)));
        return { ...outcome, passes: outcome.passes + 1 };
      }),
    );
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

/**
 * The layouts that may run at once (`jobs`, each in a browser context of its own), shared by
 * every flow of a run: a flow that spilled lays its chunks out in the slots the others leave
 * free, rather than one after the other in its own. Taken in the order asked for.
 */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Runs `work` in a slot, once one is free. */
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
