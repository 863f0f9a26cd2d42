/**
 * The resolve step: the manuscript read and checked once, and the settings of the run
 * (`./settings.ts`) settled once, before any stage runs. The environment is read here and
 * nowhere else: the stages and the commands receive the resolved value, and the tools they
 * start receive `env`, the environment with what was settled written back into it.
 */
import path from 'node:path';
import { epubcheckJar } from '../epub/epubcheck-tool.js';
import { issueSlug, loadManuscript, preflightErrors, sourceDateEpoch, type Manuscript } from '../manuscript/index.js';
import { hasErrors, message, type Message } from '../messages.js';
import { chromiumPath } from '../session/chromium.js';
import type { StageResult } from '../stage.js';
import { settings as settingsSchema, type Environment, type Settings } from './settings.js';

/** The default watchdog of a build stage: longer than any stage of a healthy build of a long issue. */
export const defaultStageTimeoutMs = 20 * 60_000;

/** What a command or a caller of the API knows before the manuscript is read. */
export interface ResolveInput {
  /** The manuscript folder (issue.yaml, chapters/). */
  manuscriptDir: string;
  /** The build folder (default `build` in the working folder). */
  outDir?: string;
  /** A PDF or EPUB path named by the user (`--out`), instead of `<outDir>/<slug>.<ext>`. */
  files?: { pdf?: string; epub?: string };
  /** The Chromium to run, instead of CHROME_PATH or the one installed. */
  chromePath?: string;
  /** The build stage watchdog in milliseconds (default `defaultStageTimeoutMs`). */
  stageTimeoutMs?: number;
  /** The environment to read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** A run resolved: the manuscript as read, the settings, and the environment for child processes. */
export interface Resolved {
  manuscript: Manuscript;
  settings: Settings;
  /**
   * The environment the tools run in (PATH, TMPDIR…), with CHROME_PATH, SOURCE_DATE_EPOCH and
   * EPUBCHECK_JAR set to what `settings.environment` says, so that a child process agrees with it.
   */
  env: NodeJS.ProcessEnv;
  /**
   * Set when the manuscript has an error: `loading` when issue.yaml or a chapter file is wrong,
   * `checks` when it loaded but would fail a stage half-way (a footnote call without a note, a
   * page marker repeated). Nothing is made of either; the check still reads the second, to say
   * which pages it upsets.
   */
  failed?: 'loading' | 'checks';
}

/** The settings of a run over `manuscript`: pure, from what the caller and the environment say. */
export function settle(manuscript: Pick<Manuscript, 'issue'>, input: ResolveInput): Settings {
  const outDir = path.resolve(input.outDir ?? 'build');
  const slug = issueSlug(manuscript) || 'issue';
  const pdf = path.resolve(input.files?.pdf ?? path.join(outDir, `${slug}.pdf`));
  return settingsSchema.parse({
    manuscriptDir: path.resolve(input.manuscriptDir),
    outDir,
    slug,
    files: {
      pdf,
      printHtml: path.join(path.dirname(pdf), `${slug}.print.html`),
      epub: path.resolve(input.files?.epub ?? path.join(outDir, `${slug}.epub`)),
      articles: path.join(outDir, 'articles'),
      crossref: path.join(outDir, 'crossref.xml'),
    },
    environment: settleEnvironment(input),
    stageTimeoutMs: input.stageTimeoutMs ?? defaultStageTimeoutMs,
  });
}

/** What the environment and the command line settle for the tools: needs no manuscript. */
export function settleEnvironment(input: Pick<ResolveInput, 'chromePath' | 'env'>): Environment {
  const env = input.env ?? process.env;
  const epoch = sourceDateEpoch(env);
  return {
    chromePath: input.chromePath ?? chromiumPath(env),
    ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
    epubcheckJar: epubcheckJar(env),
  };
}

/**
 * The environment the tools run in: `env` with what was settled written back into it, so that
 * a child process agrees with the run, and tools kept between runs (a watch session) see the
 * same environment in every build and are not started again for it.
 */
export function toolEnvironment(environment: Environment, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { chromePath, sourceDateEpoch: epoch, epubcheckJar } = environment;
  const settled: NodeJS.ProcessEnv = { ...env, CHROME_PATH: chromePath, EPUBCHECK_JAR: epubcheckJar };
  if (epoch !== undefined) settled.SOURCE_DATE_EPOCH = String(epoch);
  else delete settled.SOURCE_DATE_EPOCH;
  return settled;
}

/** The same run over a manuscript already in memory (an edition, a manuscript a caller made). */
export function resolvedFor(manuscript: Manuscript, input: ResolveInput, failed?: Resolved['failed']): Resolved {
  const settings = settle(manuscript, input);
  return { manuscript, settings, env: toolEnvironment(settings.environment, input.env ?? process.env), ...(failed ? { failed } : {}) };
}

/**
 * Reads the manuscript once, checks it (`preflightErrors`) and settles the run. The output is
 * absent only when the manuscript cannot be read at all; the messages are the loader's and the
 * checks' (errors set `failed`), to be reported once, by whoever resolved.
 */
export async function resolve(input: ResolveInput): Promise<StageResult<Resolved>> {
  const started = performance.now();
  const loaded = await loadManuscript(path.resolve(input.manuscriptDir));
  const timings = () => ({ resolve: Math.round(performance.now() - started) });
  if (!loaded.manuscript) return { messages: loaded.messages, timings: timings() };
  if (hasErrors(loaded.messages)) return { output: resolvedFor(loaded.manuscript, input, 'loading'), messages: loaded.messages, timings: timings() };
  const errors = preflightErrors(loaded.manuscript);
  return { output: resolvedFor(loaded.manuscript, input, errors.length > 0 ? 'checks' : undefined), messages: [...loaded.messages, ...errors], timings: timings() };
}

/** What a stage handed a manuscript that failed its checks says: it makes nothing (`build-004`). */
export function refusedManuscript(resolved: Resolved, what: string): Message {
  return message('build-004', `Unexpected manuscript with errors, expected one that passed its checks (they were reported when it was resolved): no ${what} is made of it`, { file: resolved.settings.manuscriptDir });
}
