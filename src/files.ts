/** Writing outputs so that a failure never leaves half a file where a whole one was. */
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

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
  await mkdir(path.dirname(file), { recursive: true });
  await throughPartial(file, (partial) => writeFile(partial, data));
}

/** Copies a file the same way: a full disk never leaves a truncated copy behind. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await throughPartial(to, (partial) => copyFile(from, partial));
}
