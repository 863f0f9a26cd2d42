/** Writing outputs so that a failure never leaves half a file where a whole one was. */
import { constants } from 'node:fs';
import { access, copyFile, mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Kernel file systems: no output belongs there, and a recursive mkdir under them never ends. */
const kernelFolders = ['/proc', '/sys'];

/**
 * Why `target` cannot be an output, or undefined when it can be made: a file path that is a
 * folder (or a folder path that is a file), a parent that is a file, a kernel file system, a
 * read-only or unwritable folder. Found by walking up to the first existing ancestor, so it
 * answers at once where Node's recursive mkdir would spin on a parent that answers ENOENT.
 */
export async function outputPathProblem(target: string, kind: 'file' | 'folder'): Promise<string | undefined> {
  const resolved = path.resolve(target);
  const own = await stat(resolved).catch(() => undefined);
  if (own && kind === 'file' && own.isDirectory()) return `\`${resolved}\` is a folder, expected a file path`;
  if (own && kind === 'folder' && !own.isDirectory()) return `\`${resolved}\` is a file, expected a folder`;
  let existing = own ? resolved : path.dirname(resolved);
  let found = own ?? (await stat(existing).catch(() => undefined));
  while (!found && existing !== path.dirname(existing)) {
    existing = path.dirname(existing);
    found = await stat(existing).catch(() => undefined);
  }
  const real = await realpath(existing).catch(() => existing);
  const kernel = kernelFolders.find((dir) => real === dir || real.startsWith(`${dir}/`));
  if (kernel) return `\`${resolved}\` is on ${kernel}, a kernel file system, expected a folder on a disk`;
  const folder = own && kind === 'file' ? path.dirname(resolved) : existing;
  const folderStat = folder === existing ? found : await stat(folder).catch(() => undefined);
  if (folderStat && !folderStat.isDirectory()) return `\`${folder}\` is a file, expected a folder to hold \`${resolved}\``;
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EACCES';
    return `${code}: cannot write to \`${folder}\` (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}), expected a writable output folder`;
  }
  return undefined;
}

/** An output path that cannot be made; its message names the path and why. */
export class OutputPathError extends Error {
  readonly target: string;
  constructor(target: string, reason: string) {
    super(reason);
    this.name = 'OutputPathError';
    this.target = target;
  }
}

/** Makes an output folder, or throws an `OutputPathError` at once saying why it cannot be. */
export async function makeOutputFolder(dir: string): Promise<void> {
  const problem = await outputPathProblem(dir, 'folder');
  if (problem) throw new OutputPathError(dir, problem);
  await mkdir(dir, { recursive: true });
}

/** Where a file is written before it is renamed into place: beside it, so the rename is atomic. */
function partialName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
}

/** Makes `file` by `make` writing a temporary file beside it, then a rename; on failure the old file stays and the temporary goes. */
async function throughPartial(file: string, make: (partial: string) => Promise<void>): Promise<void> {
  const partial = partialName(file);
  try {
    await make(partial);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Writes a file through a temporary file beside it and a rename; on failure the old file stays and the temporary goes. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const problem = await outputPathProblem(file, 'file');
  if (problem) throw new OutputPathError(file, problem);
  await mkdir(path.dirname(file), { recursive: true });
  await throughPartial(file, (partial) => writeFile(partial, data));
}

/** Copies a file the same way: a full disk never leaves a truncated copy behind. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await throughPartial(to, (partial) => copyFile(from, partial));
}

/**
 * The name an output that failed its validation is kept under, so that it never sits at the
 * path the next step of a pipeline reads: `issue.epub` becomes `issue.invalid.epub`.
 */
export function invalidName(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.invalid${ext}`);
}

/** Moves an output that failed validation to its `invalidName`, replacing an older one; returns where it went. */
export async function setAsideInvalid(file: string): Promise<string> {
  const aside = invalidName(file);
  await rename(file, aside);
  return aside;
}

/** Removes the set-aside copy of an earlier invalid output once a valid one is written. */
export async function dropInvalid(file: string): Promise<void> {
  await rm(invalidName(file), { force: true });
}

/** Whether process `pid` of this machine is alive (EPERM: alive, another user's). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files (`.<name>.<pid>.partial`) that a process killed mid-write (SIGKILL,
 * a power cut) left anywhere under `dir`; those of a process still running are its own. Returns
 * what it removed.
 */
export async function sweepPartials(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    const pid = /^\..+\.(\d+)\.partial$/u.exec(entry.name)?.[1];
    if (!entry.isFile() || pid === undefined || running(Number(pid))) continue;
    const file = path.join(entry.parentPath, entry.name);
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}
