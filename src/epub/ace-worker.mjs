// @ts-check
/* global process, URL */
/**
 * Runs Ace by DAISY (@daisy/ace-core, the library behind ace-cli) on one EPUB at a time, in a
 * process of its own, and writes Ace's JSON report to a file. Plain JavaScript, so that the
 * process starts without a TypeScript loader; `runAce` in ace.ts starts it and reads the report.
 * One file of some 360 lines on purpose: it is run by path as a script of its own, and its source
 * is hashed whole into Ace's identity (`aceIdentity`), so that every line it runs is in the key
 * of the results it caches.
 *
 * Ace does two kinds of checks. The package-level ones (metadata, page-list and TOC targets,
 * reading order, media overlays, the page-break metadata against the documents) read the
 * parsed package and every document's ids: they are cheap and always run, on the whole EPUB.
 * The per-document ones are an axe-core run in Chromium on each content document (and on the
 * navigation document): the expensive part. With a cache folder, the raw result of each axe
 * run is kept under a key of
 *   - the document's path inside the container and its bytes,
 *   - the bytes of every file of the container a document may load: every style sheet, font and
 *     other resource but images and media, and each image or medium whose file name the
 *     document, a style sheet or an SVG so taken names (not the content documents, the package
 *     document or the NCX). So the chapters of an edition with a cover of its own are taken
 *     from the whole book's run: their bytes are the same, and they load nothing of the cover;
 *   - the scripts injected into the page (locale, media options), and the tool identity
 *     (Ace, axe, puppeteer, Chromium, Node, this file),
 * and an axe run whose key is in the cache is not repeated: Ace gets the stored result, turns it
 * into its report exactly as it would a fresh one, and Chromium is not even started when no
 * document needs it. The assumption is that an axe run on a document sees nothing but that
 * document and the resources it loads: it does not follow links to other documents, and a
 * document that could embed another (iframe, object, embed, frame; Folio's sanitiser removes
 * them) is never taken from the cache.
 *
 * The axe runs are ours, not @daisy/ace-axe-runner-puppeteer's, though they do what it does
 * (the same interception, scripts and call into Ace's page script), in the browser the parent
 * started: its runner opens a new tab per document and injects axe-core (1.3 MB) as inline
 * text, so Chromium compiles it again for every document. Ours keeps one tab per lane and
 * navigates it from document to document, and loads the scripts by file URL: V8 finds them
 * compiled already. The reports are the same; the CPU time is about half.
 *
 * A request is { epub, report, browser, lanes?, cacheDir?, toolKey? }, with absolute paths;
 * `browser` is the DevTools WebSocket address of a Chromium the parent owns, connected to for
 * the request and disconnected from at its end. It runs one of two ways, with the same report:
 *   - one-shot: `node ace-worker.mjs <request JSON>`, for one request, exit code 0 when the
 *     report is written;
 *   - serving (`startAceServer` in ace.ts, for `folio build --watch`): `node ace-worker.mjs
 *     --serve`, one request JSON a line on stdin, answered on stdout by one line once the
 *     report is written, `done\t0`, or `done\t1` when Ace failed. Starting Node and loading
 *     Ace is then paid once, not once a build. Nothing else is written to stdout, and the
 *     process exits when stdin closes. What a request counts, hashes and connects to is its
 *     own; only the loaded modules and winston's configuration are shared.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { cacheKey } from '../session/cache-key.js';

/**
 * One request, as `runAce` in ace.ts writes it (on the command line, or a line of stdin).
 * @typedef {{ epub: string; report: string; browser: string; lanes?: number; cacheDir?: string; toolKey?: string }} AceRequest
 * @typedef {import('puppeteer-core').Browser} Browser
 * @typedef {import('puppeteer-core').Page} Page
 * @typedef {{ checked: number; reused: number }} DocumentCounts
 */

/** Bumped when what is stored per document changes. */
const entryFormat = 'folio-ace-document-2';
/** How many per-document results are kept, at least (the oldest unused go first). */
const keepAtLeast = 200;

