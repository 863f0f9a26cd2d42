/** `folio pdf`: typesets the issue as a PDF, page for page with the original. */
import path from 'node:path';
import { loadManuscript } from '../../manuscript/index.js';
import { hasErrors } from '../../messages.js';
import { issueSlug, renderPdf } from '../../pdf/index.js';
import { printJson, progressBar, reportMessages, shownPath, type Command } from '../command.js';

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
    let out = typeof values.out === 'string' ? path.resolve(values.out) : undefined;
    if (out === undefined) {
      // The default name comes from the issue; problems loading it surface in the render.
      const loaded = await loadManuscript(manuscriptDir);
      out = path.resolve('build', `${loaded.manuscript ? issueSlug(loaded.manuscript) : 'issue'}.pdf`);
    }
    const status = io.status;
    const result = await renderPdf({ manuscriptDir, out, ...(status ? { onProgress: (done: number, total: number) => status(`folio pdf: ${progressBar(done, total)}`) } : {}) });
    status?.(undefined);
    const toolFailed = result.messages.some((m) => m.ruleId === 'pdf-001' || m.ruleId === 'pdf-002' || m.ruleId === 'pdf-008');
    const code = toolFailed ? 2 : hasErrors(result.messages) || result.pages === 0 ? 1 : 0;
    if (io.json) {
      printJson(io, code, result.messages, { out: result.pages > 0 ? out : null, pages: result.pages, passes: result.passes, copyfit: Object.fromEntries(result.copyfit), timings: result.timings });
      return code;
    }
    reportMessages(io, result.messages);
    if (code === 0 && !io.quiet) io.out(`folio pdf: wrote ${shownPath(out)} (${result.pages} pages, ${result.passes} layout passes)`);
    return code;
  },
};
