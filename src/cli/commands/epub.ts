/** `folio epub`: builds the EPUB 3 of an issue and checks it with EPUBCheck and Ace. */
import path from 'node:path';
import { buildEditions, buildEpub, withEpubTools } from '../../epub/index.js';
import { exitCode, hasErrors } from '../../messages.js';
import { manuscriptOption, printJson, refuseUnwritable, reportMessages, resolveForCommand, shownPath, stringOption, type Command } from '../command.js';

/** The EPUB command: thin, it resolves paths and calls `buildEpub`. */
export const epubCommand: Command = {
  name: 'epub',
  summary: 'Build the EPUB 3 of the issue and check it (EPUBCheck, Ace)',
  usage: [
    'Usage: folio epub [--manuscript DIR] [--out FILE]',
    '',
    'Options:',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --out FILE        where to write the EPUB (default build/<journal-issue slug>.epub); a bilingual',
    '                    issue\'s editions go beside it as <name>.<language>.epub (outputs.editions: false: none)',
    '  --no-validate     skip EPUBCheck and Ace',
    '  --json            print the messages and figures as JSON',
    '  -q, --quiet       hide information messages',
    '',
    'SOURCE_DATE_EPOCH (seconds) sets every date the EPUB holds; without it the issue date does.',
    'CHROME_PATH names the Chromium used for the cover and by Ace.',
    'Exit codes: 0 clean, 1 the manuscript or the EPUB has problems, 2 the tool failed.',
  ].join('\n'),
  options: {
    manuscript: { type: 'string' },
    out: { type: 'string' },
    'no-validate': { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const given = stringOption(values, 'out');
    const run = await resolveForCommand(io, { manuscriptDir: manuscriptOption(values), ...(given !== undefined ? { files: { epub: path.resolve(given) } } : {}) }, { body: { out: null } });
    if ('code' in run) return run.code;
    const { resolved } = run;
    const refused = await refuseUnwritable(io, [{ path: resolved.settings.files.epub, kind: 'file' }]);
    if (refused !== undefined) return refused;
    const options = { resolved, validate: values['no-validate'] !== true };
    // One Chromium, EPUBCheck JVM and Ace worker for the whole book and its editions.
    const { result, editions } = await withEpubTools(resolved, undefined, async (tools) => {
      const whole = await buildEpub({ ...options, tools });
      // The editions by language go beside the whole book once it is made clean: what fails the
      // whole book (a tool missing, a bad identifier) would fail each edition again, and say so thrice.
      return { result: whole, editions: whole.out && !hasErrors(whole.messages) ? await buildEditions({ ...options, tools }) : [] };
    });
    const messages = [...run.messages, ...result.messages, ...editions.flatMap((e) => e.messages)];
    const code = exitCode(messages);
    if (io.json) {
      printJson(io, code, messages, {
        out: result.out ?? null,
        invalid: result.invalid ?? null,
        pages: result.pages ?? null,
        timings: result.timings ?? {},
        validation: result.validation ?? null,
        cover: result.cover ?? null,
        editions: editions.map((e) => ({ language: e.language, out: e.out ?? null, invalid: e.invalid ?? null, pages: e.pages ?? null })),
      });
      return code;
    }
    reportMessages(io, messages);
    if (code === 0 && !io.quiet) for (const written of [result, ...editions]) if (written.out) io.out(`folio epub: wrote ${shownPath(written.out)} (${written.pages ?? 0} pages)`);
    return code;
  },
};
