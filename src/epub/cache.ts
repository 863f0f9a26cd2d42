/**
 * The EPUB stage's cache folder (`<buildDir>/cache/epub`): what a rebuild may take from an
 * earlier build instead of running a tool again. Every entry is keyed by a hash of all it is
 * about (bytes, tool identities, a format version), written atomically, and read defensively:
 * an entry that is missing, cut short, corrupt or written by another version is a miss, never
 * an error. Deleting the folder only makes the next build slower.
 */
import { readdir, readFile, realpath, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../session/index.js';

/**
 * What identifies an installed file without reading it: its real path, size and modification
 * time. A package upgrade replaces the file and changes them. Undefined when it cannot be read,
 * and then nothing about the tool may be taken from the cache.
 */
export async function fileIdentity(file: string): Promise<string | undefined> {
  try {
    const real = await realpath(file);
    const info = await stat(real);
    return `${real}:${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * What identifies a Chromium: the path given, and the identity of the file it resolves to. The
 * Debian `/usr/bin/chromium` is a shell launcher that keeps its mtime across upgrades, so the
 * binary it starts (`/usr/lib/chromium/chromium`) is taken in too when it is there.
 */
export async function chromiumIdentity(chromePath: string | undefined): Promise<string | undefined> {
  if (chromePath === undefined) return undefined;
  const own = await fileIdentity(chromePath);
  if (own === undefined) return undefined;
  const name = path.basename(chromePath);
  const binary = path.dirname(await realpath(chromePath)) === '/usr/bin' ? await fileIdentity(path.join('/usr/lib', name, name)) : undefined;
  return `${chromePath}|${own}|${binary ?? ''}`;
}

/**
 * Reads a JSON cache entry; anything unreadable, unparsable or of another format is a miss. A
 * hit is touched, so that `pruneEntries` keeps what is in use.
 */
export async function readEntry<T>(file: string, format: string, valid: (value: unknown) => value is T): Promise<T | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; value?: unknown };
    if (parsed.format !== format || !valid(parsed.value)) return undefined;
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return parsed.value;
  } catch {
    return undefined;
  }
}

/** Writes a JSON cache entry atomically. A cache that cannot be written costs time, never the build. */
export async function writeEntry(file: string, format: string, value: unknown): Promise<void> {
  try {
    await writeFileAtomic(file, JSON.stringify({ format, value }));
  } catch {
    // A read-only or full build folder: the next build runs the tools again.
  }
}

/**
 * Keeps the `keep` most recently written files of a folder whose names match, removing the
 * rest: entries of old EPUBs and old tools would otherwise pile up build after build.
 */
export async function pruneEntries(dir: string, pattern: RegExp, keep: number): Promise<void> {
  try {
    const names = (await readdir(dir)).filter((name) => pattern.test(name));
    if (names.length <= keep) return;
    const dated = await Promise.all(names.map(async (name) => ({ name, time: (await stat(path.join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.time - a.time);
    await Promise.all(dated.slice(keep).map(({ name }) => rm(path.join(dir, name), { force: true })));
  } catch {
    // housekeeping only
  }
}
