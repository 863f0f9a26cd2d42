/** `folio build`: every stage of the issue in one run, with a line per stage and its time. */
import { build, type StageName } from '../../build.js';
import { formatMessage, hasErrors, message } from '../../messages.js';
import { printJson, progressBar, reportMessages, shownPath, type Command } from '../command.js';

const stageNames: StageName[] = ['import', 'pdf', 'epub', 'check'];

export const buildCommand: Command = {
  name: 'build',
  summary: 'build the PDF and the EPUB of the issue, then check them against the original',
  usage: [
    'Usage: folio build [--manuscript DIR] [--out-dir DIR] [--import] [--only STAGES]',
    '',
    'Runs the stages in order: import (only with --import), pdf, epub, check.',
    '',
    'Options:',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --out-dir DIR     where outputs go (default ./build)',
    '  --import          re-import the manuscript from its source and editorial.yaml first',
    '  --only STAGES     comma-separated stages to run, e.g. pdf,check',
    '  --json            print the stages, outputs, timings and messages as JSON',
    '  -q, --quiet       print problems only',
    '',
    'Exit codes: 0 clean, 1 the manuscript or outputs have problems, 2 a tool failed.',
  ].join('\n'),
  options: {
    manuscript: { type: 'string' },
    'out-dir': { type: 'string' },
    import: { type: 'boolean' },
    only: { type: 'string' },
  },
  async run(values, _positionals, io) {
    let stages: StageName[] | undefined;
    if (typeof values.only === 'string') {
      const asked = values.only.split(',').map((s) => s.trim());
      const unknown = asked.filter((s) => !stageNames.includes(s as StageName));
      if (unknown.length > 0) {
        const problem = message('cli-001', `Unexpected stage \`${unknown.join(', ')}\` in --only, expected one of ${stageNames.join(', ')}`);
        if (io.json) printJson(io, 2, [problem]);
        else io.err(formatMessage(problem));
        return 2;
      }
      stages = asked as StageName[];
    }
    const started = performance.now();
    const result = await build({
      manuscriptDir: typeof values.manuscript === 'string' ? values.manuscript : 'manuscript',
      outDir: typeof values['out-dir'] === 'string' ? values['out-dir'] : 'build',
      reimport: values.import === true,
      ...(stages ? { stages } : {}),
      onProgress: (event) => {
        if (io.json || io.quiet) return;
        io.status?.(undefined);
        if (event.state === 'start') io.err(`folio build: ${event.stage} …`);
        else io.err(`folio build: ${event.stage} ${event.failed ? 'FAILED' : 'done'} in ${event.seconds?.toFixed(1)} s`);
      },
      // The page bar is drawn only on a terminal; a log gets the plain line per stage above.
      ...(io.status ? { onPages: (done: number, total: number) => io.status?.(`folio build: pdf ${progressBar(done, total)}`) } : {}),
    });
    io.status?.(undefined);
    const seconds = (performance.now() - started) / 1000;
    const code = result.toolFailed ? 2 : hasErrors(result.messages) || result.stages.some((s) => !s.ok) ? 1 : 0;
    if (io.json) {
      printJson(io, code, result.messages, { seconds, stages: result.stages });
      return code;
    }
    reportMessages(io, result.messages);
    if (!io.quiet) {
      for (const s of result.stages) {
        io.out(`${s.stage.padEnd(7)} ${s.ok ? 'ok    ' : 'FAILED'} ${s.seconds.toFixed(1).padStart(6)} s  ${s.outputs.map((o) => shownPath(o)).join(', ')}`);
      }
      io.out(`total           ${seconds.toFixed(1).padStart(6)} s`);
    }
    return code;
  },
};
