/**
 * The live preview: a loopback-only HTTP server that shows the issue paginated by Paged.js (the
 * print HTML of the PDF stage) and each chapter as its EPUB content document. It watches the
 * manuscript, the templates and the styles, rebuilds on a change and tells open pages to reload
 * over Server-Sent Events. The reload script is added to the pages it serves, never to a file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatMessage, FolioError, message, type Message } from '../messages.js';
import { pagedPolyfillPath, projectDir } from '../pdf/assets.js';
import { pageEndFill } from '../pdf/render.js';
import { createMemos, watchFolders, withMemos } from '../session/index.js';
import { makePreviewDocuments, manuscriptRoute, type PreviewDocuments } from './documents.js';

/** Options of `startPreview`. */
export interface PreviewOptions {
  manuscriptDir: string;
  /** Port to listen on; 0 asks the system for a free one (default 4173). */
  port?: number;
  /** The build folder whose last print HTML gives the copyfit levels (default ./build). */
  buildDir?: string;
  /** Folders to watch besides the manuscript (default the project's templates/ and styles/). */
  watchDirs?: string[];
  /** Quiet time after the last change before rebuilding, in milliseconds (default 150). */
  debounceMs?: number;
  /** Told after every build: its number, how long it took and what it reported. */
  onBuild?: (build: { version: number; seconds: number; messages: Message[] }) => void;
}

/** A running preview. */
export interface PreviewServer {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  /** The number of the current build, starting at 1. */
  version(): number;
  /** Resolves after the next build finishes (whatever started it). */
  nextBuild(): Promise<number>;
  /** Stops watching, ends open event streams and closes the server. */
  close(): Promise<void>;
}

/** The loopback address the preview binds to: never reachable from another machine. */
export const previewHost = '127.0.0.1';

