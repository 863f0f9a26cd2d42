/**
 * The PDF stage's chunk cache (`<buildDir>/cache/pdf`): a chunk's pages kept under the key of
 * its document and of everything every chunk depends on (`sharedKey`), so that an edit lays out
 * only its chunk. An entry that is missing, cut short or written by another version of Folio is
 * a miss, never an error; deleting the folder only makes the next build slower.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheKey } from '../session/index.js';
import { pagedPolyfillPath, runtimePath } from './assets.js';
import type { PageFacts } from './layout.js';

/** What the cache keeps of a chunk beside its PDF: its page facts and copyfit levels. */
export interface CachedChunk {
  facts: PageFacts[];
  fit: Array<[number, number]>;
  /** The PDF in the cache folder holding its pages (its own, or its flow's), from page `first`. */
  pdf: string;
  first: number;
}

/** A JSON file read back; undefined when it is missing or does not parse. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * What every chunk's rendering depends on besides its own document: the print stylesheet, the
 * font stylesheets and the fonts they name (by name and size), the templates, our runtime,
 * the Paged.js polyfill, the page-end setting and the browser.
 */
export async function sharedKey(buildDir: string, templateDir: string, fill: number, chrome: string): Promise<string> {
  const files: string[] = [path.join(buildDir, 'print.css'), runtimePath, pagedPolyfillPath()];
  for (const name of await readdir(templateDir)) files.push(path.join(templateDir, name));
  const fonts = path.join(buildDir, 'fonts');
  const fontParts: string[] = [];
  for (const entry of await readdir(fonts, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (file.endsWith('.css')) files.push(file);
    else fontParts.push(`${path.relative(fonts, file)} ${(await stat(file)).size}`);
  }
  const contents = await Promise.all(files.sort().map((file) => readFile(file, 'utf8')));
  // v2: the pages are kept with their unused soft hyphens taken out; v3: those inside a
  // ligature's text too (a chunk cached before keeps them, so it is laid out again).
  return cacheKey(...contents, ...fontParts.sort(), String(fill), chrome, 'chunk-v3');
}

/**
 * The cached chunk under `key` and the bytes of the PDF holding its pages, or undefined. PDFs
 * read once are kept in `pdfs` for the other chunks of a flow.
 */
export async function cachedChunk(cacheDir: string, key: string, pdfs: Map<string, Uint8Array>): Promise<{ entry: CachedChunk; bytes: Uint8Array } | undefined> {
  const read = await readJson<CachedChunk>(path.join(cacheDir, `${key}.json`));
  // An entry written by another version of Folio, or cut short, is a miss, never an error.
  const entry = read && typeof read.pdf === 'string' && Array.isArray(read.facts) && Array.isArray(read.fit) && typeof read.first === 'number' ? read : undefined;
  if (!entry) return undefined;
  const file = path.join(cacheDir, entry.pdf);
  const bytes = pdfs.get(file) ?? (await readFile(file).catch(() => undefined));
  if (!bytes) return undefined;
  pdfs.set(file, bytes);
  return { entry, bytes };
}

/** Keeps the pages of a chunk or a flow as `<name>.pdf` in the cache folder; the file's name. */
export async function keepPdf(cacheDir: string, name: string, bytes: Uint8Array): Promise<string> {
  const file = `${name}.pdf`;
  await writeFile(path.join(cacheDir, file), bytes);
  return file;
}

/** Keeps a chunk's entry under its key (its PDF kept first, by `keepPdf`). */
export async function keepChunk(cacheDir: string, key: string, entry: CachedChunk): Promise<void> {
  await writeFile(path.join(cacheDir, `${key}.json`), JSON.stringify(entry satisfies CachedChunk));
}
