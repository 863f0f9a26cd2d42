/**
 * The catalogue on a BullMQ queue: one job per issue, built by `folio worker` processes on any
 * machine that sees the same Redis and the same shared storage. BullMQ does the distribution:
 * retries with exponential backoff for a tool failure (build exit 2), none for a problem of the
 * issue (exit 1, an `UnrecoverableError`), the recovery of the jobs of a worker that died (its
 * lock lapses; another worker's stalled check puts them back), progress (pages laid out), and
 * the concurrency of each worker. A job's result is its issue's outcome; the build itself is
 * on shared storage, published only when it passed (src/catalogue/issue.ts).
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { formatMessage, message, type Message } from '../messages.js';
import { startWarmTools, type WarmTools } from '../session/warm-tools.js';
import { buildCatalogueIssue, type IssueOutcome } from './issue.js';
import type { CatalogueEntry, ResolvedCatalogue } from './load.js';
import { commandConnection, redisLost, workerConnection } from './redis.js';

/** What a job carries. `version` lets a worker refuse jobs of another Folio. */
export interface IssueJob {
  version: 1;
  catalogue: string;
  entry: CatalogueEntry;
}

/** Tries of a job whose build fails with a tool failure, and the first wait between them. */
const attempts = 3;
const backoffMs = 2000;

/** A job's id: one per issue of a catalogue, so that enqueuing twice never builds twice at once. */
export function jobId(catalogue: string, name: string): string {
  return `${catalogue}--${name}`;
}

/**
 * Puts every issue on the queue. A job waiting, delayed or under way is kept; a finished one
 * (completed or failed) is replaced, so enqueuing again after an edit builds what changed (a
 * worker keeps the published build of an issue whose inputs did not).
 */
export async function enqueueCatalogue(catalogue: ResolvedCatalogue, options: { redis: string; queue: string }): Promise<{ added: string[]; kept: string[]; messages: Message[] }> {
  const { connection, messages } = await commandConnection(options.redis);
  if (!connection) return { added: [], kept: [], messages };
  const queue = new Queue<IssueJob>(options.queue, { connection });
  queue.on('error', () => undefined);
  const added: string[] = [];
  const kept: string[] = [];
  try {
    for (const entry of catalogue.issues) {
      const id = jobId(catalogue.name, entry.name);
      const existing = await queue.getJob(id);
      const state = existing ? await existing.getState() : undefined;
      if (existing && state !== 'completed' && state !== 'failed') {
        kept.push(entry.name);
        continue;
      }
      if (existing) await existing.remove();
      await queue.add(entry.name, { version: 1, catalogue: catalogue.name, entry }, { jobId: id, attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: false, removeOnFail: false });
      added.push(entry.name);
    }
  } catch (error) {
    messages.push(redisLost(options.redis, error));
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
  return { added, kept, messages };
}

/** What a worker tells its command line. */
export type WorkerEvent =
  | { kind: 'ready'; queue: string }
  | { kind: 'published' | 'kept'; name: string; attempt: number; seconds: number }
  | { kind: 'retrying' | 'failed'; name: string; attempt: number; reason: string }
  | { kind: 'problem'; message: Message };

/** How a worker runs. */
export interface QueueWorkerOptions {
  redis: string;
  queue: string;
  concurrency: number;
  /** How long a job stays this worker's without its lock renewed (BullMQ's lockDuration). */
  lockMs: number;
  depositedAt: Date;
  onEvent: (event: WorkerEvent) => void;
}

function readJob(data: unknown): CatalogueEntry | undefined {
  const job = data as Partial<IssueJob> | undefined;
  return job?.version === 1 && typeof job.entry?.name === 'string' && typeof job.entry.out === 'string' ? job.entry : undefined;
}

/** The first errors of an outcome, as the reason a job failed. */
function failure(outcome: IssueOutcome): string {
  const errors = outcome.messages.filter((m) => m.severity === 'error');
  return errors.slice(0, 3).map(formatMessage).join('\n') || `exit ${outcome.exitCode}`;
}

/**
 * Starts a worker: it builds up to `concurrency` issues at once, each with a set of kept tools
 * of its own (a Chromium each), until closed. Redis going away is one catalogue-004 per outage;
 * the worker reconnects by itself, and a build under way goes on and is published.
 */
export function runQueueWorker(options: QueueWorkerOptions): { close(): Promise<void> } {
  const idle: WarmTools[] = [];
  const all: WarmTools[] = [];
  const borrow = (): WarmTools => {
    const tools = idle.pop() ?? startWarmTools();
    if (!all.includes(tools)) all.push(tools);
    return tools;
  };
  // One message an outage: the worker's connections (its own, BullMQ's blocking one) each
  // fail and come back at their own moment, so an outage is over after a quiet spell once back.
  let lost = false;
  let back: NodeJS.Timeout | undefined;
  const onRedisError = (error: unknown): void => {
    clearTimeout(back);
    if (lost) return;
    lost = true;
    options.onEvent({ kind: 'problem', message: redisLost(options.redis, error) });
  };
  const connection = workerConnection(options.redis);
  connection.on('error', onRedisError);
  connection.on('ready', () => {
    clearTimeout(back);
    back = setTimeout(() => (lost = false), 10_000).unref();
  });
  const buildJob = async (job: Job<IssueJob, IssueOutcome>): Promise<IssueOutcome> => {
    const entry = readJob(job.data);
    if (!entry) throw new UnrecoverableError(formatMessage(message('catalogue-008', `Unexpected data in job \`${String(job.id)}\`, expected an issue of a catalogue (version 1)`)));
    const attempt = job.attemptsMade + 1;
    const tools = borrow();
    let shown = 0;
    try {
      const outcome = await buildCatalogueIssue(entry, {
        tools,
        depositedAt: options.depositedAt,
        onPages: (done, total) => {
          // A page a few hundred milliseconds is enough for a status table; Redis need not hear of each.
          if (done < total && Date.now() - shown < 500) return;
          shown = Date.now();
          job.updateProgress({ pages: done, total }).catch(() => undefined);
        },
      });
      if (outcome.exitCode === 0) {
        options.onEvent({ kind: outcome.reused ? 'kept' : 'published', name: entry.name, attempt, seconds: outcome.seconds });
        return outcome;
      }
      const reason = failure(outcome);
      const final = outcome.exitCode === 1 || attempt >= (job.opts.attempts ?? 1);
      options.onEvent({ kind: final ? 'failed' : 'retrying', name: entry.name, attempt, reason });
      // A problem of the issue fails the same way every time: no retry.
      throw outcome.exitCode === 1 ? new UnrecoverableError(reason) : new Error(reason);
    } finally {
      idle.push(tools);
    }
  };
  const worker = new Worker<IssueJob, IssueOutcome>(options.queue, buildJob, {
    connection,
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    // The stalled check runs twice per lock time: a dead worker's job is back within 1.5 of them.
    stalledInterval: Math.max(1000, Math.round(options.lockMs / 2)),
    maxStalledCount: 2,
  });
  // The worker's own errors while Redis is away (a lock it could not renew) follow from the
  // outage the connection reported; only a lost connection of its own is one more.
  worker.on('error', (error) => {
    if ((error as NodeJS.ErrnoException).code !== undefined) onRedisError(error);
  });
  void worker.waitUntilReady().then(() => options.onEvent({ kind: 'ready', queue: options.queue }), onRedisError);
  return {
    async close() {
      await worker.close();
      await Promise.all(all.map((tools) => tools.close()));
      connection.disconnect();
    },
  };
}