const fromCli = createRequire(createRequire(import.meta.url).resolve('@daisy/ace-cli/package.json'));
const fromCore = createRequire(fromCli.resolve('@daisy/ace-core'));
const ace = fromCli('@daisy/ace-core');
const winston = fromCore('winston');

// Ace logs through winston; nothing of it is wanted (ace-cli would also write a log file).
winston.configure({ level: 'error', transports: [new winston.transports.Console({ silent: true })] });

/**
 * The files below `dir`, as sorted paths relative to `base` with forward slashes.
 * @param {string} dir
 * @param {string} [base]
 * @returns {Promise<string[]>}
 */
async function filesUnder(dir, base = dir) {
  /** @type {string[]} */
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(full, base)));
    else if (entry.isFile()) found.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return found.sort();
}

/** Files a content document is taken never to load: other documents, the package, the NCX, the container's own. */
const notLoaded = (/** @type {string} */ name) => /\.(xhtml|html|htm|opf|ncx)$/i.test(name) || name === 'mimetype' || name.startsWith('META-INF/');

/** Images and media: loaded only where a document or a style sheet names them. */
const named = (/** @type {string} */ name) => /\.(png|jpe?g|gif|webp|avif|svg|bmp|ico|mp3|mp4|m4a|ogg|oga|webm|wav)$/i.test(name);

/**
 * The resources of the extracted EPUB, each as its path and the hash of its bytes, and, for a
 * content document, the hash of those it may load.
 * @param {string} basedir
 */
async function resourcesOf(basedir) {
  /** @type {Array<{ name: string; hash: string; text: string }>} */
  const all = [];
  for (const name of (await filesUnder(basedir)).filter((n) => !notLoaded(n))) {
    const bytes = await readFile(path.join(basedir, name));
    all.push({ name, hash: cacheKey(name, bytes), text: named(name) && !/\.svg$/i.test(name) ? '' : bytes.toString('latin1') });
  }
  return {
    /**
     * The hash of what a document of these bytes may load: every resource but images and media
     * (style sheets, fonts, scripts), and each image or medium whose file name the document, a
     * style sheet or an SVG taken in already names. A superset, by name, of what it loads.
     * @param {Buffer} document
     */
    loadedBy(document) {
      const texts = [document.toString('latin1'), ...all.filter((r) => !named(r.name)).map((r) => r.text)];
      const taken = new Set(all.filter((r) => !named(r.name)).map((r) => r.name));
      for (let grew = true; grew; ) {
        grew = false;
        for (const r of all) {
          if (taken.has(r.name)) continue;
          const base = r.name.split('/').pop() ?? r.name;
          const spellings = [base, encodeURI(base), encodeURIComponent(base)];
          if (texts.some((text) => spellings.some((spelling) => text.includes(spelling)))) {
            taken.add(r.name);
            if (r.text) texts.push(r.text);
            grew = true;
          }
        }
      }
      return cacheKey(...all.filter((r) => taken.has(r.name)).map((r) => r.hash));
    },
  };
}

// Where the EPUB was extracted differs from run to run; stored results name it by a placeholder.
/** @type {(basedir: string) => Array<[string, string]>} */
const placeholders = (basedir) => [
  [pathToFileURL(basedir).href, '\u0000folio-ace-base-url\u0000'],
  [basedir, '\u0000folio-ace-base-dir\u0000'],
];
/** @type {(json: string, basedir: string) => string} */
const toStored = (json, basedir) => placeholders(basedir).reduce((text, [real, mark]) => text.split(real).join(mark), json);
/** @type {(json: string, basedir: string) => string} */
const fromStored = (json, basedir) => placeholders(basedir).reduce((text, [real, mark]) => text.split(mark).join(real), json);

/**
 * A cached axe result, or undefined: anything unreadable or of another format is a miss.
 * @param {string} file
 * @param {string} basedir
 * @returns {Promise<object | undefined>}
 */
async function cached(file, basedir) {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8'));
    if (entry?.format !== entryFormat || typeof entry.results !== 'string') return undefined;
    const results = JSON.parse(fromStored(entry.results, basedir));
    if (results === null || typeof results !== 'object') return undefined;
    const now = new Date();
    await utimes(file, now, now).catch(() => {});
    return results;
  } catch {
    return undefined;
  }
}

