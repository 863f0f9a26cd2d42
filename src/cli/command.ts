/** The shape of one `folio` subcommand: thin, it parses arguments and calls the API. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatMessage, type Message } from '../messages.js';

export interface Command {
  name: string;
  summary: string;
  /** Usage text shown by `folio NAME --help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /** Runs the command; resolves to the exit code: 0 clean, 1 problems found, 2 the tool failed. */
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: CommandIO): Promise<number>;
}

/** Where a command writes: kept apart from process streams so tests can capture it. */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  /** True when the user asked for machine-readable output. */
  json: boolean;
  quiet: boolean;
}

/** Prints messages in the `file:line:column: severity: reason [rule-id]` form. */
export function reportMessages(io: CommandIO, messages: readonly Message[]): void {
  if (io.json) return;
  for (const m of messages) {
    if (m.severity === 'info' && io.quiet) continue;
    io.err(formatMessage(m));
  }
}

export { parseArgs };
