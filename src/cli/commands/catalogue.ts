/**
 * `folio catalogue build|enqueue|status`: a back catalogue built by a local pool of workers, or
 * put on a BullMQ queue for `folio worker` processes on any machine, and its progress there.
 */
import { availableParallelism } from 'node:os';
import { depositTime } from '../../articles/index.js';
import { sourceDateEpoch } from '../../manuscript/index.js';
import { buildWithPool, catalogueExitCode, catalogueReport, loadCatalogue, writeCatalogueReport, type ResolvedCatalogue } from '../../catalogue/index.js';
import { enqueueCatalogue } from '../../catalogue/queue.js';
import { queueStatus, statusTable } from '../../catalogue/queue-status.js';
import { exitCode, message, type Message } from '../../messages.js';
import { type Command, type CommandIO, printJson, progressBar, reportMessages, shownPath, stringOption } from '../command.js';

/** A whole number of at least 1 from an option, or a cli-001 naming it. */
export function countOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number): number | Message {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? n : message('cli-001', `Unexpected --${name} \`${String(text)}\`, expected a whole number from 1`);
}

function stop(io: CommandIO, messages: Message[], body: Record<string, unknown> = {}): number {
  const code = exitCode(messages);
  if (io.json) printJson(io, code, messages, body);
  else reportMessages(io, messages);
  return code;
}

