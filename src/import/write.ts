/** The imported manuscript written to disk, whole or not at all. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ImportedIssue } from './import.js';

/**
 * Writes an imported manuscript: chapter files, issue.yaml and import-report.json. Nothing is
 * written until everything is ready, and each file lands by rename, so a failure leaves the
 * old manuscript as it was. Files an editor keeps there (source/, editorial.yaml) are never touched.
 */
export async function writeManuscript(result: ImportedIssue, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = path.join(out, `.chapters-${stamp}`);
  try {
    await mkdir(path.join(staging, 'chapters'), { recursive: true });
    for (const [name, text] of result.files) await writeFile(path.join(staging, name), text);
    await writeFile(path.join(staging, 'issue.yaml'), stringify(result.issue, { lineWidth: 0 }));
    await writeFile(path.join(staging, 'import-report.json'), `${JSON.stringify(result.report, null, 2)}\n`);
    const old = path.join(out, `.chapters-old-${stamp}`);
    await rm(old, { recursive: true, force: true });
    try {
      await rename(path.join(out, 'chapters'), old);
    } catch {
      // No chapters yet: a first import.
    }
    await rename(path.join(staging, 'chapters'), path.join(out, 'chapters'));
    await rename(path.join(staging, 'issue.yaml'), path.join(out, 'issue.yaml'));
    await rename(path.join(staging, 'import-report.json'), path.join(out, 'import-report.json'));
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
