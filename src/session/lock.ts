/**
 * One build at a time per output folder: a lock file made with O_EXCL holds the pid of the
 * build that writes there, and the time that process started. A lock whose process is gone
 * (killed, crashed), or whose pid now belongs to another process, is taken over.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { makeOutputFolder } from './files.js';

/** A held lock; release it when the build is done. */
export interface OutputLock {
  file: string;
  release(): Promise<void>;
}

/** When a process started, in clock ticks since boot (field 22 of /proc/PID/stat); undefined off Linux. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the build that wrote a lock (`pid` and, when recorded, its start time) still runs. */
function alive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid reused by another process since (after a reboot, say) is not the build.
  const now = startTime(pid);
  return started === undefined || now === undefined || now === started;
}

/**
 * Takes the lock of `dir`, or says which process holds it. Never waits: two builds into one
 * folder would interleave their outputs, so the second one stops at once.
 */
export async function lockOutputDir(dir: string): Promise<{ lock?: OutputLock; heldBy?: number }> {
  await makeOutputFolder(dir);
  const file = path.join(dir, '.folio-build.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid} ${startTime(process.pid) ?? ''}\n`);
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
      const [pidText, started] = (await readFile(file, 'utf8').catch(() => '')).trim().split(' ');
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && alive(pid, started === '' ? undefined : started)) return { heldBy: pid };
      await rm(file, { force: true }); // stale: its build is gone
    }
  }
  return {};
}
