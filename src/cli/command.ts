/** The shape of one `folio` subcommand: thin, it parses arguments and calls the API. */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { outputPathProblem } from '../session/index.js';
import { exitCode, formatMessage, message, type Message } from '../messages.js';
import { resolve, type ResolveInput, type Resolved } from '../resolve/index.js';

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
  /**
   * Redraws the one status line (a progress bar) in place; `undefined` clears it. Present only
   * when stderr is a terminal: otherwise progress is a plain line per stage.
   */
  status?: (text: string | undefined) => void;
}

/**
 * Prints messages in the `file:line:column: severity: reason [rule-id]` form. A file under the
 * working folder is shown relative to it, as editors and terminals link it; JSON keeps the path whole.
 */
export function reportMessages(io: CommandIO, messages: readonly Message[]): void {
  if (io.json) return;
  for (const m of messages) {
    if (m.severity === 'info' && io.quiet) continue;
    io.err(formatMessage(m.place ? { ...m, place: { ...m.place, file: shownPath(m.place.file) } } : m));
  }
}

/** A path as a person in the working folder would type it. */
export function shownPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export { parseArgs };

/**
 * Prints the one JSON document of a `--json` run on stdout: always an object with the exit code
 * and the messages, then what the command adds. Nothing else goes to stdout under `--json`.
 */
export function printJson(io: CommandIO, exitCode: number, messages: readonly Message[], body: Record<string, unknown> = {}): void {
  io.out(JSON.stringify({ exitCode, messages, ...body }, null, 2));
}

/** A progress bar: `[#####-----]  42/167 pages`, `width` cells wide. */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(share * width);
  const count = String(done).padStart(String(total).length);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${count}/${total} pages`;
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM), for commands that run until then. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * Checks the output paths a command will write before it does anything: a path that cannot be
 * made (a folder where a file is wanted, /proc, a read-only mount) is one `cli-004` naming it,
 * at once. Resolves to the exit code to stop with, or undefined when every path can be made.
 */
export async function refuseUnwritable(io: CommandIO, outputs: readonly { path: string; kind: 'file' | 'folder' }[]): Promise<number | undefined> {
  const problems: Message[] = [];
  for (const output of outputs) {
    const problem = await outputPathProblem(output.path, output.kind);
    if (problem) problems.push(message('cli-004', `Unexpected output ${output.kind === 'file' ? 'path' : 'folder'}: ${problem}`, { file: output.path }));
  }
  if (problems.length === 0) return undefined;
  const code = exitCode(problems);
  if (io.json) printJson(io, code, problems);
  reportMessages(io, problems);
  return code;
}

/** A string option as given, or undefined (a boolean flag given instead is not one). */
export function stringOption(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The manuscript folder a command works on: `--manuscript`, else ./manuscript, absolute. */
export function manuscriptOption(values: Record<string, string | boolean | undefined>): string {
  return path.resolve(stringOption(values, 'manuscript') ?? 'manuscript');
}

/**
 * The run a command works on, resolved once (`resolve()`): the manuscript read and checked,
 * the settings settled. When the manuscript cannot be used (it does not load; with `checks`
 * false, it fails its checks), its messages are printed and the exit code comes back;
 * otherwise the resolved run and the messages to report with the command's own.
 */
export async function resolveForCommand(
  io: CommandIO,
  input: ResolveInput,
  options: { body?: Record<string, unknown>; allowFailedChecks?: boolean } = {},
): Promise<{ resolved: Resolved; messages: Message[] } | { code: number }> {
  const run = await resolve(input);
  const resolved = run.output;
  if (resolved && (!resolved.failed || (resolved.failed === 'checks' && options.allowFailedChecks === true))) return { resolved, messages: run.messages };
  const code = exitCode(run.messages);
  if (io.json) printJson(io, code, run.messages, options.body);
  else reportMessages(io, run.messages);
  return { code };
}
