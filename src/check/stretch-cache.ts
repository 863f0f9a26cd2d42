/**
 * The manuscript as read for the check, kept between checks: each chapter's page stretches
 * (`chapterStretches`), under a key of the chapter's text and of what reads it (this code, the
 * locked package versions, Node and its Unicode). Parsing every chapter with remark is the
 * check's largest cost on the source side; after an edit only the edited chapter is parsed
 * again. Only the reading of the source side is kept: every comparison still runs each time.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheKey, writeFileAtomic } from '../session/index.js';
import type { Chapter } from '../manuscript/index.js';
import { chapterStretches, type PageStretch } from './manuscript.js';

/** What the cache file holds. */
interface StretchFile {
  reader: string;
  chapters: Record<string, PageStretch[]>;
}

const here = fileURLToPath(import.meta.url);
// Two folders down, as src/check/ is (and the bundle bin/folio.js runs, node_modules/.folio/).
const projectDir = path.resolve(path.dirname(here), '..', '..');

/** A key of everything that reads a chapter into stretches, besides the chapter itself. */
async function readerKey(): Promise<string> {
  // The modules that read a chapter, as sources: the same files whether run by tsx or bundled.
  // Without the sources, the code running stands for them (a bundle holds all of it).
  const sources = await Promise.all(['manuscript.ts', 'words.ts'].map(async (name) => readFile(path.join(projectDir, 'src', 'check', name)).catch(() => undefined)));
  const code = sources.every((d) => d !== undefined) ? sources : [await readFile(here)];
  const lock = await readFile(path.join(projectDir, 'package-lock.json')).catch(() => Buffer.from('no package-lock.json'));
  return cacheKey(`stretches-v1 ${process.version} unicode ${process.versions.unicode ?? ''}`, ...code, lock);
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((w) => typeof w === 'string');

/** True when a value read back is a list of stretches: a damaged cache is read as no cache. */
function isStretches(value: unknown): value is PageStretch[] {
  return (
    Array.isArray(value) &&
    value.every((s: Partial<Record<keyof PageStretch, unknown>> | null) => s !== null && typeof s === 'object' && typeof s.page === 'number' && typeof s.line === 'number' && isStrings(s.words) && isStrings(s.body) && isStrings(s.calls) && isStrings(s.editorial))
  );
}

/** Chapters read through the cache. */
export interface StretchCache {
  /** A chapter's stretches: kept ones when the cache has them, else read now. */
  stretchesOf: (chapter: Chapter) => PageStretch[];
  /** Paths of the chapters read now, not found in the cache. */
  parsed: string[];
  /** Writes the cache: this check's chapters, and only them. */
  save: () => Promise<void>;
}

/** The stretches of chapters, read from the cache file where it has them. */
export async function stretchCache(file: string): Promise<StretchCache> {
  const reader = await readerKey();
  let kept: Record<string, unknown> = {};
  try {
    const read = JSON.parse(await readFile(file, 'utf8')) as Partial<StretchFile>;
    if (read.reader === reader && read.chapters && typeof read.chapters === 'object') kept = read.chapters;
  } catch {
    // No cache yet, or one that does not read: every chapter is parsed.
  }
  const used: Record<string, PageStretch[]> = {};
  const parsed: string[] = [];
  const stretchesOf = (chapter: Chapter): PageStretch[] => {
    const key = cacheKey(chapter.path, chapter.titleSource ?? '', chapter.markdown);
    const found = kept[key];
    if (isStretches(found)) used[key] = found;
    else {
      used[key] = chapterStretches(chapter);
      parsed.push(chapter.path);
    }
    return used[key];
  };
  const save = async (): Promise<void> => {
    if (parsed.length === 0 && Object.keys(used).length === Object.keys(kept).length) return;
    const data: StretchFile = { reader, chapters: used };
    await writeFileAtomic(file, JSON.stringify(data));
  };
  return { stretchesOf, parsed, save };
}
