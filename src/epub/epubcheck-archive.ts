/**
 * EPUBCheck one-shot, a JVM per validation, and the class-data archive that speeds its start.
 *
 * One-shot, a JVM per validation (a build, CI, a test): EPUBCheck then spends more CPU starting
 * (loading and JIT-compiling some 4,500 classes) than validating one issue. So it runs with the
 * client compiler only and the serial collector, and, when a cache folder is given, with an
 * application class-data archive (CDS) of its classes made by an earlier run. The archive is a
 * pure start-up aid: a missing, stale or damaged archive never changes a finding and never fails
 * a build. Making the archive costs about half a run more CPU and it saves about a tenth of a run
 * each time it is used, so it is made by the second run into a cache folder, not the first: a
 * one-off build never pays for an archive it would not use, and a person editing pays once, on
 * the first rebuild.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { message } from '../messages.js';
import { writeFileAtomic } from '../session/index.js';
import { parseReport, reportResult, type EpubcheckReport, type EpubcheckResult } from './epubcheck-report.js';
import { epubcheckJar, epubcheckTool, jvmFlags, runTool, type EpubcheckTool } from './epubcheck-tool.js';

/** The archive file of a tool, a sidecar with the size it had when made, and the mark of a first run. */
function archiveFiles(cacheDir: string, tool: EpubcheckTool) {
  const base = path.join(cacheDir, `epubcheck-${tool.identity.slice(0, 24)}`);
  return { archive: `${base}.jsa`, sidecar: `${base}.json`, seen: `${base}.seen` };
}

/**
 * The archive to start from, if a whole one is there. A truncated archive makes the JVM die
 * of SIGBUS before it reads anything, so the size recorded when it was made is compared
 * first; `-XX:+VerifySharedSpaces` then checks the checksums of its regions, and a mismatch
 * makes the JVM warn and start without it.
 */
async function usableArchive(cacheDir: string, tool: EpubcheckTool): Promise<string | undefined> {
  const { archive, sidecar } = archiveFiles(cacheDir, tool);
  try {
    const [info, recorded] = await Promise.all([stat(archive), readFile(sidecar, 'utf8').then((text) => JSON.parse(text) as { size?: unknown })]);
    return recorded.size === info.size && info.size > 0 ? archive : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the archives of other EPUBCheck or Java versions (each is some 25 MB), and what a
 * run killed while writing one left behind more than an hour ago.
 */
async function removeOtherArchives(cacheDir: string, keep: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const hourAgo = Date.now() - 3_600_000;
  const stale = async (name: string): Promise<boolean> => {
    if (/^epubcheck-[0-9a-f]+\.(jsa|json|seen)$/.test(name)) return !name.startsWith(keep);
    if (!/^epubcheck-.*\.partial$/.test(name)) return false;
    const info = await stat(path.join(cacheDir, name)).catch(() => undefined);
    return info !== undefined && info.mtimeMs < hourAgo;
  };
  await Promise.all(names.map(async (name) => ((await stale(name)) ? rm(path.join(cacheDir, name), { force: true }) : undefined)));
}

/** Runs EPUBCheck on `epub` in a JVM of its own, from (or making) an archive in `cacheDir` when given. */
export async function runOneShot(epub: string, env: NodeJS.ProcessEnv, cacheDir: string | undefined): Promise<EpubcheckResult> {
  const jar = epubcheckJar(env);
  const tool = await epubcheckTool(env);
  const checkArgs = ['--quiet', '--json', '-', epub];
  const plainArgs = tool ? [...jvmFlags, '-cp', tool.classPath.join(path.delimiter), tool.mainClass, ...checkArgs] : [...jvmFlags, '-jar', jar, ...checkArgs];
  let result: Awaited<ReturnType<typeof runTool>> | undefined;
  let report: EpubcheckReport | undefined;
  let archiveUse: EpubcheckResult['archive'] = 'none';
  if (tool && cacheDir !== undefined) {
    const { archive, sidecar, seen } = archiveFiles(cacheDir, tool);
    const existing = await usableArchive(cacheDir, tool);
    const second = existing === undefined && (await stat(seen).catch(() => undefined)) !== undefined;
    if (existing) {
      result = await runTool('java', [`-XX:SharedArchiveFile=${existing}`, '-XX:+VerifySharedSpaces', ...plainArgs]);
      report = parseReport(result.stdout);
      // A JVM that died on the archive, or refused it: drop it (the next run makes another);
      // a JVM that died is run again without one below.
      if (report && !/Unable to use shared archive/i.test(result.stderr)) archiveUse = 'used';
      else await Promise.all([rm(archive, { force: true }), rm(sidecar, { force: true })]);
    } else if (!second) {
      // A first run here: the archive is made by the next one, if there is a next one.
      await writeFileAtomic(seen, '').catch(() => undefined);
    } else {
      // The JVM writes the archive at exit: to a name of its own first, so that a run killed
      // half-way or a build beside this one never leaves half an archive under the real name.
      const partial = `${archive}.${process.pid}.partial`;
      try {
        await mkdir(cacheDir, { recursive: true });
        await removeOtherArchives(cacheDir, path.basename(archive, '.jsa'));
        result = await runTool('java', [`-XX:ArchiveClassesAtExit=${partial}`, ...plainArgs]);
        report = parseReport(result.stdout);
        // On a full disk the JVM says so, removes what it wrote and still prints the report.
        const failed = /error has occurred while processing the shared archive|Unable to write/i.test(result.stderr);
        const made = report && !failed ? await stat(partial).catch(() => undefined) : undefined;
        if (made && made.size > 0) {
          await rename(partial, archive);
          await writeFileAtomic(sidecar, JSON.stringify({ size: made.size }));
          archiveUse = 'made';
        }
      } catch {
        // No archive this time: the findings, if any, stand.
      } finally {
        await rm(partial, { force: true });
      }
    }
  }
  if (!report) {
    result = await runTool('java', plainArgs);
    report = parseReport(result.stdout);
  }
  if (!report) {
    const why = (result?.error?.message ?? result?.stderr ?? '').split('\n')[0] || 'no output';
    return { messages: [message('epub-004', `Unexpected failure to run EPUBCheck (${jar}): ${why}`, { file: epub })] };
  }
  return { ...reportResult(report, epub), archive: archiveUse, jvm: 'cold' };
}
