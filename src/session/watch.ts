/**
 * Watching folders for edits: after each quiet spell following a change, one rebuild; never
 * two at once, and a change during a build asks for one more after it. The preview and
 * `folio build --watch` both rebuild this way.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Folders being watched, as `watchFolders` started them. */
export interface Watcher {
  /** Folders that could not be watched, and why: edits there are not seen. */
  unwatched: Array<{ folder: string; reason: string }>;
  /** Stops watching and waits for a build under way. */
  close(): Promise<void>;
}

/** Editors' swap and backup files change on every keystroke; they are not the manuscript. */
const scratchFile = /(^\.#|~$|\.swp$|\.swx$|^4913$)/;

/** Watches `dirs` and every folder below them, calling `rebuild` after changes. */
export async function watchFolders(dirs: readonly string[], rebuild: () => Promise<void>, debounceMs = 150): Promise<Watcher> {
  let building: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const requestBuild = (): void => {
    if (closed) return;
    if (building) {
      again = true;
      return;
    }
    building = rebuild()
      .catch(() => undefined)
      .finally(() => {
        building = undefined;
        if (again) {
          again = false;
          requestBuild();
        }
      });
  };

  const watchers: FSWatcher[] = [];
  const unwatched: Watcher['unwatched'] = [];
  let timer: NodeJS.Timeout | undefined;
  const onChange = (_event: string, name: string | Buffer | null) => {
    if (typeof name === 'string' && scratchFile.test(path.basename(name))) return;
    clearTimeout(timer);
    timer = setTimeout(requestBuild, debounceMs);
  };
  for (const dir of dirs) {
    // Every folder under it, one watcher each: recursive watching is uneven across platforms.
    for (const folder of await foldersUnder(dir)) {
      try {
        watchers.push(watch(folder, onChange));
      } catch (error) {
        unwatched.push({ folder, reason: (error as Error).message.split('\n')[0] ?? '' });
      }
    }
  }
  return {
    unwatched,
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await building;
    },
  };
}

/** The folder and every folder below it (not node_modules or hidden ones). */
async function foldersUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found = [dir];
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') found.push(...(await foldersUnder(path.join(dir, entry.name))));
  }
  return found;
}
