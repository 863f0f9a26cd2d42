/** `folio build`: every stage of the issue in one run, with a line per stage and its time; `--watch` rebuilds after each edit. */
import path from 'node:path';
import { build, type BuildOptions, type BuildResult, type StageName } from '../../build.js';
import { formatMessage, message, type Message } from '../../messages.js';
import { projectDir } from '../../pdf/assets.js';
import { settleEnvironment, toolEnvironment } from '../../resolve/index.js';
import { createMemos, watchFolders } from '../../session/index.js';
import { startWarmTools } from '../../session/warm-tools.js';
import { type Command, type CommandIO, manuscriptOption, printJson, progressBar, reportMessages, shownPath, stringOption, untilStopped } from '../command.js';

const stageNames: StageName[] = ['import', 'pdf', 'epub', 'articles', 'offprints', 'check'];

export const buildCommand: Command = {
  name: 'build',
  summary: 'build the PDF and the EPUB of the issue, then check them against the original',
  usage: [
    'Usage: folio build [--manuscript DIR] [--out-dir DIR] [--import] [--only STAGES] [--watch]',
    '',
    'Runs the stages in order: import (only with --import), pdf, epub, articles, offprints (once the PDF is made), check.',
    '',
    'Options:',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --out-dir DIR     where outputs go (default ./build)',
    '  --import          re-import the manuscript from its source and editorial.yaml first',
    '  --only STAGES     comma-separated stages to run, e.g. pdf,check',
    '  --stage-timeout S the watchdog of every stage, in seconds (default 1200): a stage',
    '                    still running then is abandoned (build-003, exit 2)',
    '  -w, --watch       build, then build again after every edit to the manuscript, templates/',
    '                    or styles/, keeping Chromium and EPUBCheck running in between;',
    '                    Ctrl-C stops it',
    '  --json            print the stages, outputs, timings and messages as JSON',
    '                    (with --watch: one JSON document a line: one per build, and one',
    '                    when it is watching, its tools started)',
    '  -q, --quiet       print problems only',
    '',
    'Exit codes: 0 clean, 1 the manuscript or outputs have problems, 2 a tool failed.',
    'With --watch: 2 when it cannot start watching; otherwise it runs until stopped.',
  ].join('\n'),
  options: {
    manuscript: { type: 'string' },
    'out-dir': { type: 'string' },
    import: { type: 'boolean' },
    only: { type: 'string' },
    'stage-timeout': { type: 'string' },
    watch: { type: 'boolean', short: 'w' },
  },
  async run(values, _positionals, io) {
    const refuse = (problem: Message): number => {
      if (io.json) printJson(io, 2, [problem]);
      else io.err(formatMessage(problem));
      return 2;
    };
    let stages: StageName[] | undefined;
    const only = stringOption(values, 'only');
    if (only !== undefined) {
      const asked = only.split(',').map((s) => s.trim());
      const unknown = asked.filter((s) => !stageNames.includes(s as StageName));
      if (unknown.length > 0) return refuse(message('cli-001', `Unexpected stage \`${unknown.join(', ')}\` in --only, expected one of ${stageNames.join(', ')}`));
      stages = asked as StageName[];
    }
    const timeoutText = values['stage-timeout'];
    const timeoutSeconds = typeof timeoutText === 'string' ? Number(timeoutText) : undefined;
    if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
      return refuse(message('cli-001', `Unexpected --stage-timeout \`${String(timeoutText)}\`, expected a number of seconds above 0`));
    }
    const options: BuildOptions = {
      ...(timeoutSeconds !== undefined ? { stageTimeoutMs: timeoutSeconds * 1000 } : {}),
      manuscriptDir: manuscriptOption(values),
      outDir: path.resolve(stringOption(values, 'out-dir') ?? 'build'),
      reimport: values.import === true,
      ...(stages ? { stages } : {}),
    };
    if (values.watch === true) {
      // Re-importing rewrites the manuscript, which would set the watch off again, for ever.
      if (values.import === true) return refuse(message('cli-001', 'Unexpected --import with --watch, expected one or the other: an import rewrites the manuscript the watch reads'));
      return watchBuilds(options, io, refuse);
    }
    const started = performance.now();
    const result = await build({
      ...options,
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
    const code = exitCode(result);
    if (io.json) {
      printJson(io, code, result.messages, { seconds, stages: result.stages });
      return code;
    }
    reportMessages(io, result.messages);
    if (!io.quiet) {
      for (const s of result.stages) {
        io.out(`${s.stage.padEnd(9)} ${s.ok ? 'ok    ' : 'FAILED'} ${s.seconds.toFixed(1).padStart(6)} s  ${s.outputs.map((o) => shownPath(o)).join(', ')}`);
      }
      io.out(`total             ${seconds.toFixed(1).padStart(6)} s`);
    }
    return code;
  },
};

/** The build's exit code: the one rule of `exitCode(messages)`, which `build()` applies. */
function exitCode(result: BuildResult): number {
  return result.exitCode;
}

/**
 * Builds, then builds again after each quiet spell following an edit, with the tools kept
 * running in between (`startWarmTools`): a rebuild pays for its work, not for starting
 * Chromium and a JVM. Each build prints its problems and one line; with --json, one line of
 * JSON. Runs until SIGINT or SIGTERM.
 */
async function watchBuilds(options: BuildOptions, io: CommandIO, refuse: (problem: Message) => number): Promise<number> {
  const manuscriptDir = path.resolve(options.manuscriptDir);
  const outDir = path.resolve(options.outDir ?? 'build');
  const watched = [manuscriptDir, path.join(projectDir, 'templates'), path.join(projectDir, 'styles')];
  // Outputs written inside a watched folder would set off the next build, for ever.
  const inside = watched.find((dir) => outDir === dir || outDir.startsWith(dir + path.sep));
  if (inside) return refuse(message('cli-001', `Unexpected --out-dir \`${outDir}\` inside the watched folder \`${inside}\`, expected outputs outside what --watch reads`));

  // The tools run in the environment every build of the session is resolved with, so that none
  // is started again for a change of environment.
  const environment = settleEnvironment({ ...(options.chromePath ? { chromePath: options.chromePath } : {}) });
  const tools = startWarmTools({ chromePath: environment.chromePath, env: toolEnvironment(environment) });
  // One set of memos for every build of the session: a rebuild renders again only the chapters an edit changed.
  const memos = createMemos();
  let count = 0;
  let epub: string | undefined;
  const once = async (): Promise<void> => {
    count += 1;
    const started = performance.now();
    const result = await build({ ...options, tools, memos });
    const seconds = (performance.now() - started) / 1000;
    const code = exitCode(result);
    if (count === 1) epub = result.stages.find((s) => s.stage === 'epub')?.outputs[0];
    if (io.json) {
      io.out(JSON.stringify({ event: 'build', build: count, exitCode: code, seconds, stages: result.stages, messages: result.messages }));
      return;
    }
    reportMessages(io, result.messages);
    if (io.quiet) return;
    const stages = result.stages.map((s) => `${s.stage} ${s.ok ? 'ok' : 'FAILED'} ${s.seconds.toFixed(1)} s`).join(', ');
    io.err(`folio build: ${count === 1 ? 'built' : 'rebuilt'} in ${seconds.toFixed(1)} s (${stages})${code === 0 ? '' : code === 2 ? '; a tool failed' : '; with problems'}`);
  };
  try {
    await once();
    const watcher = await watchFolders(watched, once);
    for (const { folder, reason } of watcher.unwatched) {
      reportMessages(io, [message('build-002', `Unexpected folder that cannot be watched (${reason}), expected to see its changes; restart the watch after editing there`, { file: folder })]);
    }
    if (epub) await tools.warm(epub, path.join(outDir, 'cache', 'epub'));
    if (io.json) io.out(JSON.stringify({ event: 'watching', folders: watched }));
    else if (!io.quiet) io.err(`folio build: watching ${watched.map((dir) => shownPath(dir)).join(', ')}; Ctrl-C to stop`);
    await untilStopped();
    await watcher.close();
  } finally {
    await tools.close();
  }
  return 0;
}
