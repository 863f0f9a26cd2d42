/**
 * Chromium for printing: the shared launch (src/session/chromium.ts) with the flags Paged.js needs, a
 * tab with no network and dialogs dismissed, and a watchdog over every stage.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { chromiumFlags as commonFlags, launchChromium as launchBrowser, type ChromiumBrowser } from '../session/index.js';
import { FolioError, message } from '../messages.js';

export { chromiumPath, defaultChromePath } from '../session/index.js';

/** What a print render adds to the common flags. */
const printFlags = [
  // Paged.js fetches the stylesheets with XMLHttpRequest; from file:// that needs this.
  '--allow-file-access-from-files',
  // Unhinted metrics: the same line breaks on screen as in the PDF.
  '--font-render-hinting=none',
  // Timers in a hidden tab (the print tab is one) run on time.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** The flags of a print render: the common ones and what Paged.js needs. */
export const chromiumFlags = [...commonFlags, ...printFlags];

/** A running print browser and what must be undone when it is done with. */
export type PrintBrowser = ChromiumBrowser;

/** Starts Chromium for printing. A missing or broken executable is a `pdf-001` error naming the path tried. */
export function launchChromium(options: { chromePath?: string; timeoutMs: number }): Promise<PrintBrowser> {
  return launchBrowser({ ...options, flags: printFlags, ruleId: 'pdf-001', timeoutRuleId: 'pdf-002' });
}

/**
 * Opens a tab (in the browser's default context, or in the context given) that may load only
 * files under `allowedDir`, the `allowedFiles` and inline data, dismisses dialogs, and records
 * page errors, Paged.js layout failures and blocked requests for the caller to turn into messages.
 */
export async function openPrintPage(browser: Browser | BrowserContext, allowedDir: string, allowedFiles: readonly string[] = []): Promise<{ page: Page; problems: string[]; blocked: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const blocked: string[] = [];
  const root = path.resolve(allowedDir) + path.sep;
  const allowed = new Set(allowedFiles.map((file) => path.resolve(file)));
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:')) return void request.continue();
    if (url.startsWith('file://')) {
      const file = decodeURIComponent(new URL(url).pathname);
      if (path.resolve(file).startsWith(root) || allowed.has(path.resolve(file))) return void request.continue();
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
  await hide(page);
  return { page, problems, blocked };
}

/**
 * Hides a tab by minimising its window: a hidden tab gets no animation frames, so the browser
 * neither paints nor composites the pages as they are laid out (a tenth of the layout's time,
 * and more in the GPU process). Nothing needs a frame: the runtime ticks Paged.js's queue
 * without them, and printing does not wait on one. A browser that cannot minimise a window
 * lays out the same pages, only more slowly.
 */
async function hide(page: Page): Promise<void> {
  try {
    const session = await page.createCDPSession();
    const { windowId } = await session.send('Browser.getWindowForTarget');
    await session.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
    await session.detach();
  } catch {
    // Visible, then: the same layout.
  }
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
