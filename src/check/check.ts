/**
 * `check()`: the fidelity check of an issue. The original pages (the raw source, paged by the
 * import report) are the measure; the manuscript, the PDF and the EPUB are each held against
 * them page by page, and the result is a report, its JSON file and an HTML proof.
 */
import type { StageReport } from '../stage.js';
import { existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { verifyArticleFiles } from '../articles/index.js';
import { chapterEdition, editionFile, editionOf, issueSlug, offprintChapters, offprintFile } from '../manuscript/index.js';
import type { Resolved } from '../resolve/index.js';
import { makeOutputFolder, writeFileAtomic } from '../session/index.js';
import { FolioError, message, type Message } from '../messages.js';
import { checkEditionPageList, checkEpub } from './epub.js';
import { readOriginals, type Originals } from './pages.js';
import { checkOffprints } from './offprints.js';
import { checkPdf, startReadingPdf } from './pdf.js';
import { checkInReader, type ReaderBook } from './reader.js';
import { renderPageImages, writeProof } from './proof.js';
import { summarise, type FidelityReport, type PageFidelity, type Stage, type StagePage, type StageSummary } from './report.js';
import { checkManuscript } from './source.js';
import { stretchCache } from './stretch-cache.js';

/** Options of `check`. */
export interface CheckOptions {
  /** The run, resolved (`resolve()`): the manuscript (its folder holds import-report.json) and its settings. */
  resolved: Resolved;
  /** The raw source; defaults to the one issue.yaml names. */
  source?: string;
  /** The PDF to check; left out, the PDF is not checked. */
  pdf?: string;
  /** The EPUB to check; left out, the EPUB is not checked. */
  epub?: string;
  /**
   * The languages whose editions (`<epub less .epub>.<language>.epub`) to check: their
   * page-lists against the pages of their chapters. Left out, none.
   */
  editions?: string[];
  /** Where to write `<issue>.fidelity.json`, `<issue>.proof.html` and `proof/`; left out, nothing is written. */
  outDir?: string;
  /** Render the PDF pages for the proof (default true when there is a PDF and an outDir). */
  proof?: boolean;
  /** Read the JATS files under `<outDir>/articles/` back against their chapters (default true when there is an outDir). */
  jats?: boolean;
  /**
   * Open the EPUB and its editions in a reading engine (foliate-js in Chromium) and prove every
   * page-list entry and note call there (default true when there is an EPUB or `readerBooks`).
   */
  reader?: boolean;
  /** More EPUBs for the reader proof, each with the printed pages its page-list leads to. */
  readerBooks?: ReaderBook[];
  /**
   * Check the offprints under `<outDir>/articles/` against the PDF, and the article EPUBs' page-lists
   * (default true when there is an outDir; the offprints need the PDF too).
   */
  offprints?: boolean;
}

/** What `check` found. `report` is absent only when the check could not run. */
export interface CheckResult extends StageReport {
  report?: FidelityReport;
  /** Files written. */
  written: string[];
  /** True when the check could not run (a missing input, a failing tool): exit code 2. */
  failedToRun: boolean;
}

/** A promise's outcome as a value, so work started early fails only where it is awaited. */
async function settle<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error };
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs the fidelity check. Problems come back as messages; nothing is printed. */
export async function check(options: CheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - t;
    }
  };
  const messages: Message[] = [];
  const cannot = (reason: string, file: string): CheckResult => {
    messages.push(message('check-009', reason, { file }));
    return { messages, timings, written: [], failedToRun: true };
  };

  // The PDF is read (pdftotext) and the proof's page images drawn (pdftoppm) in child processes
  // while this thread reads the manuscript and the EPUB: with two cores, the PDF costs little
  // more. pdftotext starts first of all: on a repeated check it is the longest wait.
  const pdf = options.pdf;
  const outDir = options.outDir;
  const stop = new AbortController();
  const reading = pdf !== undefined && (await exists(pdf)) ? startReadingPdf(pdf, stop.signal) : undefined;
  const pending: Promise<unknown>[] = reading ? [reading.text, reading.objects].map(async (p) => p.catch(() => undefined)) : [];
  try {
    // A manuscript that loaded but fails its checks is still read: the check says which pages it upsets.
    const { manuscript, settings } = options.resolved;
    if (options.resolved.failed === 'loading') return cannot('Unexpected manuscript that does not load, expected a valid issue.yaml and chapters', settings.manuscriptDir);
    for (const [what, file] of [
      ['PDF', options.pdf],
      ['EPUB', options.epub],
      ['source', options.source],
    ] as const) {
      if (file !== undefined && !(await exists(file))) return cannot(`Unexpected missing ${what} \`${file}\`, expected a file to check`, file);
    }
    const images =
      reading && pdf !== undefined && outDir !== undefined && options.proof !== false
        ? settle(time('page images', async () => renderPageImages(pdf, path.join(outDir, 'proof'), { pageDigests: (await reading.objects).pageDigests, signal: stop.signal })))
        : undefined;
    if (images) pending.push(images);

    // The manuscript's reading is kept beside the reports: an edit re-reads only its chapter.
    let originals: Originals;
    try {
      originals = await time('read originals', async () => {
        const cache = outDir !== undefined ? await stretchCache(path.join(outDir, 'cache', 'check', 'manuscript-pages.json')) : undefined;
        const read = await readOriginals(manuscript, options.source, cache?.stretchesOf);
        // A cache that cannot be written costs the next check time, nothing else.
        if (cache) pending.push(cache.save().catch(() => undefined));
        return read;
      });
    } catch (error) {
      return cannot(`Unexpected failure reading the original pages: ${(error as Error).message}`, options.source ?? settings.manuscriptDir);
    }
    const stages: Partial<Record<Stage, { pages: Map<number, StagePage>; summary: StageSummary }>> = {};
    // The reading engine works in its own browser while the EPUB and the PDF are read here.
    const issueEpub = options.epub;
    const readerBooks: ReaderBook[] =
      options.reader === false
        ? []
        : [
            ...(issueEpub !== undefined
              ? [
                  { file: issueEpub, pages: originals.pages.map((p) => p.page) },
                  ...(options.editions ?? []).map((language) => ({ file: editionFile(issueEpub, language), pages: editionOf(manuscript, language).pages })),
                ]
              : []),
            // The article EPUBs an earlier build wrote, each with its chapter's pages.
            ...(outDir !== undefined && options.offprints !== false
              ? offprintChapters(manuscript)
                  .map((chapter) => ({ file: offprintFile(outDir, chapter, '.epub'), pages: chapterEdition(manuscript, chapter.slug).pages }))
                  .filter((book) => existsSync(book.file))
              : []),
            ...(options.readerBooks ?? []),
          ];
    const reader = readerBooks.length > 0 ? settle(time('reader', () => checkInReader(readerBooks, manuscript, originals, { chromePath: settings.environment.chromePath }))) : undefined;
    if (reader) pending.push(reader);
    const m = checkManuscript(manuscript, originals);
    messages.push(...m.messages);
    stages.manuscript = m;
    // The EPUB first, while pdftotext works; the report keeps the stages in their order.
    const epub = options.epub;
    const epubChecked = epub !== undefined ? await settle(time('epub', () => checkEpub(epub, originals, manuscript.issue.pages))) : undefined;
    if (reading && pdf !== undefined) {
      try {
        const r = await time('pdf', () => checkPdf(pdf, manuscript.issue, originals, reading));
        messages.push(...r.messages);
        stages.pdf = r;
      } catch (error) {
        return cannot(`Unexpected failure reading the PDF: ${(error as Error).message}`, pdf);
      }
    }
    // The offprints against the pages of the PDF they were cut from, the article EPUBs' page-lists against their chapters.
    if (outDir !== undefined && options.offprints !== false) {
      const issuePdf = reading && pdf !== undefined && stages.pdf ? { file: pdf, text: await reading.text, labels: (await reading.objects).labels } : undefined;
      messages.push(...(await time('offprints', () => checkOffprints(manuscript, outDir, issuePdf))));
    }
    // The article files: their pages and words against the chapters (pandoc reads them back).
    if (outDir !== undefined && options.jats !== false) messages.push(...(await time('articles', () => verifyArticleFiles(manuscript, outDir))));
    if (epubChecked && epub !== undefined) {
      if (!epubChecked.ok) return cannot(`Unexpected failure reading the EPUB: ${(epubChecked.error as Error).message}`, epub);
      messages.push(...epubChecked.value.messages);
      stages.epub = epubChecked.value;
      for (const language of options.editions ?? []) {
        const file = editionFile(epub, language);
        if (!(await exists(file))) return cannot(`Unexpected missing edition \`${file}\`, expected a file to check`, file);
        try {
          messages.push(...(await time(`epub ${language}`, () => checkEditionPageList(file, editionOf(manuscript, language).pages))));
        } catch (error) {
          return cannot(`Unexpected failure reading the EPUB: ${(error as Error).message}`, file);
        }
      }
    }
    if (reader) {
      const proved = await reader;
      if (!proved.ok && proved.error instanceof FolioError) {
        messages.push(...proved.error.messages);
        return { messages, timings, written: [], failedToRun: true };
      }
      if (!proved.ok) return cannot(`Unexpected failure of the reader proof: ${(proved.error as Error).message}`, readerBooks[0]?.file ?? settings.manuscriptDir);
      messages.push(...proved.value.messages);
      stages.reader = proved.value;
    }

    const pages: PageFidelity[] = originals.pages.map((o) => {
      const p: PageFidelity = { page: o.page, words: o.words.length, stages: {}, faithful: true };
      if (o.source) p.source = o.source;
      if (o.manuscript) p.manuscript = o.manuscript;
      for (const [name, s] of Object.entries(stages) as [Stage, { pages: Map<number, StagePage> }][]) {
        const sp = s.pages.get(o.page);
        // The text as read is kept where it is wrong: that is where a person needs it.
        if (sp?.faithful) delete sp.text;
        if (sp) p.stages[name] = sp;
      }
      p.faithful = Object.values(p.stages).every((s) => s.faithful);
      return p;
    });
    const report: FidelityReport = summarise({
      issue: { journal: manuscript.issue.journal, issue: manuscript.issue.issue, pages: manuscript.issue.pages },
      ...(originals.source ? { source: originals.source.file } : {}),
      manuscript: manuscript.dir,
      stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.summary])),
      pagesChecked: 0,
      pagesFaithful: 0,
      wordsLost: 0,
      wordsAdded: 0,
      worstPages: [],
      pages,
      timings,
    });

    const written: string[] = [];
    if (outDir !== undefined) {
      const name = issueSlug(manuscript);
      try {
        await makeOutputFolder(outDir);
        const drawn = await images;
        if (drawn && !drawn.ok) throw drawn.error;
        const proofFile = path.join(outDir, `${name}.proof.html`);
        await time('proof', () =>
          writeProof(report, {
            file: proofFile,
            ...(drawn?.ok ? { images: drawn.value.images } : {}),
            ...(originals.source ? { sourceFile: originals.source.file, pageRanges: originals.source.report.pages } : {}),
          }),
        );
        written.push(proofFile);
        timings.total = Date.now() - started;
        const jsonFile = path.join(outDir, `${name}.fidelity.json`);
        // Whole or not at all: a killed check never leaves half a report.
        await writeFileAtomic(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
        written.unshift(jsonFile);
      } catch (error) {
        messages.push(message('check-010', `Unexpected failure writing the reports: ${(error as Error).message}`, { file: outDir }));
        return { report, messages, timings, written, failedToRun: true };
      }
    }
    timings.total = Date.now() - started;
    return { report, messages, timings, written, failedToRun: false };
  } finally {
    // A check that stops early leaves no pdftotext or pdftoppm running, nor anything writing into the folder.
    stop.abort();
    await Promise.all(pending);
  }
}
