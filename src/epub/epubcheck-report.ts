/**
 * EPUBCheck's JSON report, read: the fatals, errors and warnings it found, one finding per
 * location inside the EPUB, and the `epub-001` messages made of them.
 */
import { message, type Message } from '../messages.js';
import type { ValidationResult } from './validator.js';

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

/** EPUBCheck's JSON report (`--json -`), the parts Folio reads. */
export interface EpubcheckReport {
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
export interface EpubcheckResult extends ValidationResult<EpubcheckFinding> {
  version?: string;
  /** Of a one-shot run: whether its JVM started from a class-data archive of an earlier run. */
  archive?: 'used' | 'made' | 'none';
  /**
   * Which JVM validated (absent when EPUBCheck could not run): the server's, already running
   * ('warm') or started for this validation ('started'), or a one-shot JVM ('cold'), which is
   * also what a validation given a server falls back to.
   */
  jvm?: 'warm' | 'started' | 'cold';
}

/** Reads EPUBCheck's JSON report from its standard output; undefined when there is none. */
export function parseReport(stdout: string): EpubcheckReport | undefined {
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

/** The result of a report EPUBCheck wrote to the end. */
export function reportResult(report: EpubcheckReport, epub: string): EpubcheckResult {
  const findings = reportFindings(report);
  const version = report.checker?.checkerVersion;
  return { ...(version ? { version } : {}), messages: epubcheckMessages(findings, epub), findings };
}
