/**
 * The tools a watch session keeps running between its builds: a Chromium with the print flags
 * (the PDF stage), one with the common flags (the EPUB's cover and Ace), EPUBCheck's JVM and
 * Ace's worker (Node with ace-core loaded). A
 * one-off build starts and stops each tool inside its stage; a session starts each on first use
 * and keeps it, so that a rebuild after an edit pays for its work, not for start-ups (a browser
 * start is about a second of CPU, a cold EPUBCheck three to four). A browser that crashed or was
 * closed is started again on its next use; so is the JVM (see `startEpubcheckServer`).
 */
import { chromiumPath, launchChromium, type ChromiumBrowser, type KeptBrowser } from './chromium.js';
import { startAceServer, type AceServer } from '../epub/ace.js';
import { startEpubcheckServer, type EpubcheckServer } from '../epub/epubcheck.js';
import { launchChromium as launchPrintChromium } from '../pdf/browser.js';

/** A watch session's tools: each started on first use and kept until `close`. */
export interface WarmTools {
  /** Chromium with the flags Paged.js needs. */
  printBrowser: KeptBrowser;
  /** Chromium with the common flags. */
  browser: KeptBrowser;
  epubcheck: EpubcheckServer;
  /** Ace's worker, with ace-core loaded. */
  ace: AceServer;
  /**
   * Starts every tool and has EPUBCheck and Ace validate `epub` once (Ace with the axe
   * results in `cacheDir`), their findings thrown away: a tool's first validation is its
   * slowest (the JVM compiles the server and EPUBCheck's hot code, the worker loads ace-core),
   * better paid while the person reads the last build than after their next save. Failures
   * are left for the next build to meet and report.
   */
  warm(epub: string, cacheDir: string): Promise<void>;
  /** Stops every tool that was started; the session cannot be used afterwards. */
  close(): Promise<void>;
}

/** Options of `startWarmTools`. */
export interface WarmToolsOptions {
  chromePath?: string;
  /** How long a browser may take to start (default a minute). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Ace workers to keep (default 1; see `startAceServer`). */
  aceWorkers?: number;
}

/** A browser started on first use and kept while it is connected. */
function kept(launch: () => Promise<ChromiumBrowser>): { get: KeptBrowser; close: () => Promise<void> } {
  let running: Promise<ChromiumBrowser> | undefined;
  let closed = false;
  return {
    get: async () => {
      if (closed) throw new Error('Unexpected use of a closed tool session, expected one still open');
      const current = running;
      if (current) {
        const ready = await current.catch(() => undefined);
        if (ready?.browser.connected) return ready;
        // Another caller may have started a new one while this one waited.
        if (running !== current && running) return running;
        void ready?.close();
      }
      running = launch();
      return running;
    },
    close: async () => {
      closed = true;
      await running?.then((browser) => browser.close(), () => undefined);
    },
  };
}

/** Starts a session: nothing runs until a stage asks for it. */
export function startWarmTools(options: WarmToolsOptions = {}): WarmTools {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const chrome = options.chromePath !== undefined ? { chromePath: options.chromePath } : {};
  const print = kept(() => launchPrintChromium({ ...chrome, timeoutMs }));
  const common = kept(() => launchChromium({ ...chrome, timeoutMs, ruleId: 'epub-004' }));
  const epubcheck = startEpubcheckServer(options.env);
  const ace = startAceServer(options.aceWorkers !== undefined ? { workers: options.aceWorkers } : {});
  return {
    printBrowser: print.get,
    browser: common.get,
    epubcheck,
    ace,
    async warm(epub, cacheDir) {
      const chromePath = options.chromePath ?? chromiumPath(options.env);
      const env = options.env ? { env: options.env } : {};
      const validations = [epubcheck.validate(epub, env), ace.validate(epub, { chromePath, cacheDir, browser: common.get, ...env })];
      await Promise.all([print.get(), ...validations].map((started) => started.catch(() => undefined)));
    },
    async close() {
      await Promise.all([print.close(), common.close(), epubcheck.close(), ace.close()]);
    },
  };
}
