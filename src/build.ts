/**
 * The whole build of an issue: (import,) PDF, EPUB, article outputs, offprints, check — the same
 * functions the single commands call, with one timing per stage: the PDF and the EPUB at once,
 * the offprints once the PDF is made, then the check. A
 * stage never prints; progress goes through the `onProgress` callback and problems come back
 * as messages.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildArticles } from './articles/index.js';
import { check, type FidelityReport } from './check/index.js';
import { buildBesideBook, buildEpub, knownInvalid, withEpubTools } from './epub/index.js';
import { createMemos, dropInvalid, lockOutputDir, outputPathProblem, setAsideInvalid, sweepPartials, withMemos, type Memos } from './session/index.js';
import type { WarmTools } from './session/warm-tools.js';
import { importIssue, writeManuscript } from './import/index.js';
import { loadManuscript, manuscriptEditions, offprintChapters, offprintOutputs } from './manuscript/index.js';
import { defaultStageTimeoutMs, resolve } from './resolve/index.js';
import { exitCode, FolioError, hasErrors, message, type Message } from './messages.js';
import { buildOffprints, settleOffprints } from './offprints/index.js';
import { renderPdf } from './pdf/index.js';

export type StageName = 'import' | 'pdf' | 'epub' | 'articles' | 'offprints' | 'check';

/** The stages in the order data flows, the order they are reported in. */
const stageOrder: readonly StageName[] = ['import', 'pdf', 'epub', 'articles', 'offprints', 'check'];

export interface BuildOptions {
  manuscriptDir: string;
  /** Where outputs go (default `build/` in the working directory). */
  outDir?: string;
  /** Re-import the manuscript from its source first (with the manuscript's editorial.yaml, if any). */
  reimport?: boolean;
  /** Stages to run; default all but import. */
  stages?: StageName[];
  chromePath?: string;
  /** Told when a stage starts and ends. */
  onProgress?: (event: { stage: StageName; state: 'start' | 'end'; seconds?: number; failed?: boolean }) => void;
  /** Told after each page the PDF stage lays out: pages done in this layout pass, out of the issue's. */
  onPages?: (done: number, total: number) => void;
  /** Tools kept running between builds (`folio build --watch`): used by the stages, not stopped. */
  tools?: WarmTools;
  /** When the Crossref deposit is made (its timestamp); default SOURCE_DATE_EPOCH, else now (`depositTime`). */
  depositedAt?: Date;
  /**
   * The memos of the session the build belongs to (`folio build --watch` hands one set to every
   * build, so a rebuild makes again only what an edit changed); default a set of its own.
   */
  memos?: Memos;
  /** The environment the run is resolved from (default `process.env`): CHROME_PATH, SOURCE_DATE_EPOCH, EPUBCHECK_JAR. */
  env?: NodeJS.ProcessEnv;
  /**
   * The watchdog of every stage, in milliseconds (default 20 minutes): a stage still running
   * then is abandoned with a `build-003` naming it, and the build ends (exit 2).
   */
  stageTimeoutMs?: number;
}

export interface StageResult {
  stage: StageName;
  seconds: number;
  ok: boolean;
  outputs: string[];
}

export interface BuildResult {
  stages: StageResult[];
  messages: Message[];
  /** The exit code, by the one rule of `exitCode(messages)`: 2 a tool failed, 1 the input has problems, 0 clean. */
  exitCode: 0 | 1 | 2;
}

/** An output whose check failed: which file, and whether the check found it unfaithful. */
function failedCheck(report: FidelityReport | undefined, messages: readonly Message[], stage: 'pdf' | 'epub'): boolean {
  const summary = report?.stages[stage];
  if (!summary) return false;
  if (summary.pagesFaithful < summary.pagesChecked || summary.wordsLost > 0 || summary.wordsAdded > 0 || summary.problems.length > 0) return true;
  return stage === 'pdf' && messages.some((m) => m.ruleId === 'check-012');
}

