/**
 * Ace by DAISY, run on the written EPUB with Debian's Chromium, in a process of its own
 * (`ace-worker.mjs`, which drives @daisy/ace-core as ace-cli does, in a browser started and
 * closed here, with the flags and clean-up of every Folio browser). Its JSON report is read,
 * not its exit code: every failed check becomes an `epub-002` message. With a cache folder,
 * the axe run of a content document unchanged since an earlier build is not repeated (see
 * `ace-worker.mjs` for what "unchanged" covers); the package-level checks always run.
 *
 * The worker runs one of two ways, with the same report, each a `Validator` (./validator.ts). One-shot, a process per validation;
 * or through a server (`startAceServer`, for `folio build --watch`): one worker, started by the
 * first validation and kept running, checks one EPUB after another, so that a rebuild does not
 * pay again for starting Node and loading Ace, most of a run whose documents all come from the
 * cache. The server is only ever a faster way to the same report: a worker that cannot start,
 * dies, hangs or fails is dropped and that validation runs one-shot, and the next one starts
 * another worker.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KeptBrowser, keptOrLaunched, KeptProcess, launchChromium, cacheKey } from '../session/index.js';
import { FolioError, message, type Message, type Place } from '../messages.js';
import { chromiumIdentity } from './cache.js';
import { oneShot, type ValidationResult, type Validator } from './validator.js';

interface AceTest {
  'earl:impact'?: string;
  'dct:title'?: string;
  'dct:description'?: string;
  help?: { url?: string };
}

interface AceAssertion {
  'earl:result'?: { 'earl:outcome'?: string; 'dct:description'?: string; 'earl:pointer'?: { css?: string[]; cfi?: string[] } };
  'earl:test'?: AceTest;
  'earl:testSubject'?: { url?: string };
  assertions?: AceAssertion[];
}

interface AceReport {
  'earl:result'?: { 'earl:outcome'?: string };
  assertions?: AceAssertion[];
  'a11y-metadata'?: { missing?: string[] };
}

/**
 * One violation as Ace reported it, about a place inside the EPUB: not tied to where the EPUB
 * was written or to the manuscript, so that it can be kept and shown again for the same bytes.
 */
export interface AceFinding {
  /** The content document (path inside the package folder), when the violation is in one. */
  document?: string;
  /** The CSS selector Ace points at. */
  selector?: string;
  /** What is wrong, without the place. */
  text: string;
}

/** The result of one Ace run. */
export interface AceResult extends ValidationResult<AceFinding> {
  /** How many checks failed. */
  violations: number;
  /** Content documents whose axe run was done now, and those whose result came from the cache. */
  documents?: { checked: number; reused: number };
  /**
   * Which worker ran Ace (absent when it could not run): the server's, already running ('warm')
   * or started for this validation ('started'), or a one-shot worker ('cold'), which is also
   * what a validation given a server falls back to.
   */
  worker?: 'warm' | 'started' | 'cold';
}

/** The Ace command-line script, or undefined when @daisy/ace-cli is not installed. */
export function aceScript(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@daisy/ace-cli/bin/ace.js');
  } catch {
    return undefined;
  }
}

// From the project folder, two folders above this module (src/epub/, or the bundle in node_modules/.folio/).
const workerScript = fileURLToPath(new URL('../../src/epub/ace-worker.mjs', import.meta.url));

/** The versions of the Ace packages that decide what it finds; undefined when Ace is not installed. */
async function aceVersions(): Promise<string | undefined> {
  try {
    const fromCli = createRequire(createRequire(import.meta.url).resolve('@daisy/ace-cli/package.json'));
    const ours = createRequire(import.meta.url);
    const packages = ['@daisy/ace-cli', '@daisy/ace-core', '@daisy/axe-core-for-ace', '@daisy/ace-report-axe', '@daisy/epub-utils'];
    const versions = await Promise.all(
      [...packages.map((name) => fromCli.resolve(`${name}/package.json`)), ours.resolve('puppeteer-core/package.json')].map(async (manifest) => {
        const { name, version } = JSON.parse(await readFile(manifest, 'utf8')) as { name?: string; version?: string };
        return `${name ?? '?'}@${version ?? '?'}`;
      }),
    );
    return versions.join(' ');
  } catch {
    return undefined;
  }
}

