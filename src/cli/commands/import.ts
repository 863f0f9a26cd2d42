/** `folio import SOURCE --out DIR [--editorial FILE]`: raw issue text to a Markdown manuscript. */
import { importIssue, writeManuscript } from '../../import/index.js';
import { FolioError, hasErrors } from '../../messages.js';
import { reportMessages, type Command } from '../command.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'restore a raw issue text into a Markdown manuscript',
  usage: [
    'Usage: folio import SOURCE --out DIR [--editorial FILE] [--first-folio N]',
    '',
    'Restores the pages, chapters, headings and footnotes of a plain-text extraction of an',
    'issue and writes DIR/issue.yaml, DIR/chapters/NN-slug.md and DIR/import-report.json.',
    '',
    'Options:',
    '  --out DIR          the manuscript folder to write (required)',
    '  --editorial FILE   editorial overrides: missing titles, short titles, corrections',
    '  --first-folio N    folio of the first page when no printed folio survives (default 1)',
    '  --json             print the import report as JSON',
    '  -q, --quiet        print errors and warnings only',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o' },
    editorial: { type: 'string' },
    'first-folio': { type: 'string' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const source = positionals[0];
    const out = values.out;
    if (positionals.length !== 1 || typeof source !== 'string' || typeof out !== 'string') {
      io.err('folio import: expected one SOURCE and --out DIR [cli-001]');
      io.err(this.usage);
      return 2;
    }
    const firstFolio = typeof values['first-folio'] === 'string' ? Number(values['first-folio']) : 1;
    if (!Number.isInteger(firstFolio) || firstFolio < 1) {
      io.err('folio import: --first-folio expects a whole number from 1 [cli-001]');
      return 2;
    }
    try {
      const result = await importIssue({
        source,
        out,
        firstFolio,
        ...(typeof values.editorial === 'string' ? { editorial: values.editorial } : {}),
      });
      reportMessages(io, result.messages);
      if (hasErrors(result.messages)) return 1;
      await writeManuscript(result, out);
      if (io.json) io.out(JSON.stringify(result.report, null, 2));
      else if (!io.quiet) io.out(`Imported ${result.issue.pages} pages in ${result.issue.chapters.length} chapters into ${out}`);
      return 0;
    } catch (error) {
      if (error instanceof FolioError) {
        if (io.json) io.out(JSON.stringify({ messages: error.messages }, null, 2));
        reportMessages({ ...io, json: false }, error.messages);
        return 1;
      }
      throw error;
    }
  },
};
