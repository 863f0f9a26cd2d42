/**
 * The local pool of `folio catalogue build`: worker processes (one per core by default), each
 * building one issue at a time with its own kept tools, handed the next issue as soon as it is
 * free, and replaced after `recycleAfter` issues. A worker that dies mid-issue is replaced and
 * the issue given once more to another; a second death is reported (catalogue-003).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { message } from '../messages.js';
import { projectDir } from '../pdf/assets.js';
import type { IssueOutcome } from './issue.js';
import type { CatalogueEntry } from './load.js';
import type { PoolReply, PoolRequest } from './pool-worker.js';

/** How the pool runs. */
export interface PoolOptions {
  workers: number;
  /** Issues a worker builds before it is replaced by a fresh one. */
  recycleAfter: number;
  /** Told as issues start, lay out pages and end. */
  onEvent?: (event: { kind: 'start' | 'end'; name: string; outcome?: IssueOutcome } | { kind: 'pages'; name: string; done: number; total: number }) => void;
  env?: NodeJS.ProcessEnv;
}

/** Builds every issue; resolves to their outcomes, in catalogue order. */
export async function buildWithPool(issues: readonly CatalogueEntry[], options: PoolOptions): Promise<IssueOutcome[]> {
  const waiting = [...issues];
  const tries = new Map<string, number>();
  const outcomes = new Map<string, IssueOutcome>();
  const children = new Set<ChildProcess>();
  const bin = path.join(projectDir, 'bin', 'folio.js');

  await new Promise<void>((resolve) => {
    const finishedAll = (): boolean => outcomes.size === issues.length;
    const startWorker = (): void => {
      if (waiting.length === 0) return;
      const child = fork(bin, ['worker', '--pool', '--recycle', String(options.recycleAfter)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: options.env ?? process.env });
      children.add(child);
      let current: CatalogueEntry | undefined;
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      const next = (): void => {
        current = waiting.shift();
        if (!current) {
          child.disconnect();
          return;
        }
        tries.set(current.name, (tries.get(current.name) ?? 0) + 1);
        options.onEvent?.({ kind: 'start', name: current.name });
        child.send({ type: 'build', entry: current } satisfies PoolRequest);
      };
      child.on('message', (reply: PoolReply) => {
        if (reply.type === 'ready') next();
        else if (reply.type === 'pages') options.onEvent?.({ kind: 'pages', name: reply.name, done: reply.done, total: reply.total });
        else {
          outcomes.set(reply.outcome.name, reply.outcome);
          options.onEvent?.({ kind: 'end', name: reply.outcome.name, outcome: reply.outcome });
          current = undefined;
          if (finishedAll()) resolve();
          else if (!reply.recycling) next();
        }
      });
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (current) {
          const lost = current;
          if ((tries.get(lost.name) ?? 0) < 2) waiting.unshift(lost);
          else {
            const last = stderr.trim().split('\n').at(-1) ?? '';
            const outcome = died(lost, `${signal ?? `exit ${String(code)}`}${last ? `: ${last}` : ''}`);
            outcomes.set(lost.name, outcome);
            options.onEvent?.({ kind: 'end', name: lost.name, outcome });
          }
        }
        if (finishedAll()) resolve();
        // A worker recycled (or lost) with issues left is replaced.
        else if (waiting.length > 0 && children.size < options.workers) startWorker();
      });
    };
    for (let k = 0; k < Math.min(options.workers, issues.length); k += 1) startWorker();
  });
  for (const child of children) child.kill('SIGTERM');
  return issues.map((issue) => outcomes.get(issue.name) ?? died(issue, 'no answer'));
}

/** The outcome of an issue whose worker died twice while building it. */
function died(entry: CatalogueEntry, how: string): IssueOutcome {
  return {
    name: entry.name,
    out: entry.out,
    exitCode: 2,
    reused: false,
    fidelity: 'not checked',
    validation: { epubcheck: 0, ace: 0, articles: 0 },
    seconds: 0,
    digest: '',
    builtBy: '',
    builtAt: new Date().toISOString(),
    messages: [message('catalogue-003', `Unexpected end of the worker building issue \`${entry.name}\` (${how}), twice; expected it to finish the build`, entry.place)],
  };
}