/** Runs the build. Stages after a failed one still run where they can (the EPUB needs no PDF). */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const messages: Message[] = [];
  const stages: StageResult[] = [];
  const wanted = new Set<StageName>(options.stages ?? ['pdf', 'epub', 'articles', 'offprints', 'check']);
  if (options.reimport) wanted.add('import');
  const outDir = path.resolve(options.outDir ?? 'build');
  const manuscriptDir = path.resolve(options.manuscriptDir);
  const finish = (): BuildResult => ({ stages, messages, exitCode: exitCode(messages) });
  // An output folder that cannot be made fails at once, naming it (a recursive mkdir under
  // /proc would spin for ever).
  const unwritable = await outputPathProblem(outDir, 'folder');
  if (unwritable) {
    messages.push(message('cli-004', `Unexpected output folder: ${unwritable}`, { file: outDir }));
    return finish();
  }
  const locked = await lockOutputDir(outDir);
  if (!locked.lock) {
    messages.push(
      message('build-001', `Unexpected second build into \`${outDir}\`${locked.heldBy ? ` while build ${locked.heldBy} is writing there` : ''}, expected one build per output folder`, {
        file: path.join(outDir, '.folio-build.lock'),
      }),
    );
    return finish();
  }
  try {
    // What a build killed mid-write left behind goes first (its lock was stale).
    await sweepPartials(outDir);
    await withMemos(options.memos ?? createMemos(), runStages);
    return finish();
  } finally {
    await locked.lock.release();
  }

  async function runStages(): Promise<void> {
    let stageMs = options.stageTimeoutMs ?? defaultStageTimeoutMs;
    const run = async (stage: StageName, work: () => Promise<{ ok: boolean; outputs: string[] }>): Promise<boolean> => {
      options.onProgress?.({ stage, state: 'start' });
      const started = performance.now();
      let result: { ok: boolean; outputs: string[] };
      let timer: NodeJS.Timeout | undefined;
      // Every stage has a watchdog, not only Chromium's: a stage that hangs (a tool that never
      // answers, a file system that never returns) ends the build rather than holding it.
      const watchdog = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FolioError([message('build-003', `Unexpected ${stage} stage still running after ${Math.round(stageMs / 1000)} s, expected it to finish; it was abandoned`)])), stageMs);
      });
      try {
        result = await Promise.race([work(), watchdog]);
      } catch (error) {
        // A stage that gave up with messages (an import that found no pages) reports them as
        // they are, not wrapped in a tool failure.
        if (error instanceof FolioError) messages.push(...error.messages);
        else messages.push(message('cli-002', `Unexpected failure in the ${stage} stage: ${(error as Error).message}`));
        result = { ok: false, outputs: [] };
      } finally {
        clearTimeout(timer);
      }
      const seconds = (performance.now() - started) / 1000;
      // Only what was really written counts as an output.
      stages.push({ stage, seconds, ok: result.ok, outputs: result.outputs.filter((file) => existsSync(file)) });
      options.onProgress?.({ stage, state: 'end', seconds, failed: !result.ok });
      return result.ok;
    };

    if (wanted.has('import')) {
      const ok = await run('import', async () => {
        const loaded = await loadManuscript(manuscriptDir);
        const source = loaded.manuscript?.issue.source;
        if (!loaded.manuscript || !source) {
          messages.push(...loaded.messages);
          return { ok: false, outputs: [] };
        }
        const editorial = path.join(manuscriptDir, 'editorial.yaml');
        const result = await importIssue({
          source: path.resolve(manuscriptDir, source),
          out: manuscriptDir,
          ...(existsSync(editorial) ? { editorial } : {}),
        });
        messages.push(...result.messages);
        if (!result.output || hasErrors(result.messages)) return { ok: false, outputs: [] };
        await writeManuscript(result.output, manuscriptDir);
        return { ok: true, outputs: [path.join(manuscriptDir, 'issue.yaml')] };
      });
      if (!ok) return;
    }

    // The manuscript is read and the run settled once, for every stage. A manuscript with errors
    // stops here, before anything is made: broken page markers would number pages wrongly, a
    // footnote call without a note would print as text. Its warnings are reported here, once.
    const resolvedRun = await resolve({
      manuscriptDir,
      outDir,
      ...(options.chromePath ? { chromePath: options.chromePath } : {}),
      ...(options.stageTimeoutMs !== undefined ? { stageTimeoutMs: options.stageTimeoutMs } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    messages.push(...resolvedRun.messages);
    const resolved = resolvedRun.output;
    if (!resolved || resolved.failed) return;
    stageMs = resolved.settings.stageTimeoutMs;
    const { manuscript } = resolved;
    const { pdf, epub } = resolved.settings.files;
    // The PDF and the EPUB need nothing of each other: they are made at once, each mostly
    // waiting on its own browser or validator. The check starts as soon as both files are
    // written (it reads the EPUB while EPUBCheck and Ace validate it). Messages are kept in
    // stage order.
    const pdfMessages: Message[] = [];
    const epubMessages: Message[] = [];
    const checkMessages: Message[] = [];
    let markEpubWritten: (written: boolean) => void = () => undefined;
    const epubWritten = new Promise<boolean>((resolve) => (markEpubWritten = resolve));
    const pdfDone = wanted.has('pdf')
      ? run('pdf', async () => {
          const result = await renderPdf({
            resolved,
            ...(options.onPages ? { onProgress: options.onPages } : {}),
            ...(options.tools ? { browser: options.tools.printBrowser } : {}),
          });
          pdfMessages.push(...result.messages);
          return { ok: !hasErrors(result.messages), outputs: [pdf, ...(result.printHtml ? [result.printHtml] : [])] };
        })
      : Promise.resolve(false);
    // The editions by language that this build makes, once the whole book is made.
    const editions: string[] = [];
    const epubDone = wanted.has('epub')
      ? run('epub', async () => {
          const given = options.tools ? { browser: options.tools.browser, epubcheck: options.tools.epubcheck, ace: options.tools.ace } : undefined;
          // One set of tools for the whole book and every book beside it.
          const { result, beside } = await withEpubTools(resolved, given, async (tools) => {
            const whole = await buildEpub({
              resolved,
              onWritten: () => markEpubWritten(true),
              // Set aside below, once the check has read it.
              setAsideInvalid: false,
              tools,
            });
            // Editions and the articles' EPUBs only beside a clean whole book (what fails it would
            // fail each of them again). One found invalid is set aside by its own build: the check
            // reads only its page-list.
            const besides = whole.out && !hasErrors(whole.messages) ? await buildBesideBook({ resolved, tools }) : { editions: [], articles: [] };
            return { result: whole, beside: besides };
          });
          epubMessages.push(...result.messages);
          const made = [...beside.editions, ...beside.articles];
          for (const edition of beside.editions) {
            epubMessages.push(...edition.messages);
            if (edition.out) editions.push(edition.language);
          }
          for (const article of beside.articles) epubMessages.push(...article.messages);
          const outputs = [...(result.out ? [result.out] : []), ...made.flatMap((e) => (e.out ? [e.out] : []))];
          return { ok: !hasErrors(epubMessages), outputs };
        }).finally(() => markEpubWritten(false))
      : Promise.resolve(false);
    // The article files need neither the PDF nor the EPUB; the check waits for them (below).
    const articlesMessages: Message[] = [];
    const articlesDone = wanted.has('articles')
      ? run('articles', async () => {
          const result = await buildArticles({ resolved, ...(options.depositedAt ? { depositedAt: options.depositedAt } : {}) });
          articlesMessages.push(...result.messages);
          return { ok: !hasErrors(result.messages), outputs: result.written };
        })
      : Promise.resolve(false);
    // The offprints are cut from this build's PDF once it is made without errors (or, the PDF
    // stage not wanted, from the PDF of an earlier build).
    const offprintsMessages: Message[] = [];
    const offprintsDone = wanted.has('offprints')
      ? pdfDone.then(async (pdfOk) => {
          if (!(pdfOk || (!wanted.has('pdf') && existsSync(pdf)))) return false;
          return run('offprints', async () => {
            const result = await buildOffprints({ resolved });
            offprintsMessages.push(...result.messages);
            return { ok: !hasErrors(result.messages), outputs: result.written };
          });
        })
      : Promise.resolve(false);
    let checkReport: FidelityReport | undefined;
    const checkDone = (async () => {
      // A stage not wanted leaves the file of an earlier build to check. The PDF of a failed PDF
      // stage, or an EPUB this build did not write, is left out of the check: the stage has
      // said why, and a file of an earlier build is not this build's output.
      const [pdfOk, epubOk] = await Promise.all([pdfDone, wanted.has('epub') ? epubWritten : Promise.resolve(false), articlesDone, offprintsDone]);
      // The editions' and the articles' page-lists are checked too, so the check waits for them.
      if (wanted.has('check') && wanted.has('epub') && (manuscriptEditions(manuscript).length > 0 || (offprintOutputs(manuscript).epub && offprintChapters(manuscript).length > 0))) await epubDone;
      if (!wanted.has('check')) return;
      await run('check', async () => {
        const result = await check({
          resolved,
          outDir,
          ...(pdfOk || !wanted.has('pdf') ? { pdf } : {}),
          ...(epubOk || !wanted.has('epub') ? { epub, editions } : {}),
          // The articles stage has read its JATS files back already.
          jats: !wanted.has('articles'),
          // The reader proof (a browser paging every EPUB, about half a minute for the bundled
          // issue) is `folio check`'s, not every build's.
          reader: false,
        });
        checkMessages.push(...result.messages);
        checkReport = result.report;
        return { ok: !hasErrors(result.messages) && !result.failedToRun, outputs: result.written };
      });
    })();
    await Promise.all([pdfDone, epubDone, articlesDone, offprintsDone, checkDone]);
    // An output with errors, or one the check found unfaithful, never sits where the next step
    // of a pipeline would take it: it is kept for inspection under a name that says so. A good
    // one replaces the copy of an earlier failed one.
    const written = { pdf: stages.some((st) => st.stage === 'pdf' && st.ok), epub: wanted.has('epub') && (await epubWritten) };
    for (const [stage, file] of [
      ['pdf', pdf],
      ['epub', epub],
    ] as const) {
      if (!wanted.has(stage) || !written[stage] || !existsSync(file)) continue;
      const own = stage === 'pdf' ? pdfMessages : epubMessages;
      const unfaithful = failedCheck(checkReport, checkMessages, stage);
      const invalid = knownInvalid(own);
      if (!invalid && !unfaithful) {
        await dropInvalid(file);
        continue;
      }
      const aside = await setAsideInvalid(file);
      const what = stage === 'pdf' ? 'PDF' : 'EPUB';
      if (invalid) own.push(message('epub-007', `The ${what} has errors: kept for inspection as \`${aside}\`, not at \`${file}\``, { file: aside }));
      else checkMessages.push(message('check-011', `The ${what} failed the check: kept for inspection as \`${aside}\`, not at \`${file}\``, { file: aside }));
      for (const st of stages) st.outputs = st.outputs.map((o) => (o === file ? aside : o));
    }
    // An offprint the check found wrong, or cut from a PDF that was set aside, goes aside too.
    const offprints = stages.find((st) => st.stage === 'offprints');
    if (offprints) {
      const settled = await settleOffprints(offprints.outputs, checkMessages, existsSync(pdf) ? undefined : pdf);
      checkMessages.push(...settled.messages);
      offprints.outputs = settled.outputs;
    }
    // Only what is still there counts as an output.
    for (const s of stages) s.outputs = s.outputs.filter((file) => existsSync(file));
    messages.push(...pdfMessages, ...epubMessages, ...articlesMessages, ...offprintsMessages, ...checkMessages);
    stages.sort((a, b) => stageOrder.indexOf(a.stage) - stageOrder.indexOf(b.stage));
  }
}
