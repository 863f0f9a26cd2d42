/** `folio catalogue status`: the queue's jobs, one row an issue, and the count in each state. */
import { Queue, type Job } from 'bullmq';
import type { Message } from '../messages.js';
import type { IssueOutcome } from './issue.js';
import type { IssueJob } from './queue.js';
import { commandConnection, redisLost } from './redis.js';

/** One issue's job as the table shows it. */
export interface JobRow {
  name: string;
  state: string;
  attempts: number;
  pages?: { done: number; total: number };
  seconds?: number;
  reason?: string;
}

/** The status of a queue (of one catalogue's jobs, when `catalogue` is given). */
export interface QueueStatus {
  counts: Record<'waiting' | 'active' | 'completed' | 'failed', number>;
  jobs: JobRow[];
  messages: Message[];
}

const states = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed'] as const;

async function row(job: Job<IssueJob, IssueOutcome>): Promise<JobRow> {
  const state = await job.getState();
  const progress = job.progress as { pages?: number; total?: number } | number;
  const made: JobRow = { name: job.name, state, attempts: job.attemptsMade };
  if (typeof progress === 'object' && progress.pages !== undefined && progress.total !== undefined) made.pages = { done: progress.pages, total: progress.total };
  if (job.returnvalue?.pages !== undefined) made.pages = { done: job.returnvalue.pages, total: job.returnvalue.pages };
  if (job.finishedOn !== undefined && job.processedOn !== undefined) made.seconds = (job.finishedOn - job.processedOn) / 1000;
  if (job.failedReason) made.reason = job.failedReason.split('\n')[0] ?? '';
  return made;
}

/** Reads the jobs off the queue. Delayed jobs (a retry waiting its backoff) count as waiting. */
export async function queueStatus(options: { redis: string; queue: string; catalogue?: string; names?: string[] }): Promise<QueueStatus> {
  const counts = { waiting: 0, active: 0, completed: 0, failed: 0 };
  const { connection, messages } = await commandConnection(options.redis);
  if (!connection) return { counts, jobs: [], messages };
  const queue = new Queue<IssueJob, IssueOutcome>(options.queue, { connection });
  queue.on('error', () => undefined);
  try {
    const jobs = (await queue.getJobs([...states], 0, -1)).filter((job) => options.catalogue === undefined || job.data.catalogue === options.catalogue);
    const rows = await Promise.all(jobs.map(row));
    const order = options.names ?? [];
    rows.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name) || a.name.localeCompare(b.name));
    for (const r of rows) {
      const counted = r.state === 'delayed' || r.state === 'prioritized' ? 'waiting' : r.state;
      if (counted in counts) counts[counted as keyof typeof counts] += 1;
    }
    return { counts, jobs: rows, messages };
  } catch (error) {
    return { counts, jobs: [], messages: [redisLost(options.redis, error)] };
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}

/** The table a person reads: one line an issue, then the counts. */
export function statusTable(status: QueueStatus): string[] {
  const lines = [`${'issue'.padEnd(24)} ${'state'.padEnd(10)} ${'pages'.padStart(9)} tries   time  reason`];
  for (const r of status.jobs) {
    const pages = r.pages ? `${r.pages.done}/${r.pages.total}` : '';
    lines.push(`${r.name.padEnd(24)} ${r.state.padEnd(10)} ${pages.padStart(9)} ${String(r.attempts).padStart(5)} ${r.seconds !== undefined ? `${r.seconds.toFixed(1).padStart(5)} s` : '       '}  ${r.reason ?? ''}`.trimEnd());
  }
  const c = status.counts;
  lines.push(`waiting ${c.waiting}, active ${c.active}, completed ${c.completed}, failed ${c.failed}`);
  return lines;
}