/**
 * Keeps an axe result under `file`, whole or not at all.
 * @param {string} file
 * @param {object} results
 * @param {string} basedir
 */
async function store(file, results, basedir) {
  const partial = `${file}.${process.pid}.partial`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(partial, JSON.stringify({ format: entryFormat, results: toStored(JSON.stringify(results), basedir) }));
    await rename(partial, file);
  } catch {
    // A cache that cannot be written costs time, never the check.
    await rm(partial, { force: true }).catch(() => {});
  }
}

/**
 * Removes the least recently used results beyond those in `used` (this run's) and `keepAtLeast`.
 * @param {string} cacheDir
 * @param {Set<string>} used
 */
async function prune(cacheDir, used) {
  try {
    const names = (await readdir(cacheDir)).filter((n) => n.endsWith('.json'));
    const limit = Math.max(keepAtLeast, 4 * used.size);
    if (names.length <= limit) return;
    const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(cacheDir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.t - a.t);
    await Promise.all(dated.slice(limit).filter((d) => !used.has(d.n)).map((d) => rm(path.join(cacheDir, d.n), { force: true })));
  } catch {
    // pruning is housekeeping only
  }
}

/**
 * A tab for axe runs that, as Ace's runner does, reaches no network and reads `.html` files as XHTML.
 * @param {Browser} browser
 * @returns {Promise<Page>}
 */
async function openTab(browser) {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (/^https?:\/\//.test(url)) return void request.abort();
    if (request.resourceType() === 'document' && /^file:\//.test(url) && /\.html?$/.test(url)) {
      readFile(new URL(url), 'utf8').then(
        (body) => request.respond({ status: 200, contentType: 'application/xhtml+xml', body }),
        () => request.continue(),
      );
      return;
    }
    return void request.continue();
  });
  return page;
}

/**
 * Ace's page script on one document: its scripts in, marked as Ace's, then `daisy.ace.run`.
 * @param {Page} page
 * @param {string} url
 * @param {string[]} scripts
 * @param {string[]} scriptContents
 * @returns {Promise<unknown>}
 */
async function axeRun(page, url, scripts, scriptContents) {
  await page.goto(url);
  const marked = async (/** @type {{ content: string } | { url: string }} */ tag) => {
    const element = await page.addScriptTag(tag);
    await element.evaluate((e) => e.setAttribute('data-ace', ''));
    await element.dispose();
  };
  for (const content of scriptContents) await marked({ content });
  // By URL, not as text: the same script at the same address is compiled once per tab.
  for (const file of scripts) await marked({ url: pathToFileURL(file).href });
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        // eslint-disable-next-line no-undef
        const tab = /** @type {{ daisy: { ace: { run: (done: (error: unknown, results: unknown) => void) => void } } }} */ (/** @type {unknown} */ (window));
        tab.daisy.ace.run((error, results) => (error ? reject(error) : resolve(results)));
      }),
  );
}

/**
 * The axe runner Ace calls for each document of one request: the cache first, then a free tab of
 * the parent's browser, connected to on the first document that needs it. `documents` counts
 * what it did and `used` collects the cache entries it read or wrote.
 * @param {AceRequest} request
 * @param {string | undefined} cacheDir
 * @param {DocumentCounts} documents
 * @param {Set<string>} used
 */