/** Starts the preview; fails with a `preview-001` message when the port cannot be had. */
export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const manuscriptDir = path.resolve(options.manuscriptDir);
  const buildDir = path.resolve(options.buildDir ?? 'build');
  const assetsDir = await mkdtemp(path.join(tmpdir(), 'folio-preview-'));
  const debounceMs = options.debounceMs ?? 150;
  let documents: PreviewDocuments = { title: 'Folio preview', chapters: [], copyfit: new Map(), messages: [] };
  let version = 0;
  let waiting: Array<(version: number) => void> = [];
  const clients = new Set<ServerResponse>();
  // The preview is a session of its own: each rebuild after an edit renders again only what changed.
  const memos = createMemos();

  const rebuild = async (): Promise<void> => {
    const started = performance.now();
    try {
      documents = await withMemos(memos, () => makePreviewDocuments({ manuscriptDir, assetsDir, buildDir }));
    } catch (error) {
      // A template with a bad slot or an unreadable file: show it on the pages, keep serving.
      documents = {
        title: documents.title,
        chapters: documents.chapters,
        copyfit: documents.copyfit,
        messages: [message('cli-003', `Unexpected failure while rebuilding the preview: ${(error as Error).message.split('\n')[0]}`)],
      };
    }
    version += 1;
    options.onBuild?.({ version, seconds: (performance.now() - started) / 1000, messages: documents.messages });
    for (const client of clients) client.write(`event: version\ndata: ${version}\n\n`);
    const done = waiting;
    waiting = [];
    for (const resolve of done) resolve(version);
  };

  await rebuild();

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `folio preview: ${(error as Error).message}`);
      else response.end();
    });
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Only this machine, by name or address: a page elsewhere cannot rebind a DNS name to us.
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== previewHost && host !== 'localhost') return send(response, 403, 'text/plain; charset=utf-8', 'folio preview: loopback only');
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain; charset=utf-8', 'GET only');
    const url = new URL(request.url ?? '/', `http://${previewHost}`);
    const route = decodeURIComponent(url.pathname);
    if (route === '/') return send(response, 200, 'text/html; charset=utf-8', indexPage(documents, version));
    if (route === '/_preview/events') return openEvents(response);
    if (route === '/favicon.ico') {
      response.writeHead(204);
      return void response.end();
    }
    if (route === '/_preview/state.json') {
      return send(response, 200, 'application/json', JSON.stringify({ version, title: documents.title, messages: documents.messages, chapters: documents.chapters.map((c) => c.slug), paginated: documents.printHtml !== undefined }));
    }
    if (route === '/_preview/paged.polyfill.js') return send(response, 200, 'text/javascript', await readFile(pagedPolyfillPath()));
    if (route === '/_preview/print-runtime.js') return send(response, 200, 'text/javascript', await readFile(path.join(projectDir, 'src', 'pdf', 'browser', 'print-runtime.js')));
    if (route === '/print') return redirect(response, '/print/');
    if (route === '/print/') {
      if (documents.printHtml === undefined) return send(response, 200, 'text/html; charset=utf-8', problemPage(documents, version));
      return send(response, 200, 'text/html; charset=utf-8', printPage(documents.printHtml, version));
    }
    if (route.startsWith('/print/')) return sendFile(response, assetsDir, route.slice('/print/'.length));
    // The manuscript's own images, for the chapters; nothing else of the manuscript folder.
    if (route.startsWith(manuscriptRoute) && imageTypes.has(path.extname(route).toLowerCase())) return sendFile(response, manuscriptDir, route.slice(manuscriptRoute.length));
    if (route === '/epub/style.css') return send(response, 200, 'text/css; charset=utf-8', await readFile(path.join(projectDir, 'templates', 'epub', 'style.css')));
    const chapterMatch = /^\/epub\/([^/]+)\.xhtml$/.exec(route);
    if (chapterMatch) {
      const index = documents.chapters.findIndex((c) => c.slug === chapterMatch[1]);
      const chapter = documents.chapters[index];
      if (chapter) return send(response, 200, 'application/xhtml+xml; charset=utf-8', chapterPage(documents, index, version));
    }
    return send(response, 404, 'text/html; charset=utf-8', notFoundPage(route, version));
  };

  const openEvents = (response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // The current build number at once: a page loaded just before a rebuild still learns of it.
    response.write(`retry: 500\nevent: version\ndata: ${version}\n\n`);
    clients.add(response);
    response.on('close', () => clients.delete(response));
  };

  const port = options.port ?? 4173;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.removeListener('listening', onListening);
      const reason =
        error.code === 'EADDRINUSE'
          ? `Unexpected port ${port} already in use on ${previewHost}, expected a free port; stop the other server or pass --port 0 for any free port`
          : `Unexpected failure listening on ${previewHost}:${port} (${error.code ?? error.message}), expected a port this user may open; pass --port 0 for any free port`;
      reject(new FolioError([message('preview-001', reason)]));
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, previewHost);
  }).catch(async (error: unknown) => {
    await rm(assetsDir, { recursive: true, force: true });
    throw error;
  });
  const actualPort = (server.address() as AddressInfo).port;

  const watchDirs = [manuscriptDir, ...(options.watchDirs ?? [path.join(projectDir, 'templates'), path.join(projectDir, 'styles')])];
  const watcher = await watchFolders(watchDirs, rebuild, debounceMs);
  for (const { folder, reason } of watcher.unwatched) {
    documents.messages.push(message('preview-002', `Unexpected folder that cannot be watched (${reason}), expected to see its changes; restart the preview after editing there`, { file: folder }));
  }

  return {
    url: `http://${previewHost}:${actualPort}/`,
    port: actualPort,
    version: () => version,
    nextBuild: () => new Promise<number>((resolve) => waiting.push(resolve)),
    async close() {
      await watcher.close();
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(assetsDir, { recursive: true, force: true });
    },
  };
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}

function redirect(response: ServerResponse, to: string): void {
  response.writeHead(302, { location: to });
  response.end();
}

const imageTypes = new Set(['.png', '.jpg', '.jpeg', '.gif', '.svg']);

const assetTypes: Record<string, string> = {
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

/** A file of the preview's asset folder; nothing outside it. */
async function sendFile(response: ServerResponse, root: string, relative: string): Promise<void> {
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return send(response, 403, 'text/plain; charset=utf-8', 'outside the preview');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return send(response, 404, 'text/plain; charset=utf-8', `not found: ${relative}`);
  }
  send(response, 200, assetTypes[path.extname(file)] ?? 'application/octet-stream', bytes);
}

/** The script every preview page gets: reload when the server has a newer build than the page. */
function reloadScript(version: number): string {
  return `<script>//<![CDATA[
(function () {
  var shown = ${version};
  var events = new EventSource('/_preview/events');
  events.addEventListener('version', function (event) {
    if (Number(event.data) !== shown) { events.close(); window.location.reload(); }
  });
})();
//]]></script>`;
}

/** The screen dress of paginated pages: grey desk, white sheets. Print media is untouched. */
const printPreviewStyle = `<style data-pagedjs-ignore="">
@media screen {
  html { background: #d8d8d8; }
  .pagedjs_pages { display: flex; flex-direction: column; align-items: center; padding: 2em 0; }
  .pagedjs_page { background: #fff; margin-bottom: 1.5em; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.35); }
}
</style>`;

