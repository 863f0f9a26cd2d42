/** `folio pdf`: typesets the issue as a PDF, page for page with the original. */
import path from 'node:path';
import { exitCode } from '../../messages.js';
import { renderPdf } from '../../pdf/index.js';
import { manuscriptOption, printJson, progressBar, refuseUnwritable, reportMessages, resolveForCommand, shownPath, stringOption, type Command } from '../command.js';

/** The PDF command: thin, it resolves paths and calls `renderPdf`. */
export const pdfCommand: Command = {
  name: 'pdf',
  summary: 'Typeset the issue as a PDF, page for page with the original (Paged.js in Chromium)',
  usage: [
    'Usage: folio pdf [--manuscript DIR] [--out FILE]',
    '',
    'Options:',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --out FILE        where to write the PDF (default build/<journal-issue slug>.pdf);',
    '                    the print HTML and its fonts go beside it',
    '  --json            print the messages and figures as JSON',
    '  -q, --quiet       hide information messages',
    '',
    'CHROME_PATH names the Chromium to use (default /usr/bin/chromium).',
    'Exit codes: 0 clean, 1 the manuscript or the PDF has problems, 2 the tool failed.',
  ].join('\n'),
  options: {
    manuscript: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values, _positionals, io) {
    const given = stringOption(values, 'out');
    const out = given === undefined ? undefined : path.resolve(given);
    const refused = out === undefined ? undefined : await refuseUnwritable(io, [{ path: out, kind: 'file' }]);
    if (refused !== undefined) return refused;
    // The manuscript is checked whole before anything is made: a wrong one makes no PDF. With
    // --out, the print HTML, its fonts and the cache go beside the PDF.
    const run = await resolveForCommand(io, { manuscriptDir: manuscriptOption(values), ...(out !== undefined ? { outDir: path.dirname(out), files: { pdf: out } } : {}) }, { body: { out: null, pages: 0 } });
    if ('code' in run) return run.code;
    const { resolved } = run;
    const pdf = resolved.settings.files.pdf;
    if (out === undefined) {
      const refusedDefault = await refuseUnwritable(io, [{ path: pdf, kind: 'file' }]);
      if (refusedDefault !== undefined) return refusedDefault;
    }
    const status = io.status;
    const result = await renderPdf({ resolved, ...(status ? { onProgress: (done: number, total: number) => status(`folio pdf: ${progressBar(done, total)}`) } : {}) });
    status?.(undefined);
    const messages = [...run.messages, ...result.messages];
    const code = exitCode(messages);
    if (io.json) {
      printJson(io, code, messages, { out: result.pages > 0 ? pdf : null, pages: result.pages, passes: result.passes, copyfit: Object.fromEntries(result.copyfit), timings: result.timings });
      return code;
    }
    reportMessages(io, messages);
    if (code === 0 && !io.quiet) io.out(`folio pdf: wrote ${shownPath(pdf)} (${result.pages} pages, ${result.passes} layout passes)`);
    return code;
  },
};
