/** The `folio` command line: it parses arguments and calls the same API `src/index.ts` exports. */
import { parseArgs, type CommandIO } from './command.js';
import { commands } from './commands/index.js';

function usage(): string {
  const lines = ['Usage: folio <command> [options]', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `folio <command> --help` for the options of a command.');
  return lines.join('\n');
}

/** Runs the command line and resolves to the exit code. */
export async function main(argv: string[], io?: Partial<CommandIO>): Promise<number> {
  const out = io?.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io?.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    out('folio 0.1.0');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    err(`folio: unknown command \`${name}\` [cli-001]`);
    err(usage());
    return 2;
  }
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
    err(`folio ${name}: ${(error as Error).message} [cli-001]`);
    err(command.usage);
    return 2;
  }
  if (parsed.values.help) {
    out(command.usage);
    return 0;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const commandIO: CommandIO = { out, err, json: values.json === true, quiet: values.quiet === true };
  try {
    return await command.run(values, parsed.positionals, commandIO);
  } catch (error) {
    err(`folio ${name}: ${(error as Error).stack ?? String(error)}`);
    return 2;
  }
}