/**
 * The print HTML with the preview's additions in its head: the screen dress, the print runtime
 * and Paged.js as the PDF stage loads them, a start script and the reload script. When the
 * pages are laid out, `<html data-folio-preview="ready">` says so.
 */
function printPage(printHtml: string, version: number): string {
  const head = [
    printPreviewStyle,
    '<script src="/_preview/print-runtime.js"></script>',
    '<script src="/_preview/paged.polyfill.js"></script>',
    `<script>
window.addEventListener('load', function () {
  window.folioPrint.paginate(${JSON.stringify({ pageEndFill })}).then(function (laid) {
    document.documentElement.setAttribute('data-folio-pages', String(laid.facts.length));
    document.documentElement.setAttribute('data-folio-preview', 'ready');
  }, function (error) {
    document.documentElement.setAttribute('data-folio-preview', 'failed');
    console.error(error);
  });
});
</script>`,
    reloadScript(version),
  ].join('\n');
  if (!printHtml.includes('</head>')) throw new Error('Unexpected print HTML without </head>, expected the print template');
  return printHtml.replace('</head>', `${head}\n</head>`);
}

/** A chapter's EPUB content document, with the chapter list and the reload script added. */
function chapterPage(documents: PreviewDocuments, index: number, version: number): string {
  const chapter = documents.chapters[index];
  if (!chapter) throw new Error(`Unexpected chapter ${index}`);
  const previous = documents.chapters[index - 1];
  const next = documents.chapters[index + 1];
  const nav = [
    '<nav id="folio-preview-nav" aria-label="Preview" style="font: 13px/1.8 system-ui, sans-serif; border-bottom: 1px solid #ccc; margin-bottom: 1em;">',
    '<a href="/">All chapters</a>',
    previous ? ` · <a href="/epub/${encodeURIComponent(previous.slug)}.xhtml">← ${escapeXml(previous.title)}</a>` : '',
    next ? ` · <a href="/epub/${encodeURIComponent(next.slug)}.xhtml">${escapeXml(next.title)} →</a>` : '',
    '</nav>',
  ].join('');
  return chapter.xhtml
    .replace('href="style.css"', 'href="/epub/style.css"')
    .replace(/(<body[^>]*>)/, `$1\n${nav}`)
    .replace('</head>', `${reloadScript(version)}\n</head>`);
}

function messageList(messages: readonly Message[]): string {
  if (messages.length === 0) return '<p>No problems reported.</p>';
  return `<ul class="messages">${messages.map((m) => `<li class="${m.severity}"><code>${escapeXml(formatMessage(m))}</code></li>`).join('')}</ul>`;
}

function shell(title: string, body: string, version: number): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>${escapeXml(title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 50em; padding: 0 1em; }
li.error code { color: #a00; } li.warning code { color: #850; }
</style>
${reloadScript(version)}
</head>
<body>
${body}
</body>
</html>`;
}

/** The start page: the paginated issue, the chapter list and the problems of the last build. */
function indexPage(documents: PreviewDocuments, version: number): string {
  const chapters = documents.chapters
    .map((c) => `<li lang="${escapeXml(c.language)}"><a href="/epub/${encodeURIComponent(c.slug)}.xhtml">${escapeXml(c.title)}</a> <small lang="en">pp. ${c.firstPage}–${c.lastPage}</small></li>`)
    .join('\n');
  const paginated = documents.printHtml
    ? '<p><a href="/print/">The issue, paginated as printed</a> (Paged.js lays it out in this browser; allow a moment for a long issue).</p>'
    : '<p>The issue cannot be paginated until the errors below are fixed.</p>';
  return shell(
    `${documents.title} — Folio preview`,
    `<h1>${escapeXml(documents.title)}</h1>
${paginated}
<h2>EPUB chapters</h2>
<ol class="chapters">
${chapters}
</ol>
<h2>Problems (build ${version})</h2>
${messageList(documents.messages)}`,
    version,
  );
}

function problemPage(documents: PreviewDocuments, version: number): string {
  return shell(`Problems — Folio preview`, `<h1>The issue cannot be paginated</h1>\n<p><a href="/">Back to the chapters</a></p>\n${messageList(documents.messages)}`, version);
}

function notFoundPage(route: string, version: number): string {
  return shell('Not found — Folio preview', `<h1>Not found</h1><p><code>${escapeXml(route)}</code> is not part of the preview. <a href="/">The chapters</a>.</p>`, version);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
