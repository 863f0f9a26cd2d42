/**
 * Debian's Chromium, driven by puppeteer-core: where it is, the flags every headless run uses,
 * and a launch that always cleans up. A fresh profile folder is made for each browser and
 * removed afterwards; on failure, Ctrl-C or SIGTERM every process of that browser is killed,
 * even one still starting. The PDF stage and the EPUB cover start their browsers here.
 */
import { accessSync, constants, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { FolioError, message, type RuleId } from '../messages.js';

/** Where Chromium is looked for unless `CHROME_PATH` says otherwise. */
export const defaultChromePath = '/usr/bin/chromium';

const candidates = [defaultChromePath, '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to run: `CHROME_PATH` when set, else the first one installed, else the Debian path (to name in errors). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.CHROME_PATH;
  if (override !== undefined && override !== '') return override;
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return defaultChromePath;
}

/** The flags every headless run uses: no sandbox (root in CI), no GPU, no network chatter. */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // Every new window of headless Chromium preloads the omnibox popup, a WebUI page of its own:
  // seconds of a core per browser context, spent beside our layout. (Puppeteer merges this
  // list with its own --disable-features.)
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
];

/** A running browser and what must be undone when it is done with. */
export interface ChromiumBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * A browser someone else keeps running (a watch session): a stage given one uses it for its
 * pages and never closes it, instead of starting a browser of its own.
 */
export type KeptBrowser = () => Promise<ChromiumBrowser>;

/**
 * The browser a stage uses: the kept one when there is one (its `close` then does nothing: the
 * keeper closes it), or one `launch` starts for the stage alone.
 */
export async function keptOrLaunched(kept: KeptBrowser | undefined, launch: () => Promise<ChromiumBrowser>): Promise<ChromiumBrowser> {
  if (!kept) return launch();
  const { browser } = await kept();
  return { browser, close: async () => undefined };
}

/** How `launchChromium` starts a browser. */
export interface LaunchOptions {
  chromePath?: string;
  timeoutMs: number;
  /** Flags added to `chromiumFlags`. */
  flags?: readonly string[];
  /** The rule id of a browser that cannot start (`pdf-001` for the PDF stage). */
  ruleId?: RuleId;
  /** The rule id of a browser that did not start within `timeoutMs` (default `ruleId`). */
  timeoutRuleId?: RuleId;
}

/**
 * Kills every process whose command line names `profile`: the browser's own profile folder
 * marks all of its processes, including those of a launch that has not returned yet.
 */
function killProcessesOf(profile: string): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!/^\d+$/u.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(profile)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already, or not ours to read
    }
  }
}

/**
 * util-linux's setpriv, which gives Chromium a parent-death signal: a build killed with SIGKILL
 * (no handler of ours runs then) takes its browser with it instead of leaving it running.
 */
const setpriv = '/usr/bin/setpriv';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether some process still names `profile` on its command line (a browser using it). */
function inUse(profile: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(profile)) return true;
    } catch {
      // gone already
    }
  }
  return false;
}

/**
 * Removes the profile folders of browsers whose build was killed (SIGKILL leaves no chance to
 * clean up): a `folio-chromium-*` folder no process names, older than a minute (a younger one
 * may be another build's, about to start its browser).
 */
function sweepStaleProfiles(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((name) => name.startsWith('folio-chromium-'));
  } catch {
    return;
  }
  for (const name of entries) {
    const profile = path.join(tmpdir(), name);
    try {
      if (Date.now() - statSync(profile).mtimeMs < 60_000 || inUse(profile)) continue;
      rmSync(profile, { recursive: true, force: true });
    } catch {
      // another build swept it first
    }
  }
}

/** Starts Chromium. A missing or broken executable is an error naming the path tried and CHROME_PATH. */
export async function launchChromium(options: LaunchOptions): Promise<ChromiumBrowser> {
  const ruleId = options.ruleId ?? 'pdf-001';
  const executablePath = options.chromePath ?? chromiumPath();
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new FolioError([
      message(ruleId, `Unexpected missing Chromium at \`${executablePath}\`, expected an executable browser; install Debian's chromium or set CHROME_PATH to one`),
    ]);
  }
  sweepStaleProfiles();
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'folio-chromium-'));
  const cleanUp = (): void => {
    killProcessesOf(userDataDir);
    rmSync(userDataDir, { recursive: true, force: true });
  };
  // Ctrl-C or SIGTERM, even in the middle of the launch, must not leave a browser behind.
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUp();
    process.exit(128 + (osConstants.signals[signal] ?? 15));
  };
  // A process that ends while the browser is up (a test runner finishing, an uncaught error)
  // still takes its browser and profile folder with it.
  const onExit = (): void => cleanUp();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  const forget = (): void => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', onExit);
  };
  let browser: Browser;
  try {
    const args = [...chromiumFlags, ...(options.flags ?? [])];
    // Through setpriv where there is one: Chromium then dies with this process, however it dies.
    const how = executable(setpriv)
      ? { executablePath: setpriv, ignoreDefaultArgs: true, args: ['--pdeathsig', 'KILL', '--', executablePath, ...puppeteer.defaultArgs({ headless: true, userDataDir, args })] }
      : { executablePath, userDataDir, args };
    browser = await puppeteer.launch({
      ...how,
      headless: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: options.timeoutMs,
      protocolTimeout: options.timeoutMs,
    });
  } catch (error) {
    forget();
    cleanUp();
    if ((error as Error).name === 'TimeoutError') {
      throw new FolioError([message(options.timeoutRuleId ?? ruleId, `Unexpected timeout in stage \`launch Chromium\` after ${Math.round(options.timeoutMs / 1000)} s, expected it to finish`)]);
    }
    throw new FolioError([
      message(ruleId, `Unexpected failure starting Chromium at \`${executablePath}\` (${(error as Error).message.split('\n')[0]}), expected a working browser; set CHROME_PATH to another`),
    ]);
  }
  let closed = false;
  return {
    browser,
    async close() {
      if (closed) return;
      closed = true;
      forget();
      // A browser that will not close in time is killed below; the timer must not keep Node alive.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([browser.close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
      killProcessesOf(userDataDir);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
