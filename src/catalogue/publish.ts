/**
 * Publishing an issue's build: it is made in a staging folder beside its output folder and
 * renamed into place only once the build and its check pass, so the output folder holds one
 * whole, checked build or the one before it, never half of one. The names of staging folders
 * carry the host and pid of their worker, so a worker finds and removes those a killed worker of
 * its own machine left (a worker of another machine may still be using its own).
 */
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { running } from '../session/index.js';

/** The staging folder this process builds `out` in: `.<name>.<host>.<pid>.building` beside it. */
export function stagingFolder(out: string): string {
  return path.join(path.dirname(out), `.${path.basename(out)}.${host()}.${process.pid}.building`);
}

/** The host as it stands in a staging folder's name: without dots, which separate its parts. */
function host(): string {
  return hostname().replace(/\./gu, '-');
}

/**
 * Removes what killed workers of this machine left beside `out`: staging folders, and the old
 * output set aside during a publish (put back when the kill came before the new one was in place).
 */
export async function sweepStaging(out: string): Promise<string[]> {
  const dir = path.dirname(out);
  const base = path.basename(out);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const match = /^\.(.+)\.([^.]+)\.(\d+)\.building(\.replaced)?$/u.exec(name);
    if (!match || match[1] !== base || match[2] !== host() || running(Number(match[3]))) continue;
    const left = path.join(dir, name);
    if (match[4] !== undefined && !existsSync(out)) await rename(left, out);
    else await rm(left, { recursive: true, force: true });
    removed.push(left);
  }
  return removed;
}

/**
 * Puts `staging` at `target`: the old folder is renamed aside, the new one renamed in, the old
 * one removed. Each step is one rename, so `target` is whole at every moment but the one
 * between the two renames (a worker killed there leaves the old one aside; `sweepStaging` puts it back).
 */
export async function publishFolder(staging: string, target: string): Promise<void> {
  const aside = `${staging}.replaced`;
  const had = existsSync(target);
  if (had) await rename(target, aside);
  await rename(staging, target);
  if (had) await rm(aside, { recursive: true, force: true });
}
