/** The `folio` command line: it parses arguments and calls the same API `src/index.ts` exports. */
import { formatMessage, message, type Message } from '../messages.js';
import { parseArgs, printJson, type CommandIO } from './command.js';
import { createMemos, withMemos } from '../session/memo.js';
import { commands } from './commands/index.js';

function usage(): string {
  const lines = ['Usage: folio <command> [options]', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push(
    '',
    'Every command takes --help, --json (one JSON document on stdout) and -q/--quiet.',
    'Exit codes: 0 clean, 1 problems in the manuscript or outputs, 2 the tool failed.',
    'Run `folio <command> --help` for the options of a command.',
  );
  return lines.join('\n');
}

/** The status line on a terminal: redrawn in place on stderr, never on stdout. */
function terminalStatus(): ((text: string | undefined) => void) | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  return (text) => process.stderr.write(text === undefined ? '\r\x1b[2K' : `\r\x1b[2K${text}`);
}

/** Runs the command line and resolves to the exit code. */
export async function main(argv: string[], io?: Partial<CommandIO>): Promise<number> {
  const out = io?.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io?.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const json = argv.includes('--json');
  // A failure before the command runs is still one JSON document under --json.
  const fail = (messages: Message[], extra?: string): number => {
    for (const m of messages) err(formatMessage(m));
    if (extra !== undefined) err(extra);
    if (json) printJson({ out, err, json, quiet: false }, 2, messages);
    return 2;
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) err(usage());
    else out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    out('folio 0.1.0');
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    return fail([message('cli-001', `Unexpected command \`${name}\`, expected one of ${commands.map((c) => c.name).join(', ')}`)], usage());
  }
  // Only this command's module (and its stage) is loaded.
  const command = await entry.load();
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...command.options,
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    return fail([message('cli-001', `Unexpected arguments to \`folio ${name}\`: ${(error as Error).message}`)], command.usage);
  }
  if (parsed.values.help) {
    out(command.usage);
    return 0;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const commandIO: CommandIO = { out, err, json: values.json === true, quiet: values.quiet === true };
  const status = io ? io.status : terminalStatus();
  if (status && !commandIO.json && !commandIO.quiet) commandIO.status = status;
  try {
    // Each run of a command is a session of its own, with its own memos.
    return await withMemos(createMemos(), () => command.run(values, parsed.positionals, commandIO));
  } catch (error) {
    return fail([message('cli-003', `Unexpected failure of \`folio ${name}\`: ${(error as Error).message.split('\n')[0]}`)], (error as Error).stack ?? String(error));
  }
}
