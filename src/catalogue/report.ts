/**
 * The catalogue report: every issue's pages, fidelity verdict, validation results, time and a
 * link to its proof, as `catalogue.json` for scripts and `catalogue.html` for a person, both
 * written atomically in the report folder (links relative to it, so the folder can be served).
 */
import path from 'node:path';
import { writeFileAtomic } from '../session/index.js';
import { exitCode, message, type Message } from '../messages.js';
import type { IssueOutcome } from './issue.js';

/** The whole report. */
export interface CatalogueReport {
  catalogue: string;
  builtAt: string;
  seconds: number;
  workers: number;
  issues: IssueOutcome[];
  totals: { issues: number; published: number; failed: number; pages: number };
}

/** The report of `outcomes`. */
export function catalogueReport(catalogue: string, outcomes: IssueOutcome[], seconds: number, workers: number): CatalogueReport {
  return {
    catalogue,
    builtAt: new Date().toISOString(),
    seconds,
    workers,
    issues: outcomes,
    totals: {
      issues: outcomes.length,
      published: outcomes.filter((o) => o.exitCode === 0).length,
      failed: outcomes.filter((o) => o.exitCode !== 0).length,
      pages: outcomes.reduce((sum, o) => sum + (o.pages ?? 0), 0),
    },
  };
}

/** The exit code of a catalogue: the one rule over every issue's messages. */
export function catalogueExitCode(outcomes: readonly IssueOutcome[]): 0 | 1 | 2 {
  return exitCode(outcomes.flatMap((o) => o.messages));
}

const escape = (text: string): string => text.replace(/[&<>"]/gu, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** The HTML page: one table row an issue. */
export function reportHtml(report: CatalogueReport, dir: string): string {
  const rows = report.issues.map((o) => {
    const where = o.publishedTo ?? o.out;
    const link = (file: string | undefined, text: string): string => (file && o.publishedTo ? `<a href="${escape(path.relative(dir, path.join(where, file)))}">${text}</a>` : '');
    const errors = o.messages.filter((m) => m.severity === 'error');
    const state = o.exitCode === 0 ? (o.reused ? 'published (kept)' : 'published') : o.exitCode === 1 ? 'problems' : 'tool failed';
    const first = errors[0] ? `${errors[0].reason} [${errors[0].ruleId}]` : '';
    return `<tr class="exit-${o.exitCode}"><td>${escape(o.name)}</td><td>${state}</td><td>${o.pages ?? ''}</td><td>${o.fidelity}</td><td>${o.validation.epubcheck}/${o.validation.ace}/${o.validation.articles}</td><td>${o.seconds.toFixed(1)} s</td><td>${link(o.proof, 'proof')} ${link(o.fidelityReport, 'report')}</td><td>${escape(first)}</td></tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Catalogue ${escape(report.catalogue)}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }
tr.exit-1 td, tr.exit-2 td { background: #fdd; }
</style>
</head>
<body>
<h1>Catalogue ${escape(report.catalogue)}</h1>
<p>${report.totals.published} of ${report.totals.issues} issues published, ${report.totals.pages} pages, in ${report.seconds.toFixed(1)} s with ${report.workers} worker${report.workers === 1 ? '' : 's'} (${escape(report.builtAt)}).</p>
<table>
<thead><tr><th>issue</th><th>state</th><th>pages</th><th>fidelity</th><th>EPUBCheck/Ace/articles errors</th><th>time</th><th>links</th><th>first error</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

/** Writes `catalogue.json` and `catalogue.html` into `dir`; a failure is a catalogue-006. */
export async function writeCatalogueReport(report: CatalogueReport, dir: string): Promise<{ written: string[]; messages: Message[] }> {
  const json = path.join(dir, 'catalogue.json');
  const html = path.join(dir, 'catalogue.html');
  try {
    await writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFileAtomic(html, reportHtml(report, dir));
    return { written: [json, html], messages: [] };
  } catch (error) {
    return { written: [], messages: [message('catalogue-006', `Unexpected failure writing the catalogue report (${(error as Error).message}), expected a writable report folder`, { file: dir })] };
  }
}
