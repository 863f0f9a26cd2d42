/** `folio pdf`: typesets the issue as a PDF, page for page with the original. */
import path from 'node:path';
import { issueFile, loadCheckedManuscript } from '../../manuscript/index.js';
import { exitCode } from '../../messages.js';
import { renderPdf } from '../../pdf/index.js';
import { printJson, progressBar, refuseUnwritable, reportMessages, shownPath, type Command } from '../command.js';

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
    const manuscriptDir = path.resolve(typeof values.manuscript === 'string' ? values.manuscript : 'manuscript');
    const given = typeof values.out === 'string' ? path.resolve(values.out) : undefined;
    const refused = given === undefined ? undefined : await refuseUnwritable(io, [{ path: given, kind: 'file' }]);
    if (refused !== undefined) return refused;
    // The manuscript is checked whole before anything is made: a wrong one makes no PDF.
    const loaded = await loadCheckedManuscript(manuscriptDir);
    if (loaded.failed) {
      const code = exitCode(loaded.messages);
      if (io.json) printJson(io, code, loaded.messages, { out: null, pages: 0 });
      else reportMessages(io, loaded.messages);
      return code;
    }
    // The default name comes from the issue.
    const out = given ?? issueFile(loaded.manuscript, 'build', '.pdf');
    if (given === undefined) {
      const refusedDefault = await refuseUnwritable(io, [{ path: out, kind: 'file' }]);
      if (refusedDefault !== undefined) return refusedDefault;
    }
    const status = io.status;
    const result = await renderPdf({ manuscriptDir, out, ...(status ? { onProgress: (done: number, total: number) => status(`folio pdf: ${progressBar(done, total)}`) } : {}) });
    status?.(undefined);
    const code = exitCode(result.messages);
    if (io.json) {
      printJson(io, code, result.messages, { out: result.pages > 0 ? out : null, pages: result.pages, passes: result.passes, copyfit: Object.fromEntries(result.copyfit), timings: result.timings });
      return code;
    }
    reportMessages(io, result.messages);
    if (code === 0 && !io.quiet) io.out(`folio pdf: wrote ${shownPath(out)} (${result.pages} pages, ${result.passes} layout passes)`);
    return code;
  },
};
