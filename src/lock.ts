/**
 * One build at a time per output folder: a lock file made with O_EXCL holds the pid of the
 * build that writes there. A lock whose process is gone (killed, crashed) is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/** A held lock; release it when the build is done. */
export interface OutputLock {
  file: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dir`, or says which process holds it. Never waits: two builds into one
 * folder would interleave their outputs, so the second one stops at once.
 */
export async function lockOutputDir(dir: string): Promise<{ lock?: OutputLock; heldBy?: number }> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, '.folio-build.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released = false;
      return {
        lock: {
          file,
          async release() {
            if (released) return;
            released = true;
            await rm(file, { force: true });
          },
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) return { heldBy: pid };
      await rm(file, { force: true }); // stale: its build is gone
    }
  }
  return {};
}