/**
 * What identifies the Ace that would run: its packages, the Chromium it drives, Node and the
 * worker script. Undefined when any of them cannot be read; nothing is then taken from a cache.
 */
export async function aceIdentity(chromePath: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const [versions, chromium, script] = await Promise.all([aceVersions(), chromiumIdentity(chromePath), readFile(workerScript).catch(() => undefined)]);
  if (versions === undefined || chromium === undefined || script === undefined) return undefined;
  // Ace reads one setting from the environment that changes what it reports.
  return cacheKey('folio-ace-1', versions, chromium, process.version, script, `media:${env.ACE_DO_NOT_REPORT_MEDIA_RESOURCES ?? ''}`);
}

/** How long Ace may take, start to end, and its browser to start. */
const aceTimeoutMs = 15 * 60_000;

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, maxBuffer: 256 * 1024 * 1024, timeout: aceTimeoutMs }, (error, stdout, stderr) => {
      const code = error && typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (error as unknown as { code: number }).code : error ? null : 0;
      resolve(error ? { stdout, stderr, code, error } : { stdout, stderr, code });
    });
  });
}

/** Collects the failed leaf assertions of a report, with the document each is about. */
function failures(assertions: readonly AceAssertion[] | undefined, document: string | undefined, into: { document: string | undefined; assertion: AceAssertion }[]): void {
  for (const assertion of assertions ?? []) {
    const here = assertion['earl:testSubject']?.url ?? document;
    if (assertion.assertions && assertion.assertions.length > 0) failures(assertion.assertions, here, into);
    else if (assertion['earl:result']?.['earl:outcome'] === 'fail') into.push({ document: here, assertion });
  }
}

/** The violations of a report as findings. */
function reportFindings(report: AceReport): AceFinding[] {
  const found: { document: string | undefined; assertion: AceAssertion }[] = [];
  failures(report.assertions, undefined, found);
  const findings = found.map(({ document, assertion }): AceFinding => {
    const test = assertion['earl:test'] ?? {};
    const result = assertion['earl:result'] ?? {};
    const selector = result['earl:pointer']?.css?.[0];
    const text = `Ace ${test['earl:impact'] ?? 'violation'} ${test['dct:title'] ?? 'unknown'}: ${result['dct:description'] ?? test['dct:description'] ?? ''}`;
    return { ...(document ? { document } : {}), ...(selector ? { selector } : {}), text };
  });
  if (findings.length === 0 && report['earl:result']?.['earl:outcome'] === 'fail') findings.push({ text: 'Ace by DAISY reported a failure without details' });
  return findings;
}

/** Whether a value read from a cache is a list of findings. */
export function isAceFindings(value: unknown): value is AceFinding[] {
  return (
    Array.isArray(value) &&
    value.every(
      (f: Partial<AceFinding> | null) =>
        f !== null && typeof f === 'object' && typeof f.text === 'string' && (f.document === undefined || typeof f.document === 'string') && (f.selector === undefined || typeof f.selector === 'string'),
    )
  );
}

/** Turns findings into messages: at the manuscript place `locate` gives, else inside the EPUB at `epub`. */
export function aceMessages(findings: readonly AceFinding[], epub: string, locate?: AceOptions['locate']): Message[] {
  return findings.map(({ document, selector, text }) => {
    const inEpub = document ? `${document}${selector ? `, at \`${selector}\`` : ''}` : selector ? `at \`${selector}\`` : '';
    const reason = `${text}${inEpub ? ` (${inEpub})` : ''}`;
    const place = (document ? locate?.(document, selector) : undefined) ?? { file: document ? `${epub}/${document}` : epub };
    return message('epub-002', reason.replace(/\s*\n\s*/g, '; ').trim(), place);
  });
}

