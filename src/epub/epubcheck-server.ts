/**
 * EPUBCheck in a JVM kept running between validations.
 *
 * Through a server (`startEpubcheckServer`, for `folio build --watch`): one JVM, started by the
 * first validation and kept running, validates one EPUB after another (`EpubcheckServer.java`),
 * a tenth of a one-shot run's time once it is warm. It is only ever a faster way to the same
 * report: a JVM that cannot start, dies, hangs or writes no report is dropped and that
 * validation runs one-shot, and the next one starts another JVM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeptProcess } from '../session/index.js';
import { runOneShot } from './epubcheck-archive.js';
import { parseReport, reportResult, type EpubcheckReport, type EpubcheckResult } from './epubcheck-report.js';
import { epubcheckTool, jvmFlags, type EpubcheckTool } from './epubcheck-tool.js';
import type { Validator } from './validator.js';

/** What a validation by EPUBCheck may be given: the environment naming the tool, and the archive's cache folder. */
export interface EpubcheckValidation {
  /** Names the EPUBCheck (`EPUBCHECK_JAR`, and `java` on the PATH); default the server's, or Node's. */
  env?: NodeJS.ProcessEnv;
  /** Where a one-shot run keeps its class-data archive; without it the JVM starts without one. */
  cacheDir?: string;
}

// From the project folder, two folders above this module (src/epub/, or the bundle in node_modules/.folio/).
const serverSource = fileURLToPath(new URL('../../src/epub/EpubcheckServer.java', import.meta.url));

/**
 * How long one validation through the server may take, the first one's JVM start and
 * compilation included, before the JVM is taken for hung: minutes for what takes seconds.
 */
const serverTimeoutMs = 5 * 60_000;

/** Characters the server's line protocol cannot carry in a path (Java's readLine ends a line at \r too). */
const unsafeInLine = /[\t\n\r]/;

/** Options of `startEpubcheckServer`. */
export interface EpubcheckServerOptions {
  /** How long one validation may take before the JVM is taken for hung and killed (default five minutes). */
  timeoutMs?: number;
}

/**
 * EPUBCheck in a JVM kept running between validations, for `EpubcheckOptions.server`. The JVM
 * starts on the first validation through it; validations are served one at a time.
 */
export interface EpubcheckServer extends Validator<EpubcheckValidation, EpubcheckResult> {
  /** The process id of the JVM while one runs, for tests and diagnostics. */
  readonly pid: number | undefined;
  /**
   * Ends the JVM: its stdin is closed, and it is killed if it has not exited soon after.
   * Resolves once it has exited and the files of its last validation are removed; later
   * validations given this server run one-shot.
   */
  close(): Promise<void>;
}

/** The server: a kept JVM behind the one-shot run it falls back to. */
class ServerProcess implements EpubcheckServer {
  /** Validations under way: `close` waits for them, so that their files are gone when it resolves. */
  private readonly underWay = new Set<Promise<unknown>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly jvm: KeptProcess,
  ) {}

  get pid(): number | undefined {
    return this.jvm.pid;
  }

  async close(): Promise<void> {
    await this.jvm.close();
    await Promise.all(this.underWay);
  }

  /** Validates `epub` through the JVM, or one-shot when it cannot. */
  async validate(epub: string, options: EpubcheckValidation = {}): Promise<EpubcheckResult> {
    const env = options.env ?? this.env;
    const tool = await epubcheckTool(env);
    const served = tool ? await this.serveReport(epub, tool) : undefined;
    if (served) return { ...reportResult(served.report, epub), jvm: served.jvm };
    return runOneShot(epub, env, options.cacheDir);
  }

  /**
   * The report of EPUBCheck `tool` on `epub`, written by the server's JVM; undefined when the
   * server cannot give it, and the validation is then to run one-shot.
   */
  private serveReport(epub: string, tool: EpubcheckTool): Promise<{ report: EpubcheckReport; jvm: 'warm' | 'started' } | undefined> {
    const validation = this.serve(epub, tool);
    const settled = validation.catch(() => undefined);
    this.underWay.add(settled);
    void settled.then(() => this.underWay.delete(settled));
    return validation;
  }

  private async serve(epub: string, tool: EpubcheckTool): Promise<{ report: EpubcheckReport; jvm: 'warm' | 'started' } | undefined> {
    // A path the line protocol cannot carry, or one EPUBCheck would read as an option.
    if (unsafeInLine.test(epub) || epub.startsWith('-')) return undefined;
    // The EPUBCheck of this server's environment, looked at again as the one-shot run does, so
    // that an upgrade while a watch runs restarts the JVM, and a caller of another one is not served.
    const own = await epubcheckTool(this.env);
    if (own?.identity !== tool.identity) return undefined;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-epubcheck-'));
    try {
      const reportFile = path.join(dir, 'report.json');
      if (unsafeInLine.test(reportFile)) return undefined;
      const served = await this.jvm.request({
        key: own.identity,
        // Started as the one-shot `java` is, in Node's environment and working folder. Its stderr,
        // where EPUBCheck's own console output goes, is not read: the report says what it found.
        // The server's JVM runs with the one-shot flags, the client compiler only (C1): C2's code
        // does not pay for itself even over many validations. Measured on the 16 EPUBs of the
        // bundled issue, validated three times over in one JVM (48 validations), C1 only took
        // 14.1 s and 16.5 s of CPU, C1 and C2 16.9 s and 31.5 s of CPU (C2's compiler threads take
        // a core of two); over the first four, 7.6 s against 12.2 s. (Read here, not at module
        // load: epubcheck-tool.js may still be loading when this module is, through session/.)
        start: () => spawn('java', [...jvmFlags, '-cp', own.classPath.join(path.delimiter), serverSource], { stdio: ['pipe', 'pipe', 'ignore'] }),
        line: `${epub}\t${reportFile}`,
        // The JVM resolves a relative path against the folder Node was in when it started.
        relativePaths: !path.isAbsolute(epub),
        accept: async (answer) => {
          const done = /^done\t(-?\d+)$/.exec(answer);
          return done && Number(done[1]) >= 0 ? parseReport(await readFile(reportFile, 'utf8').catch(() => '')) : undefined;
        },
      });
      return served && { report: served.value, jvm: served.process };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A server to validate through (itself, or `runEpubcheck`'s `server`), of the EPUBCheck `env` names (as for
 * `runEpubcheck`: `EPUBCHECK_JAR`, and `java` on the PATH). Nothing runs until the first
 * validation through it; `close` ends it.
 */
export function startEpubcheckServer(env: NodeJS.ProcessEnv = process.env, options: EpubcheckServerOptions = {}): EpubcheckServer {
  // Two JVMs in a row that ended before they wrote a single report: Java, its compiler module
  // or the server's source is missing or broken, and no more are started.
  return new ServerProcess(env, new KeptProcess({ timeoutMs: options.timeoutMs ?? serverTimeoutMs, maxFailedStarts: 2, exitGraceMs: 2_000 }));
}
