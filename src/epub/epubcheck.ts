/**
 * EPUBCheck, run on the written EPUB. Its JSON report is read, not its exit code: every fatal,
 * error and warning becomes an `epub-001` message pointing into the EPUB.
 *
 * It runs in one of two ways, with the same findings.
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
 *
 * Through a server (`startEpubcheckServer`, for `folio build --watch`): one JVM, started by the
 * first validation and kept running, validates one EPUB after another (`EpubcheckServer.java`),
 * a tenth of a one-shot run's time once it is warm. It is only ever a faster way to the same
 * report: a JVM that cannot start, dies, hangs or writes no report is dropped and that
 * validation runs one-shot, and the next one starts another JVM.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { KeptProcess, writeFileAtomic, cacheKey } from '../session/index.js';
import { message, type Message } from '../messages.js';
import { fileIdentity } from './cache.js';

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
  /** Of a one-shot run: whether its JVM started from a class-data archive of an earlier run. */
  archive?: 'used' | 'made' | 'none';
  /**
   * Which JVM validated (absent when EPUBCheck could not run): the server's, already running
   * ('warm') or started for this validation ('started'), or a one-shot JVM ('cold'), which is
   * also what a validation given a server falls back to.
   */
  jvm?: 'warm' | 'started' | 'cold';
}

/** Options of `runEpubcheck`. */
export interface EpubcheckOptions {
  /** Where the class-data archive is kept between runs; without it the JVM starts without one. */
  cacheDir?: string;
  /** A server to validate through; a validation it cannot serve runs one-shot, as without it. */
  server?: EpubcheckServer;
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
      return { jar, classPath, mainClass, identity: cacheKey(archiveFormat, java, ...identities, ...jvmFlags) };
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

/** The result of a report EPUBCheck wrote to the end. */
function reportResult(report: EpubcheckReport, epub: string): EpubcheckResult {
  const findings = reportFindings(report);
  const version = report.checker?.checkerVersion;
  return { ...(version ? { version } : {}), messages: epubcheckMessages(findings, epub), findings };
}

/** Runs EPUBCheck on an EPUB, through `options.server` when it can, and turns its findings into messages. */
export async function runEpubcheck(epub: string, env: NodeJS.ProcessEnv = process.env, options: EpubcheckOptions = {}): Promise<EpubcheckResult> {
  const jar = epubcheckJar(env);
  const tool = await epubcheckTool(env);
  if (tool && options.server instanceof ServerProcess) {
    const served = await options.server.validate(epub, tool);
    if (served) return { ...reportResult(served.report, epub), jvm: served.jvm };
  }
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
  return { ...reportResult(report, epub), archive: archiveUse, jvm: 'cold' };
}

// From the project folder, two folders above this module (src/epub/, or the bundle in node_modules/.folio/).
const serverSource = fileURLToPath(new URL('../../src/epub/EpubcheckServer.java', import.meta.url));

/**
 * JVM flags for a JVM that validates one EPUB after another: the one-shot flags less
 * `-XX:TieredStopAtLevel=1`, since C2's code pays off over many validations.
 */
const serverJvmFlags = ['-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto', '-Xlog:disable', '-Xlog:all=warning:stderr', '-XX:ErrorFile=/dev/null'];

/**
 * How long one validation through the server may take, the first one's JVM start and
 * compilation included, before the JVM is taken for hung: minutes for what takes seconds.
 */
const serverTimeoutMs = 5 * 60_000;

/** Characters the server's line protocol cannot carry in a path (Java's readLine ends a line at \r too). */
const unsafeInLine = /[\t\n\r]/;

/** Options of `startEpubcheckServer`. */
export interface EpubcheckServerOptions {
  /** How long one validation may take before the JVM is taken for hung and killed (default five minutes). */
  timeoutMs?: number;
}

/**
 * EPUBCheck in a JVM kept running between validations, for `EpubcheckOptions.server`. The JVM
 * starts on the first validation through it; validations are served one at a time.
 */
export interface EpubcheckServer {
  /** The process id of the JVM while one runs, for tests and diagnostics. */
  readonly pid: number | undefined;
  /**
   * Ends the JVM: its stdin is closed, and it is killed if it has not exited soon after.
   * Resolves once it has exited and the files of its last validation are removed; later
   * validations given this server run one-shot.
   */
  close(): Promise<void>;
}

class ServerProcess implements EpubcheckServer {
  /** Validations under way: `close` waits for them, so that their files are gone when it resolves. */
  private readonly underWay = new Set<Promise<unknown>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly jvm: KeptProcess,
  ) {}

  get pid(): number | undefined {
    return this.jvm.pid;
  }

  async close(): Promise<void> {
    await this.jvm.close();
    await Promise.all(this.underWay);
  }

  /**
   * The report of EPUBCheck `tool` on `epub`, written by the server's JVM; undefined when the
   * server cannot give it, and the validation is then to run one-shot.
   */
  validate(epub: string, tool: EpubcheckTool): Promise<{ report: EpubcheckReport; jvm: 'warm' | 'started' } | undefined> {
    const validation = this.serve(epub, tool);
    const settled = validation.catch(() => undefined);
    this.underWay.add(settled);
    void settled.then(() => this.underWay.delete(settled));
    return validation;
  }

  private async serve(epub: string, tool: EpubcheckTool): Promise<{ report: EpubcheckReport; jvm: 'warm' | 'started' } | undefined> {
    // A path the line protocol cannot carry, or one EPUBCheck would read as an option.
    if (unsafeInLine.test(epub) || epub.startsWith('-')) return undefined;
    // The EPUBCheck of this server's environment, looked at again as the one-shot run does, so
    // that an upgrade while a watch runs restarts the JVM, and a caller of another one is not served.
    const own = await epubcheckTool(this.env);
    if (own?.identity !== tool.identity) return undefined;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'folio-epubcheck-'));
    try {
      const reportFile = path.join(dir, 'report.json');
      if (unsafeInLine.test(reportFile)) return undefined;
      const served = await this.jvm.request({
        key: own.identity,
        // Started as the one-shot `java` is, in Node's environment and working folder. Its stderr,
        // where EPUBCheck's own console output goes, is not read: the report says what it found.
        start: () => spawn('java', [...serverJvmFlags, '-cp', own.classPath.join(path.delimiter), serverSource], { stdio: ['pipe', 'pipe', 'ignore'] }),
        line: `${epub}\t${reportFile}`,
        // The JVM resolves a relative path against the folder Node was in when it started.
        relativePaths: !path.isAbsolute(epub),
        accept: async (answer) => {
          const done = /^done\t(-?\d+)$/.exec(answer);
          return done && Number(done[1]) >= 0 ? parseReport(await readFile(reportFile, 'utf8').catch(() => '')) : undefined;
        },
      });
      return served && { report: served.value, jvm: served.process };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A server for `runEpubcheck` to validate through, of the EPUBCheck `env` names (as for
 * `runEpubcheck`: `EPUBCHECK_JAR`, and `java` on the PATH). Nothing runs until the first
 * validation through it; `close` ends it.
 */
export function startEpubcheckServer(env: NodeJS.ProcessEnv = process.env, options: EpubcheckServerOptions = {}): EpubcheckServer {
  // Two JVMs in a row that ended before they wrote a single report: Java, its compiler module
  // or the server's source is missing or broken, and no more are started.
  return new ServerProcess(env, new KeptProcess({ timeoutMs: options.timeoutMs ?? serverTimeoutMs, maxFailedStarts: 2, exitGraceMs: 2_000 }));
}
