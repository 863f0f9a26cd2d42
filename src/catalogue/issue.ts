/**
 * One issue of a catalogue, built the way every worker builds it (the local pool's and the
 * queue's): imported first when the catalogue gives a source, built by `build()` in a staging
 * folder with the worker's kept tools, then published to its output folder when the build and
 * its check pass, with `catalogue-issue.json` saying what was built from what. An issue whose
 * inputs have not changed since its last published build is not built again: a job run twice
 * (a worker killed after publishing, a catalogue enqueued again) publishes once.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { build } from '../build.js';
import type { FidelityReport } from '../check/index.js';
import { writeFileAtomic } from '../session/index.js';
import { importIssue, writeManuscript } from '../import/index.js';
import { exitCode, hasErrors, message, type Message } from '../messages.js';
import type { WarmTools } from '../session/warm-tools.js';
import type { CatalogueEntry } from './load.js';
import { publishFolder, stagingFolder, sweepStaging } from './publish.js';

/** What one issue's build came to: a row of the catalogue report. */
export interface IssueOutcome {
  name: string;
  out: string;
  exitCode: 0 | 1 | 2;
  /** Where the build now is: its output folder, `<out>.invalid` (kept for inspection), or nowhere. */
  publishedTo?: string;
  /** True when an earlier published build from the same inputs was kept. */
  reused: boolean;
  pages?: number;
  fidelity: 'faithful' | 'unfaithful' | 'not checked';
  /** Errors found per validator: EPUBCheck, Ace, the article outputs' readers. */
  validation: { epubcheck: number; ace: number; articles: number };
  seconds: number;
  /** The proof and the fidelity report, relative to the folder the build was published to. */
  proof?: string;
  fidelityReport?: string;
  /** A digest of the inputs: the entry and every file it names. */
  digest: string;
  builtBy: string;
  builtAt: string;
  messages: Message[];
}

/** What the worker lends the build. */
export interface IssueBuildOptions {
  tools?: WarmTools;
  onPages?: (done: number, total: number) => void;
  depositedAt?: Date;
  stageTimeoutMs?: number;
}

/** The record of a published build, inside its output folder. */
export const recordName = 'catalogue-issue.json';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** A digest of what the build reads: the entry's settings and the bytes of every input file. */
export async function inputDigest(entry: CatalogueEntry): Promise<string> {
  const hash = createHash('sha256');
  const { place: _place, ...settings } = entry;
  void _place;
  hash.update(JSON.stringify(settings));
  const files = [entry.source, entry.editorial].filter((f): f is string => f !== undefined);
  if (entry.manuscript !== undefined && (await stat(entry.manuscript)).isDirectory()) files.push(...(await filesUnder(entry.manuscript)));
  for (const file of files) hash.update(`${file}\n`).update(await readFile(file));
  return hash.digest('hex');
}

async function readRecord(out: string): Promise<IssueOutcome | undefined> {
  try {
    return JSON.parse(await readFile(path.join(out, recordName), 'utf8')) as IssueOutcome;
  } catch {
    return undefined;
  }
}

/** Builds and publishes one issue; never throws for a problem of the issue, which is in its messages. */
export async function buildCatalogueIssue(entry: CatalogueEntry, options: IssueBuildOptions = {}): Promise<IssueOutcome> {
  const started = performance.now();
  const digest = await inputDigest(entry);
  const outcome: IssueOutcome = {
    name: entry.name,
    out: entry.out,
    exitCode: 0,
    reused: false,
    fidelity: 'not checked',
    validation: { epubcheck: 0, ace: 0, articles: 0 },
    seconds: 0,
    digest,
    builtBy: `${hostname()}:${process.pid}`,
    builtAt: new Date().toISOString(),
    messages: [],
  };
  const published = await readRecord(entry.out);
  if (published?.digest === digest && published.exitCode === 0) {
    const note = message('catalogue-007', `Issue \`${entry.name}\` was published from these inputs by ${published.builtBy} at ${published.builtAt}: not built again`, entry.place);
    return { ...published, reused: true, messages: [note] };
  }
  await sweepStaging(entry.out);
  const staging = stagingFolder(entry.out);
  await rm(staging, { recursive: true, force: true });
  try {
    const messages = await buildInStaging(entry, staging, options, outcome);
    outcome.messages = messages.map((m) => (m.place ? { ...m, place: { ...m.place, file: m.place.file.split(staging).join(entry.out) } } : m));
    outcome.exitCode = exitCode(messages);
    outcome.seconds = (performance.now() - started) / 1000;
    // A build that passed is published; one the check or a validator found wrong is kept for
    // inspection beside it, never in its place; a tool failure or a manuscript error leaves nothing.
    const target = outcome.exitCode === 0 ? entry.out : outcome.fidelity !== 'not checked' && outcome.exitCode === 1 ? `${entry.out}.invalid` : undefined;
    if (target !== undefined) {
      outcome.publishedTo = target;
      await writeFileAtomic(path.join(staging, recordName), `${JSON.stringify(outcome, null, 2)}\n`);
      try {
        await publishFolder(staging, target);
      } catch (error) {
        delete outcome.publishedTo;
        outcome.messages.push(message('catalogue-005', `Unexpected failure publishing issue \`${entry.name}\` to \`${target}\` (${(error as Error).message}), expected a rename beside it to work`, { file: target }));
        outcome.exitCode = 2;
      }
    }
    return outcome;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Imports (for a source) and builds into `staging`; fills the outcome's facts, returns the messages. */
async function buildInStaging(entry: CatalogueEntry, staging: string, options: IssueBuildOptions, outcome: IssueOutcome): Promise<Message[]> {
  const messages: Message[] = [];
  let manuscriptDir = entry.manuscript;
  if (entry.source !== undefined) {
    manuscriptDir = path.join(staging, 'manuscript');
    const imported = await importIssue({ source: entry.source, out: manuscriptDir, ...(entry.editorial ? { editorial: entry.editorial } : {}), ...(entry.pages ? { pages: entry.pages } : {}) });
    messages.push(...imported.messages);
    if (!imported.output || hasErrors(imported.messages)) return messages;
    await writeManuscript(imported.output, manuscriptDir);
  }
  if (manuscriptDir === undefined) return messages;
  const result = await build({
    manuscriptDir,
    outDir: staging,
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.onPages ? { onPages: options.onPages } : {}),
    ...(options.depositedAt ? { depositedAt: options.depositedAt } : {}),
    ...(options.stageTimeoutMs ? { stageTimeoutMs: options.stageTimeoutMs } : {}),
  });
  messages.push(...result.messages);
  const written = result.stages.find((s) => s.stage === 'check')?.outputs ?? [];
  const reportFile = written.find((f) => f.endsWith('.fidelity.json'));
  const proof = written.find((f) => f.endsWith('.proof.html'));
  if (proof) outcome.proof = path.relative(staging, proof);
  if (reportFile) {
    outcome.fidelityReport = path.relative(staging, reportFile);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FidelityReport;
    outcome.pages = report.issue.pages;
    const faithful = report.pagesFaithful === report.pagesChecked && report.wordsLost === 0 && report.wordsAdded === 0;
    outcome.fidelity = faithful && !result.messages.some((m) => m.ruleId.startsWith('check-') && m.severity === 'error') ? 'faithful' : 'unfaithful';
  }
  outcome.validation = {
    epubcheck: result.messages.filter((m) => m.ruleId === 'epub-001').length,
    ace: result.messages.filter((m) => m.ruleId === 'epub-002').length,
    articles: result.messages.filter((m) => /^articles-00[2-5]$/u.test(m.ruleId)).length,
  };
  return messages;
}
