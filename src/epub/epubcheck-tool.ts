/**
 * Which EPUBCheck runs: its jar (and the jars its manifest names), Java, the JVM flags, and the
 * identity of all of them that keys the validation cache, the class-data archive and the server.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { cacheKey, sessionMemos } from '../session/index.js';
import { fileIdentity } from './cache.js';

/** Where the Debian epubcheck package puts the jar; `EPUBCHECK_JAR` overrides. */
export const defaultEpubcheckJar = '/usr/share/java/epubcheck.jar';

/**
 * JVM flags for a run of a few seconds: C1 only (C2 would compile for a run that is over
 * before it pays off), one GC thread, no perf-data file in /tmp, warnings of the JVM itself on
 * stderr so that stdout holds the report, and no hs_err file left in the working folder.
 */
export const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xshare:auto', '-Xlog:disable', '-Xlog:all=warning:stderr', '-XX:ErrorFile=/dev/null'];

/** Bumped when the archive's making or use changes, so that old archives are not used. */
const archiveFormat = 'folio-epubcheck-cds-1';

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

/** Runs `file` with `args` to its end (ten minutes at most), with what it wrote. */
export function runTool(file: string, args: string[]): Promise<{ stdout: string; stderr: string; error?: Error }> {
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

/**
 * What identifies the EPUBCheck that would run: undefined when the jar, its manifest or Java
 * cannot be read (it is then run plainly, for its own error, and nothing is cached).
 */
export function epubcheckTool(env: NodeJS.ProcessEnv = process.env): Promise<EpubcheckTool | undefined> {
  const jar = epubcheckJar(env);
  const key = `${jar}\n${env.PATH ?? ''}`;
  const tools = sessionMemos().epubcheckTools;
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
