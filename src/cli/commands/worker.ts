/**
 * `folio worker`: takes issues off a BullMQ queue on Redis and builds them (`--redis URL`), or,
 * started by `folio catalogue build`, builds what its parent sends (`--pool`, not for people).
 */
import { depositTime } from '../../articles/index.js';
import { sourceDateEpoch } from '../../manuscript/index.js';
import { servePool } from '../../catalogue/index.js';
import { runQueueWorker, type WorkerEvent } from '../../catalogue/queue.js';
import { formatMessage, message } from '../../messages.js';
import { type Command, printJson, stringOption, untilStopped } from '../command.js';
import { countOption } from './catalogue.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'build the issues a `folio catalogue enqueue` put on a BullMQ queue',
  usage: [
    'Usage: folio worker --redis URL [--queue NAME] [--concurrency N]',
    '',
    'Takes jobs off the queue and builds them until Ctrl-C or SIGTERM, which close its browsers;',
    'a build under way then goes back to the queue once its lock lapses, for another worker.',
    'Each build is published to its issue\'s output folder (shared storage)',
    'only when it and its check pass. A tool failure (exit 2) is retried with exponential',
    'backoff; a manuscript problem (exit 1) is reported once and not retried.',
    '',
    'Options:',
    '  --redis URL        the Redis the queue lives on, e.g. redis://127.0.0.1:6379',
    '  --queue NAME       the queue (default folio-catalogue)',
    '  --concurrency N    builds at once in this worker, each with its own Chromium (default 1)',
    '  --lock-seconds S   how long a job stays this worker\'s without a sign of life (default 30):',
    '                     a worker that dies loses its jobs to the others after this',
    '  --recycle N        with --pool: issues built before the process ends (default 25)',
    '  --json             one JSON line per job as it ends',
    '  -q, --quiet        print problems only',
    '',
    'Exit codes: 0 stopped before it started a browser, 128 + the signal after, 2 a bad option.',
    'A Redis that is away is waited for (catalogue-004), not an exit: its jobs are still there.',
  ].join('\n'),
  options: {
    redis: { type: 'string' },
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    'lock-seconds': { type: 'string' },
    recycle: { type: 'string' },
    pool: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const refuse = (reason: string): number => {
      const problem = message('cli-001', reason);
      if (io.json) printJson(io, 2, [problem]);
      else io.err(formatMessage(problem));
      return 2;
    };
    const depositedAt = depositTime(sourceDateEpoch(process.env));
    if (values.pool === true) {
      const recycle = countOption(values, 'recycle', 25);
      if (typeof recycle !== 'number') return refuse(recycle.reason);
      await servePool(recycle, depositedAt);
      return 0;
    }
    if (typeof values.redis !== 'string') return refuse('Unexpected `folio worker` without --redis URL, expected the Redis the queue lives on');
    const concurrency = countOption(values, 'concurrency', 1);
    if (typeof concurrency !== 'number') return refuse(concurrency.reason);
    const lockSeconds = countOption(values, 'lock-seconds', 30);
    if (typeof lockSeconds !== 'number') return refuse(lockSeconds.reason);
    const worker = runQueueWorker({
      redis: values.redis,
      queue: stringOption(values, 'queue') ?? 'folio-catalogue',
      concurrency,
      lockMs: lockSeconds * 1000,
      depositedAt,
      onEvent: (event) => {
        if (io.json) io.out(JSON.stringify(event));
        else if (event.kind === 'problem') io.err(formatMessage(event.message));
        else if (!io.quiet) io.err(`folio worker: ${eventLine(event)}`);
      },
    });
    await untilStopped();
    await worker.close();
    return 0;
  },
};

/** One line of the worker's log for an event (problems are printed as messages instead). */
function eventLine(event: Exclude<WorkerEvent, { kind: 'problem' }>): string {
  if (event.kind === 'ready') return `taking jobs from \`${event.queue}\``;
  if ('seconds' in event) return `${event.name} ${event.kind} (attempt ${event.attempt}) in ${event.seconds.toFixed(1)} s`;
  return `${event.name} ${event.kind} (attempt ${event.attempt}): ${event.reason.split('\n')[0] ?? ''}`;
}