function axeRunner(request, cacheDir, documents, used) {
  // The resources are read and hashed once per EPUB.
  /** @type {ReturnType<typeof resourcesOf> | undefined} */
  let resources;
  /** @type {Promise<Browser> | undefined} */
  let connected;
  let closed = false;
  /** @type {Set<Page>} */
  const pages = new Set();
  /** @type {Page[]} */
  const idle = [];
  return {
    concurrency: Math.max(1, Math.min(4, Number(request.lanes) || 2)),
    setTimeout: () => {},
    launch: async () => {},
    // Ace closes the runner when its checks end, also when one failed while others still run:
    // those are cut short, so that no tab or connection outlives the request.
    close: async () => {
      closed = true;
      if (!connected) return;
      const browser = await connected;
      await Promise.all([...pages].map((page) => page.close().catch(() => {})));
      await browser.disconnect();
    },
    run: async (/** @type {string} */ url, /** @type {string[]} */ scripts, /** @type {string[]} */ scriptContents, /** @type {string} */ basedir) => {
      /** @type {string | undefined} */
      let file;
      if (cacheDir) {
        const document = fileURLToPath(url);
        const bytes = await readFile(document);
        const embeds = /<(iframe|object|embed|frame)\b/i.test(bytes.toString('utf8'));
        if (!embeds) {
          resources ??= resourcesOf(basedir);
          const key = cacheKey(entryFormat, request.toolKey ?? '', (await resources).loadedBy(bytes), path.relative(basedir, document), bytes, ...scripts, ...scriptContents);
          file = path.join(cacheDir, `${key}.json`);
          used.add(path.basename(file));
          const hit = await cached(file, basedir);
          if (hit) {
            documents.reused += 1;
            return hit;
          }
        }
      }
      if (closed) throw new Error('Ace stopped its checks');
      connected ??= puppeteer.connect({ browserWSEndpoint: request.browser, protocolTimeout: 240_000 });
      const page = idle.pop() ?? (await openTab(await connected));
      pages.add(page);
      let results;
      try {
        results = await axeRun(page, url, scripts, scriptContents);
      } catch (error) {
        // A tab that failed is not trusted with the next document.
        pages.delete(page);
        await page.close().catch(() => {});
        throw error;
      }
      idle.push(page);
      documents.checked += 1;
      if (file && results && typeof results === 'object') await store(file, results, basedir);
      return results;
    },
  };
}

/**
 * The message of what was thrown, if it has one (Ace may reject with anything).
 * @param {unknown} error
 * @returns {string | undefined}
 */
function errorText(error) {
  return error !== null && typeof error === 'object' && 'message' in error ? /** @type {string | undefined} */ (error.message) : undefined;
}

/**
 * Runs Ace for one request and writes the report; the exit code.
 * @param {AceRequest} request
 */
async function check(request) {
  const documents = { checked: 0, reused: 0 };
  /** @type {Set<string>} */
  const used = new Set();
  const cacheDir = typeof request.cacheDir === 'string' ? path.join(request.cacheDir, 'ace-documents') : undefined;
  try {
    const [, report] = await ace(request.epub, { cwd: process.cwd(), silent: true, jobId: '' }, axeRunner(request, cacheDir, documents, used));
    if (cacheDir) await prune(cacheDir, used);
    await writeFile(request.report, JSON.stringify({ report, documents }));
    return 0;
  } catch (error) {
    // Ace rejects with an empty job id when the EPUB is not there.
    process.stderr.write(`${errorText(error) || String(error ?? '') || `Ace stopped without a reason (is ${request.epub} there?)`}\n`);
    return 1;
  }
}

/**
 * Serves one request line; the exit code `check` gives, or 1 for a line that is not a request.
 * Ace extracts the EPUB into a temporary folder that it removes only when the process exits: so
 * that a long-running process does not pile them up, each request gets a folder of its own for
 * Ace's temporary files, beside its report (the parent removes the report's folder, even when
 * this process dies first), removed when the request ends.
 * @param {string} line
 */
async function serveLine(line) {
  const tmpdir = process.env.TMPDIR;
  /** @type {string | undefined} */
  let scratch;
  try {
    const request = /** @type {AceRequest} */ (JSON.parse(line));
    scratch = await mkdtemp(path.join(path.dirname(request.report), 'ace-tmp-'));
    process.env.TMPDIR = scratch;
    return await check(request);
  } catch (error) {
    process.stderr.write(`Unexpected request ${line}: ${errorText(error)}\n`);
    return 1;
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Serves requests from stdin, one at a time, until it closes. */
async function serve() {
  // Stdout carries the answers alone: what Ace and its dependencies print there (the whole
  // report, errors they console.log) goes to stderr instead.
  const answer = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) answer(`done\t${await serveLine(line)}\n`);
  // Stdin closed: exit now, even if something Ace started would keep Node running.
  process.exit(0);
}

if (process.argv[2] === '--serve') await serve();
else process.exitCode = await check(JSON.parse(process.argv[2] ?? '{}'));
