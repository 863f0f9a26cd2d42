/**
 * EPUBCheck, run on the written EPUB. Its JSON report is read, not its exit code: every fatal,
 * error and warning becomes an `epub-001` message pointing into the EPUB.
 *
 * EPUBCheck is a short-lived JVM that spends more CPU starting (loading and JIT-compiling
 * some 4,500 classes) than validating one issue. So it runs with the client compiler only and
 * the serial collector, and, when a cache folder is given, with an application class-data
 * archive (CDS) of its classes made by an earlier run. The archive is a pure start-up aid: a
 * missing, stale or damaged archive never changes a finding and never fails a build.
 *
 * Making the archive costs about half a run more CPU and it saves about a tenth of a run each
 * time it is used, so it is made by the second run into a cache folder, not the first: a
 * one-off build (CI, a test) never pays for an archive it would not use, and a person editing
 * pays once, on the first rebuild.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { writeFileAtomic } from '../files.js';
import { message, type Message } from '../messages.js';
import { fileIdentity, hashParts } from './cache.js';

/** Where the Debian epubcheck package puts the jar; `EPUBCHECK_JAR` overrides. */
export const defaultEpubcheckJar = '/usr/share/java/epubcheck.jar';

/**
 * JVM flags for a run of a few seconds: C1 only (C2 would compile for a run that is over
 * before it pays off), one GC thread, no perf-data file in /tmp, warnings of the JVM itself on
 * stderr so that stdout holds the report, and no hs_err file left in the working folder.
 */
const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto', '-Xlog:disable', '-Xlog:all=warning:stderr', '-XX:ErrorFile=/dev/null'];

/** Bumped when the archive's making or use changes, so that old archives are not used. */
const archiveFormat = 'folio-epubcheck-cds-1';

interface EpubcheckLocation {
  path?: string;
  line?: number;
  column?: number;
}

interface EpubcheckMessage {
  ID: string;
  severity: string;
  message: string;
  locations?: EpubcheckLocation[];
}

interface EpubcheckReport {
  checker?: { checkerVersion?: string };
  messages?: EpubcheckMessage[];
}

/**
 * One finding as EPUBCheck reported it, at a place inside the EPUB: not tied to where the EPUB
 * was written, so that it can be kept and shown again for the same bytes.
 */
export interface EpubcheckFinding {
  id: string;
  severity: string;
  message: string;
  path?: string;
  line?: number;
  column?: number;
}

/** The result of one EPUBCheck run. */
export interface EpubcheckResult {
  version?: string;
  messages: Message[];
  /** What EPUBCheck found, when it ran to the end (absent when it could not run). */
  findings?: EpubcheckFinding[];
  /** Whether the JVM started from a class-data archive of an earlier run. */
  archive?: 'used' | 'made' | 'none';
}

/** Options of `runEpubcheck`. */
export interface EpubcheckOptions {
  /** Where the class-data archive is kept between runs; without it the JVM starts without one. */
  cacheDir?: string;
}

/** The EPUBCheck to run and what identifies it, read from the jar's manifest. */
export interface EpubcheckTool {
  jar: string;
  /**
   * The jar and the jars its manifest's Class-Path names that exist, in order. Named on the
   * command line because JDK 17's CDS takes a manifest's absolute Class-Path entries for
   * relative ones and would archive none of their classes.
   */
  classPath: string[];
  mainClass: string;
  /** A hash of the JVM, the jars and the flags: equal identities give equal findings. */
  identity: string;
}

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 }, (error, stdout, stderr) => {
      resolve(error ? { stdout, stderr, error } : { stdout, stderr });
    });
  });
}

/** The jar EPUBCheck runs from: `EPUBCHECK_JAR`, else the Debian one. */
export function epubcheckJar(env: NodeJS.ProcessEnv = process.env): string {
  return env.EPUBCHECK_JAR && env.EPUBCHECK_JAR !== '' ? env.EPUBCHECK_JAR : defaultEpubcheckJar;
}

/** The `java` on the PATH and the files that change when its JDK is upgraded. */
async function javaIdentity(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const java = await fileIdentity(path.join(dir, 'java'));
    if (java === undefined) continue;
    const home = path.dirname(path.dirname(java.split(':')[0] ?? ''));
    const parts = await Promise.all(['lib/modules', 'lib/server/libjvm.so'].map((file) => fileIdentity(path.join(home, file))));
    return [java, ...parts.map((p) => p ?? '')].join('|');
  }
  return undefined;
}

/** A manifest's main attributes, continuation lines joined. */
function manifestAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const joined = text.replace(/\r\n?/g, '\n').replace(/\n /g, '');
  for (const line of joined.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) attributes.set(line.slice(0, colon), line.slice(colon + 2));
  }
  return attributes;
}

const tools = new Map<string, Promise<EpubcheckTool | undefined>>();

/**
 * What identifies the EPUBCheck that would run: undefined when the jar, its manifest or Java
 * cannot be read (it is then run plainly, for its own error, and nothing is cached).
 */
