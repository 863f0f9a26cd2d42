/** `folio articles`: the article-level outputs of the issue: JATS, landing pages, the Crossref deposit. */
import path from 'node:path';
import { buildArticles } from '../../articles/index.js';
import { exitCode } from '../../messages.js';
import { manuscriptOption, printJson, refuseUnwritable, reportMessages, resolveForCommand, shownPath, stringOption, type Command } from '../command.js';

/** The articles command: thin, it loads the checked manuscript and calls `buildArticles`. */
export const articlesCommand: Command = {
  name: 'articles',
  summary: 'Write one JATS file and landing page per article, and the Crossref deposit',
  usage: [
    'Usage: folio articles [--manuscript DIR] [--out-dir DIR] [--no-verify]',
    '',
    'Writes <out-dir>/articles/<slug>.jats.xml and <slug>.html for every article (both',
    'languages), and <out-dir>/crossref.xml (crossref.invalid.xml when a DOI or the depositor',
    'is missing). `outputs:` in issue.yaml turns each off.',
    '',
    'Options:',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --out-dir DIR     the build folder (default ./build)',
    '  --no-verify       skip reading the files back with xmllint and pandoc',
    '  --json            print the messages and the files written as JSON',
    '  -q, --quiet       print problems only',
    '',
    "SOURCE_DATE_EPOCH (seconds) sets the deposit's timestamp; without it, the time of the run.",
    'Exit codes: 0 clean, 1 the manuscript or an output has problems, 2 a tool (xmllint, pandoc) failed.',
  ].join('\n'),
  options: {
    manuscript: { type: 'string' },
    'out-dir': { type: 'string' },
    'no-verify': { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const outDir = path.resolve(stringOption(values, 'out-dir') ?? 'build');
    const refused = await refuseUnwritable(io, [{ path: outDir, kind: 'folder' }]);
    if (refused !== undefined) return refused;
    const run = await resolveForCommand(io, { manuscriptDir: manuscriptOption(values), outDir }, { body: { written: [] } });
    if ('code' in run) return run.code;
    const result = await buildArticles({ resolved: run.resolved, verify: values['no-verify'] !== true });
    const messages = [...run.messages, ...result.messages];
    const code = exitCode(messages);
    if (io.json) {
      printJson(io, code, messages, { articles: result.articles, crossref: result.crossref ?? null, written: result.written });
      return code;
    }
    reportMessages(io, messages);
    if (!io.quiet) {
      const jats = result.articles.filter((a) => a.jats !== undefined).length;
      const pages = result.articles.filter((a) => a.landing !== undefined).length;
      io.out(`folio articles: ${result.articles.length} articles, ${jats} JATS files and ${pages} landing pages in ${shownPath(path.join(outDir, 'articles'))}${result.crossref ? `, the deposit in ${shownPath(result.crossref)}` : ''}`);
    }
    return code;
  },
};
