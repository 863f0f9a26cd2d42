/**
 * The whole build of an issue: (import,) PDF, EPUB, check — the same functions the single
 * commands call, with one timing per stage: the PDF and the EPUB at once, then the check. A
 * stage never prints; progress goes through the `onProgress` callback and problems come back
 * as messages.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { check } from './check/index.js';
import { buildEpub } from './epub/index.js';
import { importIssue, writeManuscript } from './import/index.js';
import { checkPageMarkers, loadManuscript } from './manuscript/index.js';
import { lockOutputDir } from './lock.js';
import { hasErrors, message, type Message } from './messages.js';
import { issueSlug, renderPdf } from './pdf/index.js';
import type { WarmTools } from './warm-tools.js';

export type StageName = 'import' | 'pdf' | 'epub' | 'check';

/** The stages in the order data flows, the order they are reported in. */
const stageOrder: readonly StageName[] = ['import', 'pdf', 'epub', 'check'];

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
  /** True when a tool failed (exit code 2) rather than the manuscript or outputs having problems. */
  toolFailed: boolean;
}

/** Runs the build. Stages after a failed one still run where they can (the EPUB needs no PDF). */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const messages: Message[] = [];
  const stages: StageResult[] = [];
  const wanted = new Set<StageName>(options.stages ?? ['pdf', 'epub', 'check']);
  if (options.reimport) wanted.add('import');
  const outDir = path.resolve(options.outDir ?? 'build');
  const manuscriptDir = path.resolve(options.manuscriptDir);
  let toolFailed = false;
  const locked = await lockOutputDir(outDir);
  if (!locked.lock) {
    messages.push(
      message('build-001', `Unexpected second build into \`${outDir}\`${locked.heldBy ? ` while build ${locked.heldBy} is writing there` : ''}, expected one build per output folder`, {
        file: path.join(outDir, '.folio-build.lock'),
      }),
    );
    return { stages, messages, toolFailed: true };
  }
  try {
    return await runStages();
  } finally {
    await locked.lock.release();
  }

  async function runStages(): Promise<BuildResult> {
    const run = async (stage: StageName, work: () => Promise<{ ok: boolean; outputs: string[] }>): Promise<boolean> => {
      options.onProgress?.({ stage, state: 'start' });
      const started = performance.now();
      let result: { ok: boolean; outputs: string[] };
      try {
        result = await work();
      } catch (error) {
        toolFailed = true;
        messages.push(message('cli-002', `Unexpected failure in the ${stage} stage: ${(error as Error).message}`));
        result = { ok: false, outputs: [] };
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
        if (hasErrors(result.messages)) return { ok: false, outputs: [] };
        await writeManuscript(result, manuscriptDir);
        return { ok: true, outputs: [path.join(manuscriptDir, 'issue.yaml')] };
      });
      if (!ok) return { stages, messages, toolFailed };
    }

    const loaded = await loadManuscript(manuscriptDir);
    // A manuscript with errors stops here: every stage would load it and report them again.
    // So do broken page markers: the PDF and the EPUB would number pages wrongly.
    // (Only on a manuscript that loaded whole: a chapter left out would read as missing pages.)
    const markerProblems = loaded.manuscript && !hasErrors(loaded.messages) ? checkPageMarkers(loaded.manuscript) : [];
    if (!loaded.manuscript || hasErrors(loaded.messages) || hasErrors(markerProblems)) {
      messages.push(...loaded.messages, ...markerProblems);
      return { stages, messages, toolFailed };
    }
    const name = issueSlug(loaded.manuscript);
    const pdf = path.join(outDir, `${name}.pdf`);
    const epub = path.join(outDir, `${name}.epub`);
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
            manuscriptDir,
            out: pdf,
            buildDir: outDir,
            ...(options.chromePath ? { chromePath: options.chromePath } : {}),
            ...(options.onPages ? { onProgress: options.onPages } : {}),
            ...(options.tools ? { browser: options.tools.printBrowser } : {}),
          });
          pdfMessages.push(...result.messages);
          if (result.messages.some((m) => m.ruleId === 'pdf-001' || m.ruleId === 'pdf-002' || m.ruleId === 'pdf-008')) toolFailed = true;
          return { ok: !hasErrors(result.messages), outputs: [pdf, ...(result.printHtml ? [result.printHtml] : [])] };
        })
      : Promise.resolve(false);
    const epubDone = wanted.has('epub')
      ? run('epub', async () => {
          const result = await buildEpub({
            manuscriptDir,
            out: epub,
            onWritten: () => markEpubWritten(true),
            ...(options.chromePath ? { chromePath: options.chromePath } : {}),
            ...(options.tools ? { tools: { browser: options.tools.browser, epubcheck: options.tools.epubcheck, ace: options.tools.ace } } : {}),
          });
          epubMessages.push(...result.messages);
          if (result.messages.some((m) => m.ruleId === 'epub-003')) toolFailed = true;
          return { ok: !hasErrors(result.messages), outputs: result.out ? [result.out] : [] };
        }).finally(() => markEpubWritten(false))
      : Promise.resolve(false);
    const checkDone = (async () => {
      // A stage not wanted leaves the file of an earlier build to check. The PDF of a failed PDF
      // stage, or an EPUB this build did not write, is left out of the check: the stage has
      // said why, and a file of an earlier build is not this build's output.
      const [pdfOk, epubOk] = await Promise.all([pdfDone, wanted.has('epub') ? epubWritten : Promise.resolve(false)]);
      if (!wanted.has('check')) return;
      await run('check', async () => {
        const result = await check({
          manuscriptDir,
          outDir,
          ...(pdfOk || !wanted.has('pdf') ? { pdf } : {}),
          ...(epubOk || !wanted.has('epub') ? { epub } : {}),
        });
        checkMessages.push(...result.messages);
        if (result.failedToRun) toolFailed = true;
        return { ok: !hasErrors(result.messages) && !result.failedToRun, outputs: result.written };
      });
    })();
    await Promise.all([pdfDone, epubDone, checkDone]);
    messages.push(...pdfMessages, ...epubMessages, ...checkMessages);
    stages.sort((a, b) => stageOrder.indexOf(a.stage) - stageOrder.indexOf(b.stage));
    return { stages, messages, toolFailed };
  }
}