export function epubcheckTool(env: NodeJS.ProcessEnv = process.env): Promise<EpubcheckTool | undefined> {
  const jar = epubcheckJar(env);
  const key = `${jar}\n${env.PATH ?? ''}`;
  let found = tools.get(key);
  if (!found) {
    found = (async () => {
      const [jarIdentity, java] = await Promise.all([fileIdentity(jar), javaIdentity(env)]);
      if (jarIdentity === undefined || java === undefined) return undefined;
      const manifest = await JSZip.loadAsync(await readFile(jar))
        .then((zip) => zip.file('META-INF/MANIFEST.MF')?.async('string'))
        .catch(() => undefined);
      if (manifest === undefined) return undefined;
      const attributes = manifestAttributes(manifest);
      const mainClass = attributes.get('Main-Class');
      if (mainClass === undefined) return undefined;
      const classPath = [jar];
      const identities = [jarIdentity];
      for (const entry of (attributes.get('Class-Path') ?? '').split(' ').filter(Boolean)) {
        const file = path.resolve(path.dirname(jar), entry.replace(/^file:/, ''));
        const identity = await fileIdentity(file);
        identities.push(`${file}:${identity ?? 'missing'}`);
        if (identity !== undefined) classPath.push(file);
      }
      return { jar, classPath, mainClass, identity: hashParts(archiveFormat, java, ...identities, ...jvmFlags) };
    })();
    tools.set(key, found);
    // A jar installed or upgraded while a long-lived process (the preview) runs is seen again.
    setTimeout(() => tools.delete(key), 60_000).unref();
  }
  return found;
}

/** Reads EPUBCheck's JSON report from its standard output; undefined when there is none. */
function parseReport(stdout: string): EpubcheckReport | undefined {
  try {
    // EPUBCheck may print a line or two of plain text before the JSON on standard output.
    const start = stdout.search(/^\{/m);
    const report = JSON.parse(start === -1 ? stdout : stdout.slice(start)) as unknown;
    return report !== null && typeof report === 'object' ? (report as EpubcheckReport) : undefined;
  } catch {
    return undefined;
  }
}

const reported = new Set(['FATAL', 'ERROR', 'WARNING']);

/** The findings of a report that Folio reports: fatals, errors and warnings, one per location. */
function reportFindings(report: EpubcheckReport): EpubcheckFinding[] {
  const findings: EpubcheckFinding[] = [];
  for (const m of report.messages ?? []) {
    if (!reported.has(m.severity)) continue;
    const locations = m.locations && m.locations.length > 0 ? m.locations : [{}];
    for (const location of locations) {
      const finding: EpubcheckFinding = { id: m.ID, severity: m.severity, message: m.message };
      if (location.path) finding.path = location.path;
      if (location.line !== undefined && location.line > 0) finding.line = location.line;
      if (location.column !== undefined && location.column > 0) finding.column = location.column;
      findings.push(finding);
    }
  }
  return findings;
}

/** Whether a value read from a cache is a list of findings. */
export function isEpubcheckFindings(value: unknown): value is EpubcheckFinding[] {
  return (
    Array.isArray(value) &&
    value.every((f: Partial<EpubcheckFinding> | null) => f !== null && typeof f === 'object' && typeof f.id === 'string' && typeof f.severity === 'string' && typeof f.message === 'string')
  );
}

/** Turns findings into messages pointing into the EPUB at `epub`. */
export function epubcheckMessages(findings: readonly EpubcheckFinding[], epub: string): Message[] {
  return findings.map((f) => {
    const place: Message['place'] = { file: f.path ? `${epub}/${f.path}` : epub };
    if (f.line !== undefined) place.line = f.line;
    if (f.column !== undefined) place.column = f.column;
    return message('epub-001', `EPUBCheck ${f.severity.toLowerCase()} ${f.id}: ${f.message}`, place);
  });
}

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

/** Runs EPUBCheck on an EPUB and turns its findings into messages. */
export async function runEpubcheck(epub: string, env: NodeJS.ProcessEnv = process.env, options: EpubcheckOptions = {}): Promise<EpubcheckResult> {
  const jar = epubcheckJar(env);
  const tool = await epubcheckTool(env);
  const checkArgs = ['--quiet', '--json', '-', epub];
  const plainArgs = tool ? [...jvmFlags, '-cp', tool.classPath.join(path.delimiter), tool.mainClass, ...checkArgs] : [...jvmFlags, '-jar', jar, ...checkArgs];
  let result: Awaited<ReturnType<typeof run>> | undefined;
  let report: EpubcheckReport | undefined;
  let archiveUse: EpubcheckResult['archive'] = 'none';
  if (tool && options.cacheDir !== undefined) {
    const { archive, sidecar, seen } = archiveFiles(options.cacheDir, tool);
    const existing = await usableArchive(options.cacheDir, tool);
    const second = existing === undefined && (await stat(seen).catch(() => undefined)) !== undefined;
    if (existing) {
      result = await run('java', [`-XX:SharedArchiveFile=${existing}`, '-XX:+VerifySharedSpaces', ...plainArgs]);
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
        await mkdir(options.cacheDir, { recursive: true });
        await removeOtherArchives(options.cacheDir, path.basename(archive, '.jsa'));
        result = await run('java', [`-XX:ArchiveClassesAtExit=${partial}`, ...plainArgs]);
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
    result = await run('java', plainArgs);
    report = parseReport(result.stdout);
  }
  if (!report) {
    const why = (result?.error?.message ?? result?.stderr ?? '').split('\n')[0] || 'no output';
    return { messages: [message('epub-004', `Unexpected failure to run EPUBCheck (${jar}): ${why}`, { file: epub })] };
  }
  const findings = reportFindings(report);
  const version = report.checker?.checkerVersion;
  return { ...(version ? { version } : {}), messages: epubcheckMessages(findings, epub), findings, archive: archiveUse };
}
