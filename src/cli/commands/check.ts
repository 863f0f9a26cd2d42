/** `folio check`: holds the manuscript, the PDF and the EPUB page by page against the original. */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { check, summaryLines } from '../../check/index.js';
import { editionFile, editionLanguages } from '../../manuscript/index.js';
import { exitCode, message } from '../../messages.js';
import { type Command, printJson, refuseUnwritable, reportMessages, resolveForCommand, shownPath, stringOption } from '../command.js';

/** The check command: thin, it resolves the default paths and calls `check`. */
export const checkCommand: Command = {
  name: 'check',
  summary: 'Check page-number fidelity of the manuscript, PDF and EPUB against the original',
  usage: [
    'Usage: folio check [--source FILE] [--manuscript DIR] [--pdf FILE] [--epub FILE]',
    '',
    'Options:',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --source FILE     the raw source text (default: the one issue.yaml names)',
    '  --pdf FILE        the PDF to check (default build/<issue>.pdf)',
    '  --epub FILE       the EPUB to check (default build/<issue>.epub); the page-list of each edition beside it too',
    '  --no-pdf          do not check a PDF',
    '  --no-epub         do not check an EPUB',
    '  --out DIR         where the reports go (default build): <issue>.fidelity.json, <issue>.proof.html, proof/',
    '                    the offprints and article EPUBs found in DIR/articles/ are checked too (the offprints against --pdf)',
    '  --no-proof        do not render PDF page images for the proof',
    '  --no-reader       do not open the EPUBs in the reading engine (foliate-js in Chromium)',
    '  --json            print the report as JSON',
    '  -q, --quiet       print only problems',
    '',
    'Exit codes: 0 every check holds, 1 a check fails, 2 the check could not run (a missing file, a failing tool).',
  ].join('\n'),
  options: {
    manuscript: { type: 'string' },
    source: { type: 'string' },
    pdf: { type: 'string' },
    epub: { type: 'string' },
    out: { type: 'string' },
    'no-pdf': { type: 'boolean' },
    'no-epub': { type: 'boolean' },
    'no-proof': { type: 'boolean' },
    'no-reader': { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const str = (name: string): string | undefined => {
      const value = stringOption(values, name);
      return value === undefined ? undefined : path.resolve(value);
    };
    const manuscriptDir = str('manuscript') ?? path.resolve('manuscript');
    const outDir = str('out') ?? path.resolve('build');
    const refused = await refuseUnwritable(io, [{ path: outDir, kind: 'folder' }]);
    if (refused !== undefined) return refused;
    // The default outputs are named after the issue. A manuscript that does not load is a
    // problem in the manuscript (1), not in the tool; one that loads but fails its checks is
    // checked, to show which pages it upsets.
    const run = await resolveForCommand(io, { manuscriptDir, outDir }, { allowFailedChecks: true });
    if ('code' in run) return run.code;
    const { resolved } = run;
    const pdf = str('pdf') ?? (values['no-pdf'] === true ? undefined : resolved.settings.files.pdf);
    const epub = str('epub') ?? (values['no-epub'] === true ? undefined : resolved.settings.files.epub);
    for (const [what, file, flag] of [
      ['PDF', pdf, '--no-pdf'],
      ['EPUB', epub, '--no-epub'],
    ] as const) {
      if (file === undefined) continue;
      try {
        await access(file);
      } catch {
        const hint = `run \`folio ${what.toLowerCase()}\` first, or pass ${flag}`;
        const missing = [message('check-009', `Unexpected missing ${what} \`${shownPath(file)}\`, expected a file to check (${hint})`, { file })];
        const code = exitCode(missing);
        if (io.json) printJson(io, code, missing);
        reportMessages(io, missing);
        return code;
      }
    }
    const source = str('source');
    // The editions beside the EPUB are checked when they are there (an EPUB built by hand with
    // `--out` elsewhere, or before editions existed, has none).
    const editions: string[] = [];
    for (const language of epub !== undefined ? editionLanguages(resolved.manuscript) : []) {
      if (epub !== undefined && (await access(editionFile(epub, language)).then(() => true, () => false))) editions.push(language);
    }
    const result = await check({
      resolved,
      outDir,
      ...(source !== undefined ? { source } : {}),
      ...(pdf !== undefined ? { pdf } : {}),
      ...(epub !== undefined ? { epub, editions } : {}),
      ...(values['no-proof'] === true ? { proof: false } : {}),
      ...(values['no-reader'] === true ? { reader: false } : {}),
    });
    const messages = [...run.messages, ...result.messages];
    const code = exitCode(messages);
    if (io.json) {
      printJson(io, code, messages, { report: result.report ?? null, written: result.written });
      return code;
    }
    reportMessages(io, messages);
    if (result.report) {
      for (const line of summaryLines(result.report)) io.out(line);
      if (!io.quiet) for (const file of result.written) io.out(`  wrote ${shownPath(file)}`);
    }
    return code;
  },
};
