/**
 * Ace by DAISY, run on the written EPUB with Debian's Chromium. Its JSON report is read, not
 * its exit code: every failed check becomes an `epub-002` message.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { message, type Message, type Place } from '../messages.js';

interface AceTest {
  'earl:impact'?: string;
  'dct:title'?: string;
  'dct:description'?: string;
  help?: { url?: string };
}

interface AceAssertion {
  'earl:result'?: { 'earl:outcome'?: string; 'dct:description'?: string; 'earl:pointer'?: { css?: string[]; cfi?: string[] } };
  'earl:test'?: AceTest;
  'earl:testSubject'?: { url?: string };
  assertions?: AceAssertion[];
}

interface AceReport {
  'earl:result'?: { 'earl:outcome'?: string };
  assertions?: AceAssertion[];
  'a11y-metadata'?: { missing?: string[] };
}

/** The result of one Ace run. */
export interface AceResult {
  messages: Message[];
  /** How many checks failed. */
  violations: number;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 }, (error, stdout, stderr) => {
      const code = error && typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((error as unknown as { code: number }).code) : error ? null : 0;
      resolve(error ? { stdout, stderr, code, error } : { stdout, stderr, code });
    });
  });
}

/** The Ace command-line script, or undefined when @daisy/ace-cli is not installed. */
export function aceScript(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@daisy/ace-cli/bin/ace.js');
  } catch {
    return undefined;
  }
}

/** Collects the failed leaf assertions of a report, with the document each is about. */
function failures(assertions: readonly AceAssertion[] | undefined, document: string | undefined, into: { document: string | undefined; assertion: AceAssertion }[]): void {
  for (const assertion of assertions ?? []) {
    const here = assertion['earl:testSubject']?.url ?? document;
    if (assertion.assertions && assertion.assertions.length > 0) failures(assertion.assertions, here, into);
    else if (assertion['earl:result']?.['earl:outcome'] === 'fail') into.push({ document: here, assertion });
  }
}

/** Options of `runAce`. */
export interface AceOptions {
  /** Chromium for Ace's checks (puppeteer's PUPPETEER_EXECUTABLE_PATH). */
  chromePath: string | undefined;
  env?: NodeJS.ProcessEnv;
  /**
   * Where a person should look for a violation in a content document (path inside the EPUB's
   * package folder) at a CSS selector: the manuscript line, when known.
   */
  locate?: (document: string, selector: string | undefined) => Place | undefined;
}

/** Runs Ace on an EPUB and turns its violations into messages. */
export async function runAce(epub: string, options: AceOptions): Promise<AceResult> {
  const { chromePath, env = process.env, locate } = options;
  const script = aceScript();
  if (script === undefined) {
    return { violations: 0, messages: [message('epub-004', 'Unexpected missing Ace by DAISY, expected @daisy/ace-cli installed (PUPPETEER_SKIP_DOWNLOAD=1 npm install -D @daisy/ace-cli)', { file: epub })] };
  }
  if (chromePath === undefined) {
    return { violations: 0, messages: [message('epub-004', 'Unexpected missing Chromium for Ace, expected the Debian chromium package or CHROME_PATH', { file: epub })] };
  }
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'folio-ace-'));
  try {
    const result = await run([script, '--silent', '--force', '--outdir', outdir, '--tempdir', path.join(outdir, 'tmp'), '--exiterror2', epub], {
      ...env,
      // Ace launches Chromium through puppeteer, which reads the browser from here.
      PUPPETEER_EXECUTABLE_PATH: chromePath,
      PUPPETEER_SKIP_DOWNLOAD: '1',
    });
    let report: AceReport;
    try {
      report = JSON.parse(await readFile(path.join(outdir, 'report.json'), 'utf8')) as AceReport;
    } catch {
      const why = [result.stderr, result.stdout, result.error?.message ?? ''].join('\n').trim().split('\n').slice(0, 3).join(' ');
      return { violations: 0, messages: [message('epub-004', `Unexpected failure to run Ace by DAISY (exit ${String(result.code)}): ${why}`, { file: epub })] };
    }
    const found: { document: string | undefined; assertion: AceAssertion }[] = [];
    failures(report.assertions, undefined, found);
    const messages = found.map(({ document, assertion }) => {
      const test = assertion['earl:test'] ?? {};
      const result = assertion['earl:result'] ?? {};
      const where = result['earl:pointer']?.css?.[0];
      const inEpub = document ? `${document}${where ? `, at \`${where}\`` : ''}` : where ? `at \`${where}\`` : '';
      const reason = `Ace ${test['earl:impact'] ?? 'violation'} ${test['dct:title'] ?? 'unknown'}: ${result['dct:description'] ?? test['dct:description'] ?? ''}${inEpub ? ` (${inEpub})` : ''}`;
      const place = (document ? locate?.(document, where) : undefined) ?? { file: document ? `${epub}/${document}` : epub };
      return message('epub-002', reason.replace(/\s*\n\s*/g, '; ').trim(), place);
    });
    if (messages.length === 0 && report['earl:result']?.['earl:outcome'] === 'fail') {
      messages.push(message('epub-002', 'Ace by DAISY reported a failure without details', { file: epub }));
    }
    return { violations: found.length, messages };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
