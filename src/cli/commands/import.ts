/** `folio import SOURCE --out DIR [--editorial FILE]`: raw issue text to a Markdown manuscript. */
import { importIssue, writeManuscript } from '../../import/index.js';
import { exitCode, formatMessage, hasErrors, message } from '../../messages.js';
import { type Command, printJson, refuseUnwritable, reportMessages, stringOption } from '../command.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'restore a raw issue text into a Markdown manuscript',
  usage: [
    'Usage: folio import SOURCE --out DIR [--editorial FILE] [--first-folio N] [--pages N]',
    '',
    'Restores the pages, chapters, headings and footnotes of a plain-text extraction of an',
    'issue and writes DIR/issue.yaml, DIR/chapters/NN-slug.md and DIR/import-report.json.',
    '',
    'Options:',
    '  --out DIR          the manuscript folder to write (required)',
    '  --editorial FILE   editorial overrides: missing titles, short titles, corrections',
    '  --first-folio N    folio of the first page when no printed folio survives (default 1)',
    '  --pages N          the number of printed pages, when known: the import holds to it',
    '                     (else `pages:` in the editorial file); without it, a count the',
    '                     source cannot fix stops the import (import-013)',
    '  --json             print the import report as JSON',
    '  -q, --quiet        print errors and warnings only',
    '',
    'Exit codes: 0 imported, 1 the source or the editorial file has problems (nothing written), 2 the tool failed.',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o' },
    editorial: { type: 'string' },
    'first-folio': { type: 'string' },
    pages: { type: 'string' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const source = positionals[0];
    const out = values.out;
    const usageError = (reason: string): number => {
      const problem = message('cli-001', reason);
      if (io.json) printJson(io, 2, [problem]);
      io.err(formatMessage(problem));
      if (!io.json) io.err(this.usage);
      return 2;
    };
    if (positionals.length !== 1 || typeof source !== 'string' || typeof out !== 'string') {
      return usageError(`Unexpected arguments to \`folio import\` (${positionals.length} SOURCE${typeof out === 'string' ? '' : ', no --out'}), expected one SOURCE and --out DIR`);
    }
    const firstFolio = Number(stringOption(values, 'first-folio') ?? 1);
    if (!Number.isInteger(firstFolio) || firstFolio < 1) {
      return usageError(`Unexpected --first-folio \`${String(values['first-folio'])}\`, expected a whole number from 1`);
    }
    const pagesText = stringOption(values, 'pages');
    const pages = pagesText === undefined ? undefined : Number(pagesText);
    if (pages !== undefined && (!Number.isInteger(pages) || pages < 1)) {
      return usageError(`Unexpected --pages \`${String(values.pages)}\`, expected a whole number from 1`);
    }
    const refused = await refuseUnwritable(io, [{ path: out, kind: 'folder' }]);
    if (refused !== undefined) return refused;
    const result = await importIssue({
      source,
      out,
      firstFolio,
      ...(pages !== undefined ? { pages } : {}),
      ...(stringOption(values, 'editorial') !== undefined ? { editorial: stringOption(values, 'editorial') as string } : {}),
    });
    const imported = result.output;
    if (!imported || hasErrors(result.messages)) {
      const code = exitCode(result.messages);
      if (io.json) printJson(io, code, result.messages);
      reportMessages(io, result.messages);
      return code;
    }
    await writeManuscript(imported, out);
    if (io.json) {
      printJson(io, 0, result.messages, { out, pages: imported.issue.pages, chapters: imported.issue.chapters.length, report: imported.report });
      return 0;
    }
    reportMessages(io, result.messages);
    if (!io.quiet) io.out(`Imported ${imported.issue.pages} pages in ${imported.issue.chapters.length} chapters into ${out}`);
    return 0;
  },
};
