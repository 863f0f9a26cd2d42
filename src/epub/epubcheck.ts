/**
 * EPUBCheck, run on the written EPUB. Its JSON report is read, not its exit code: every fatal,
 * error and warning becomes an `epub-001` message pointing into the EPUB.
 *
 * It runs in one of two ways, with the same findings, each a `Validator` (./validator.ts): one-shot
 * (`oneShotEpubcheck`; ./epubcheck-archive.ts, with its class-data archive) or through a kept
 * JVM (`startEpubcheckServer`; ./epubcheck-server.ts). The report is read in
 * ./epubcheck-report.ts, the tool found and identified in ./epubcheck-tool.ts.
 */
import { runOneShot } from './epubcheck-archive.js';
import type { EpubcheckResult } from './epubcheck-report.js';
import { type EpubcheckServer, type EpubcheckValidation } from './epubcheck-server.js';
import { oneShot, type Validator } from './validator.js';

export { epubcheckMessages, isEpubcheckFindings, type EpubcheckFinding, type EpubcheckResult } from './epubcheck-report.js';
export { startEpubcheckServer, type EpubcheckServer, type EpubcheckServerOptions, type EpubcheckValidation } from './epubcheck-server.js';
export { defaultEpubcheckJar, epubcheckJar, epubcheckTool, type EpubcheckTool } from './epubcheck-tool.js';

/** Options of `runEpubcheck`. */
export interface EpubcheckOptions {
  /** Where the class-data archive is kept between runs; without it the JVM starts without one. */
  cacheDir?: string;
  /** A server to validate through; a validation it cannot serve runs one-shot, as without it. */
  server?: EpubcheckServer;
}

/** Runs EPUBCheck on an EPUB, through `options.server` when it can, and turns its findings into messages. */
export function runEpubcheck(epub: string, env: NodeJS.ProcessEnv = process.env, options: EpubcheckOptions = {}): Promise<EpubcheckResult> {
  const validation = { env, ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}) };
  return options.server ? options.server.validate(epub, validation) : runOneShot(epub, env, options.cacheDir);
}

/** EPUBCheck one-shot, a JVM per validation, as a `Validator`. */
export function oneShotEpubcheck(): Validator<EpubcheckValidation, EpubcheckResult> {
  return oneShot((epub, validation) => runOneShot(epub, validation.env ?? process.env, validation.cacheDir));
}
