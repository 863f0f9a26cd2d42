/**
 * Chromium for printing: Debian's browser driven by puppeteer-core, with no network, a fresh
 * profile removed afterwards, dialogs dismissed, and a kill on failure or Ctrl-C.
 */
import { constants, rmSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { FolioError, message } from '../messages.js';

/** Where Chromium is looked for unless `CHROME_PATH` says otherwise. */
export const defaultChromePath = '/usr/bin/chromium';

/** The Chromium flags: headless, sandbox-free (root in CI), quiet, no background traffic. */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // Paged.js fetches the stylesheets with XMLHttpRequest; from file:// that needs this.
  '--allow-file-access-from-files',
  // Unhinted metrics: the same line breaks on screen as in the PDF.
  '--font-render-hinting=none',
  // Paged.js waits one animation frame per page: keep a hidden tab from being throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** A running browser and what must be undone when it is done with. */
export interface PrintBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Starts Chromium. A missing or broken executable is a `pdf-001` error naming the path tried. */
export async function launchChromium(options: { chromePath?: string; timeoutMs: number }): Promise<PrintBrowser> {
  const executablePath = options.chromePath ?? process.env.CHROME_PATH ?? defaultChromePath;
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new FolioError([
      message(
        'pdf-001',
        `Unexpected missing Chromium at \`${executablePath}\`, expected an executable browser; install Debian's chromium or set CHROME_PATH to one`,
      ),
    ]);
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'folio-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir,
      args: chromiumFlags,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: options.timeoutMs,
      protocolTimeout: options.timeoutMs,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new FolioError([
      message('pdf-001', `Unexpected failure starting Chromium at \`${executablePath}\` (${(error as Error).message.split('\n')[0]}), expected a working browser; set CHROME_PATH to another`),
    ]);
  }
  // Chromium runs in a process group of its own (puppeteer starts it detached): killing the
  // group takes the renderer, GPU and zygote processes with it.
  const killGroup = (): void => {
    const pid = browser.process()?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      browser.process()?.kill('SIGKILL');
    }
  };
  // Ctrl-C must not leave a browser behind.
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup();
    void rm(userDataDir, { recursive: true, force: true }).finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A process that ends while the browser is up (a test runner finishing, an uncaught error)
  // still takes the profile folder with it; puppeteer kills the browser itself on exit.
  const onExit = () => rmSync(userDataDir, { recursive: true, force: true });
  process.once('exit', onExit);
  let closed = false;
  return {
    browser,
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('exit', onExit);
      const child = browser.process();
      await Promise.race([browser.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child && child.exitCode === null && child.signalCode === null) killGroup();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a tab (in the browser's default context, or in the context given) that may load only
 * files under `allowedDir` (and inline data), dismisses dialogs, and records page errors,
 * Paged.js layout failures and blocked requests for the caller to turn into messages.
 */
export async function openPrintPage(browser: Browser | BrowserContext, allowedDir: string): Promise<{ page: Page; problems: string[]; blocked: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const blocked: string[] = [];
  const root = path.resolve(allowedDir) + path.sep;
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:')) return void request.continue();
    if (url.startsWith('file://')) {
      const file = decodeURIComponent(new URL(url).pathname);
      if (path.resolve(file).startsWith(root)) return void request.continue();
    }
    blocked.push(url);
    return void request.abort('blockedbyclient');
  });
  page.on('dialog', (dialog) => void dialog.dismiss().catch(() => undefined));
  page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message ?? String(error)}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Unable to layout/i.test(text)) problems.push(`Paged.js: ${text}`);
    else if (msg.type() === 'error' && !/favicon/i.test(text)) problems.push(`console error: ${text}`);
  });
  // Lay out for print from the start: Paged.js measures under the same media the PDF is made
  // with, or a line can break differently in the PDF than it did when pages were cut.
  await page.emulateMediaType('print');
  await page.bringToFront();
  return { page, problems, blocked };
}

/** Runs a stage under a watchdog: past `ms` it fails with a `pdf-002` naming the stage. */
export async function withWatchdog<T>(stage: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FolioError([message('pdf-002', `Unexpected timeout in stage \`${stage}\` after ${Math.round(ms / 1000)} s, expected it to finish`)])), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