export const catalogueCommand: Command = {
  name: 'catalogue',
  summary: 'build many issues at once: a local pool of workers, or a BullMQ queue on Redis',
  usage: [
    'Usage: folio catalogue build [catalogue.yaml] [--workers N] [--recycle N]',
    '       folio catalogue enqueue [catalogue.yaml] --redis URL [--queue NAME]',
    '       folio catalogue status [catalogue.yaml] --redis URL [--queue NAME]',
    '',
    'build    builds every issue of catalogue.yaml (default ./catalogue.yaml) with a pool of',
    '         worker processes, each keeping its Chromium and validators between issues, and',
    '         writes the report (catalogue.json, catalogue.html) to the catalogue\'s report folder',
    'enqueue  puts one job per issue on the queue, for `folio worker --redis URL` to build',
    'status   a table of the queue\'s jobs: waiting, active, completed, failed per issue',
    '',
    'Options:',
    '  --workers N   worker processes (default one per core)',
    '  --recycle N   issues a worker builds before it is replaced by a fresh one (default 25)',
    '  --redis URL   the Redis the queue lives on, e.g. redis://127.0.0.1:6379',
    '  --queue NAME  the queue (default folio-catalogue)',
    '  --json        one JSON document: the report, the jobs or the status',
    '  -q, --quiet   print problems only',
    '',
    'Exit codes: 0 every issue built and checked, 1 an issue has problems, 2 a tool failed.',
  ].join('\n'),
  options: {
    workers: { type: 'string' },
    recycle: { type: 'string' },
    redis: { type: 'string' },
    queue: { type: 'string' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const [action, file, ...extra] = positionals;
    if (!['build', 'enqueue', 'status'].includes(action ?? '') || extra.length > 0) {
      return stop(io, [message('cli-001', `Unexpected \`folio catalogue ${positionals.join(' ')}\`, expected build, enqueue or status and at most one catalogue.yaml`)]);
    }
    const queueName = stringOption(values, 'queue') ?? 'folio-catalogue';
    const redis = stringOption(values, 'redis');
    if (action === 'status' && file === undefined) {
      if (!redis) return stop(io, [message('cli-001', 'Unexpected `folio catalogue status` without --redis URL, expected the Redis the queue lives on')]);
      return showStatus(io, redis, queueName, undefined);
    }
    const loaded = await loadCatalogue(file ?? 'catalogue.yaml');
    if (!loaded.catalogue) return stop(io, loaded.messages);
    const catalogue = loaded.catalogue;
    if (action === 'build') return buildLocally(values, io, catalogue);
    if (!redis) return stop(io, [message('cli-001', `Unexpected \`folio catalogue ${action}\` without --redis URL, expected the Redis the queue lives on`)]);
    if (action === 'status') return showStatus(io, redis, queueName, catalogue);
    const enqueued = await enqueueCatalogue(catalogue, { redis, queue: queueName });
    if (!io.json && !io.quiet && enqueued.added.length + enqueued.kept.length > 0) {
      io.err(`folio catalogue: ${enqueued.added.length} job${enqueued.added.length === 1 ? '' : 's'} put on \`${queueName}\`${enqueued.kept.length > 0 ? `, ${enqueued.kept.length} already there` : ''}`);
    }
    return stop(io, enqueued.messages, { queue: queueName, added: enqueued.added, kept: enqueued.kept });
  },
};

async function buildLocally(values: Record<string, string | boolean | undefined>, io: CommandIO, catalogue: ResolvedCatalogue): Promise<number> {
  const workers = countOption(values, 'workers', availableParallelism());
  const recycle = countOption(values, 'recycle', 25);
  if (typeof workers !== 'number') return stop(io, [workers]);
  if (typeof recycle !== 'number') return stop(io, [recycle]);
  const started = performance.now();
  const chatty = !io.json && !io.quiet;
  const outcomes = await buildWithPool(catalogue.issues, {
    workers: Math.min(workers, catalogue.issues.length),
    recycleAfter: recycle,
    env: { ...process.env, SOURCE_DATE_EPOCH: String(Math.floor(depositTime(sourceDateEpoch(process.env)).getTime() / 1000)) },
    onEvent: (event) => {
      if (!chatty) return;
      io.status?.(undefined);
      if (event.kind === 'pages') io.status?.(`folio catalogue: ${event.name} ${progressBar(event.done, event.total)}`);
      else if (event.kind === 'start') io.err(`folio catalogue: ${event.name} …`);
      else if (event.outcome) io.err(`folio catalogue: ${event.name} ${event.outcome.exitCode === 0 ? (event.outcome.reused ? 'kept (unchanged)' : 'published') : 'FAILED'} in ${event.outcome.seconds.toFixed(1)} s`);
    },
  });
  io.status?.(undefined);
  const report = catalogueReport(catalogue.name, outcomes, (performance.now() - started) / 1000, Math.min(workers, catalogue.issues.length));
  const written = await writeCatalogueReport(report, catalogue.report);
  const messages = [...outcomes.flatMap((o) => o.messages), ...written.messages];
  const code = Math.max(catalogueExitCode(outcomes), exitCode(written.messages));
  if (io.json) {
    printJson(io, code, messages, { report });
    return code;
  }
  reportMessages(io, messages.filter((m) => m.ruleId !== 'catalogue-007'));
  if (!io.quiet) {
    for (const o of outcomes) io.out(`${o.name.padEnd(24)} ${o.exitCode === 0 ? 'ok    ' : 'FAILED'} ${String(o.pages ?? '').padStart(4)} pages  ${o.fidelity.padEnd(11)} ${o.seconds.toFixed(1).padStart(6)} s  ${shownPath(o.publishedTo ?? o.out)}`);
    io.out(`${report.totals.published} of ${report.totals.issues} issues published in ${report.seconds.toFixed(1)} s; report: ${written.written.map((f) => shownPath(f)).join(', ')}`);
  }
  return code;
}

async function showStatus(io: CommandIO, redis: string, queue: string, catalogue: ResolvedCatalogue | undefined): Promise<number> {
  const status = await queueStatus({ redis, queue, ...(catalogue ? { names: catalogue.issues.map((i) => i.name), catalogue: catalogue.name } : {}) });
  if (io.json) {
    printJson(io, exitCode(status.messages), status.messages, { queue, counts: status.counts, jobs: status.jobs });
    return exitCode(status.messages);
  }
  reportMessages(io, status.messages);
  if (status.messages.length === 0) for (const line of statusTable(status)) io.out(line);
  return exitCode(status.messages);
}