/** Options of `runAce`. */
export interface AceOptions {
  /** Chromium for Ace's checks (puppeteer's PUPPETEER_EXECUTABLE_PATH). */
  chromePath: string | undefined;
  env?: NodeJS.ProcessEnv;
  /**
   * Where a person should look for a violation in a content document (path inside the EPUB's
   * package folder) at a CSS selector: the manuscript line, when known.
   */
  locate?: (document: string, selector: string | undefined) => Place | undefined;
  /** Where the axe results of content documents are kept between runs; nothing is kept without it. */
  cacheDir?: string;
  /** A browser kept between builds: used, not closed. */
  browser?: KeptBrowser;
  /** A server to run Ace through; a validation it cannot serve runs one-shot, as without it. */
  server?: AceServer;
}

/** What the worker writes to the report file of a request. */
interface WorkerOutput {
  report: AceReport;
  documents?: { checked: number; reused: number };
}

/** The worker's output in `file`; undefined when there is none, or not a whole one. */
async function readOutput(file: string): Promise<WorkerOutput | undefined> {
  try {
    const output = JSON.parse(await readFile(file, 'utf8')) as Partial<WorkerOutput> | null;
    return output?.report !== null && typeof output?.report === 'object' ? (output as WorkerOutput) : undefined;
  } catch {
    return undefined;
  }
}

/** What a validation by Ace is given: `runAce`'s options but the server, which is the validator's own business. */
export type AceValidation = Omit<AceOptions, 'server'>;

/** Options of `startAceServer`. */
export interface AceServerOptions {
  /**
   * How long one validation may take, the worker's start included, before the worker is taken
   * for hung and killed (default fifteen minutes, as for a one-shot run).
   */
  timeoutMs?: number;
  /**
   * Workers to serve validations with (default 1): each serves one at a time, and a validation
   * goes to the worker with the fewest under way. Each started on its first validation.
   */
  workers?: number;
}

/**
 * Ace in workers kept running between validations, for `AceOptions.server`. A worker starts on
 * the first validation it is given; each serves its validations one at a time.
 */
export interface AceServer extends Validator<AceValidation, AceResult> {
  /** The process id of the (first) worker while one runs, for tests and diagnostics. */
  readonly pid: number | undefined;
  /**
   * Ends the workers: their stdin is closed, and it is killed if it has not exited soon after.
   * Resolves once it has exited; later validations given this server run one-shot.
   */
  close(): Promise<void>;
}

class AceWorkerServer implements AceServer {
  /** Validations under way, by worker. */
  private readonly load: number[];

  constructor(private readonly workers: KeptProcess[]) {
    this.load = workers.map(() => 0);
  }

