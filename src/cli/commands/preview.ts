/** `folio preview`: a local server showing the issue paginated and its EPUB chapters, live. */
import path from 'node:path';
import { FolioError, formatMessage, hasErrors, message } from '../../messages.js';
import { startPreview } from '../../preview/index.js';
import { type Command, manuscriptOption, printJson, reportMessages, stringOption, untilStopped } from '../command.js';

/** The preview command: thin, it checks the port, starts the server and waits for Ctrl-C. */
export const previewCommand: Command = {
  name: 'preview',
  summary: 'Serve a live preview on this machine: the issue paginated (Paged.js) and its EPUB chapters',
  usage: [
    'Usage: folio preview [--port N] [--manuscript DIR] [--build-dir DIR]',
    '',
    'Serves http://127.0.0.1:N/ (this machine only): the issue paginated by Paged.js from the',
    'same print HTML as the PDF, with its folios, and each chapter as its EPUB content document.',
    'Edits to the manuscript, templates/ or styles/ rebuild it, and open pages reload.',
    '',
    'Options:',
    '  --port N          the port (default 4173; 0 picks a free one)',
    '  --manuscript DIR  the manuscript folder (default ./manuscript)',
    '  --build-dir DIR   the build folder whose last PDF gives the copyfit levels (default ./build)',
    '  --json            print one JSON document when the server listens: url, port, messages',
    '  -q, --quiet       print problems only',
    '',
    'Ctrl-C stops the server.',
    'Exit codes: 0 stopped by Ctrl-C, 2 the server could not start (port in use, bad --port).',
  ].join('\n'),
  options: {
    port: { type: 'string', short: 'p' },
    manuscript: { type: 'string' },
    'build-dir': { type: 'string' },
  },
  async run(values, _positionals, io) {
    const portText = stringOption(values, 'port') ?? '4173';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      const problem = message('cli-001', `Unexpected --port \`${portText}\`, expected a whole number from 0 to 65535`);
      if (io.json) printJson(io, 2, [problem]);
      io.err(formatMessage(problem));
      return 2;
    }
    const manuscriptDir = manuscriptOption(values);
    const buildDir = path.resolve(stringOption(values, 'build-dir') ?? 'build');
    let first = true;
    let firstMessages: unknown[] = [];
    let server;
    try {
      server = await startPreview({
        manuscriptDir,
        port,
        buildDir,
        onBuild: (build) => {
          // The first build's messages go into the JSON document; later ones are a log on stderr.
          if (first && io.json) {
            firstMessages = build.messages;
            return;
          }
          reportMessages({ ...io, json: false }, build.messages);
          if (!io.quiet && !first) io.err(`folio preview: rebuilt in ${build.seconds.toFixed(1)} s${hasErrors(build.messages) ? ' (with errors)' : ''}; pages reload`);
        },
      });
    } catch (error) {
      if (!(error instanceof FolioError)) throw error;
      if (io.json) printJson(io, 2, error.messages);
      else reportMessages(io, error.messages);
      return 2;
    }
    first = false;
    if (io.json) io.out(JSON.stringify({ url: server.url, port: server.port, manuscript: manuscriptDir, messages: firstMessages }, null, 2));
    else if (!io.quiet) io.out(`folio preview: serving ${server.url} (the issue at ${server.url}print/); Ctrl-C to stop`);
    await untilStopped();
    await server.close();
    if (!io.quiet && !io.json) io.err('folio preview: stopped');
    return 0;
  },
};
