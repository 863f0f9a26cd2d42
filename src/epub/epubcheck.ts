/**
 * EPUBCheck, run on the written EPUB. Its JSON report is read, not its exit code: every fatal,
 * error and warning becomes an `epub-001` message pointing into the EPUB.
 */
import { execFile } from 'node:child_process';
import { message, type Message } from '../messages.js';

/** Where the Debian epubcheck package puts the jar; `EPUBCHECK_JAR` overrides. */
export const defaultEpubcheckJar = '/usr/share/java/epubcheck.jar';

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

/** The result of one EPUBCheck run. */
export interface EpubcheckResult {
  version?: string;
  messages: Message[];
}

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 }, (error, stdout, stderr) => {
      resolve(error ? { stdout, stderr, error } : { stdout, stderr });
    });
  });
}

const reported = new Set(['FATAL', 'ERROR', 'WARNING']);

/** Runs EPUBCheck on an EPUB and turns its findings into messages. */
export async function runEpubcheck(epub: string, env: NodeJS.ProcessEnv = process.env): Promise<EpubcheckResult> {
  const jar = env.EPUBCHECK_JAR && env.EPUBCHECK_JAR !== '' ? env.EPUBCHECK_JAR : defaultEpubcheckJar;
  const result = await run('java', ['-jar', jar, '--quiet', '--json', '-', epub]);
  let report: EpubcheckReport;
  try {
    // EPUBCheck prints a line or two of plain text before the JSON on standard output.
    const start = result.stdout.search(/^\{/m);
    report = JSON.parse(start === -1 ? result.stdout : result.stdout.slice(start)) as EpubcheckReport;
  } catch {
    const why = (result.error?.message ?? result.stderr).split('\n')[0] ?? 'no output';
    return { messages: [message('epub-004', `Unexpected failure to run EPUBCheck (${jar}): ${why}`, { file: epub })] };
  }
  const messages: Message[] = [];
  for (const m of report.messages ?? []) {
    if (!reported.has(m.severity)) continue;
    const locations = m.locations && m.locations.length > 0 ? m.locations : [{}];
    for (const location of locations) {
      const place: Message['place'] = { file: location.path ? `${epub}/${location.path}` : epub };
      if (location.line !== undefined && location.line > 0) place.line = location.line;
      if (location.column !== undefined && location.column > 0) place.column = location.column;
      messages.push(message('epub-001', `EPUBCheck ${m.severity.toLowerCase()} ${m.ID}: ${m.message}`, place));
    }
  }
  const version = report.checker?.checkerVersion;
  return version ? { version, messages } : { messages };
}