  get pid(): number | undefined {
    return this.workers[0]?.pid;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  /** Validates `epub` through the worker, or one-shot when it cannot. */
  validate(epub: string, options: AceValidation): Promise<AceResult> {
    return runAce(epub, { ...options, server: this });
  }

  /**
   * The output of the worker for `request`, run by Ace `identity` in `env`; undefined when the
   * server cannot give it, and the validation is then to run one-shot.
   */
  async check(request: { report: string }, identity: string, env: NodeJS.ProcessEnv): Promise<{ output: WorkerOutput; worker: 'warm' | 'started' } | undefined> {
    // The worker with the fewest validations under way (the first of those, so that one
    // validation at a time always goes to the same worker).
    const index = this.load.indexOf(Math.min(...this.load));
    const worker = this.workers[index];
    if (!worker) return undefined;
    this.load[index] = (this.load[index] ?? 0) + 1;
    try {
      const served = await worker.request({
        // The worker runs in the environment it was started with: another environment, or another
        // Ace, worker script, Node or Chromium (an upgrade while a watch runs), needs another worker.
        key: cacheKey(identity, ...Object.entries(env).map(([name, value]) => `${name}=${value ?? ''}`).sort()),
        // Started as the one-shot worker is, in its environment. Its stderr, where Ace's console
        // output goes, is not read: the report says what it found.
        start: () => spawn(process.execPath, [workerScript, '--serve'], { env, stdio: ['pipe', 'pipe', 'ignore'] }),
        line: JSON.stringify(request),
        accept: async (answer) => (answer === 'done\t0' ? readOutput(request.report) : undefined),
      });
      return served && { output: served.value, worker: served.process };
    } finally {
      this.load[index] = (this.load[index] ?? 1) - 1;
    }
  }
}

/**
 * A server for `runAce` to run Ace through. Nothing runs until the first validation through it;
 * `close` ends it.
 */
export function startAceServer(options: AceServerOptions = {}): AceServer {
  // Two workers in a row that ended before they wrote a single report: Node cannot run the
  // worker, or Ace cannot load, and no more are started.
  const workers = Array.from({ length: Math.max(1, Math.floor(options.workers ?? 1)) }, () => new KeptProcess({ timeoutMs: options.timeoutMs ?? aceTimeoutMs, maxFailedStarts: 2, exitGraceMs: 2_000 }));
  return new AceWorkerServer(workers);
}

/** Ace one-shot, a worker per validation, as a `Validator`. */
export function oneShotAce(): Validator<AceValidation, AceResult> {
  return oneShot(runAce);
}

/** Runs Ace on an EPUB, through `options.server` when it can, and turns its violations into messages. */
export async function runAce(epub: string, options: AceOptions): Promise<AceResult> {
  const { chromePath, env = process.env, locate } = options;
  if (aceScript() === undefined) {
    return { violations: 0, messages: [message('epub-004', 'Unexpected missing Ace by DAISY, expected @daisy/ace-cli installed (PUPPETEER_SKIP_DOWNLOAD=1 npm install -D @daisy/ace-cli)', { file: epub })] };
  }
  if (chromePath === undefined) {
    return { violations: 0, messages: [message('epub-004', 'Unexpected missing Chromium for Ace, expected the Debian chromium package or CHROME_PATH', { file: epub })] };
  }
  const identity = await aceIdentity(chromePath, env);
  // Results of single documents are kept only when the tools are known for certain.
  const toolKey = options.cacheDir !== undefined ? identity : undefined;
  let chromium;
  try {
    chromium = await keptOrLaunched(options.browser, () => launchChromium({ chromePath, timeoutMs: aceTimeoutMs, ruleId: 'epub-004' }));
  } catch (error) {
    if (error instanceof FolioError) return { violations: 0, messages: error.messages.map((m) => ({ ...m, place: m.place ?? { file: epub } })) };
    throw error;
  }
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'folio-ace-'));
  try {
    // Absolute paths only: a kept worker may have been started in another working folder.
    const request = (report: string) => ({
      epub: path.resolve(epub),
      report,
      browser: chromium.browser.wsEndpoint(),
      lanes: Math.min(4, os.availableParallelism()),
      ...(toolKey !== undefined && options.cacheDir !== undefined ? { cacheDir: path.resolve(options.cacheDir), toolKey } : {}),
    });
    // A report file of each way's own, so that what a failed server wrote is never read as the one-shot report.
    const served = options.server instanceof AceWorkerServer && identity !== undefined ? await options.server.check(request(path.join(outdir, 'served.json')), identity, env) : undefined;
    let output = served?.output;
    if (!output) {
      const reportFile = path.join(outdir, 'report.json');
      const result = await run([workerScript, JSON.stringify(request(reportFile))], env);
      output = await readOutput(reportFile);
      if (!output) {
        const why = [result.stderr, result.error?.message ?? ''].join('\n').trim().split('\n').slice(0, 3).join(' ');
        return { violations: 0, messages: [message('epub-004', `Unexpected failure to run Ace by DAISY (exit ${String(result.code)}): ${why}`, { file: epub })] };
      }
    }
    const findings = reportFindings(output.report);
    const documents = output.documents;
    return { violations: findings.length, messages: aceMessages(findings, epub, locate), findings, ...(documents ? { documents } : {}), worker: served?.worker ?? 'cold' };
  } finally {
    await chromium.close();
    await rm(outdir, { recursive: true, force: true });
  }
}
