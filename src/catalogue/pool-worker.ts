/**
 * The child side of the local pool (`folio worker --pool`): a process of its own, since
 * Chromium and memory are per process, that builds the issues its parent sends over the IPC
 * channel with one set of kept tools (two Chromiums, EPUBCheck's JVM, Ace's worker), and ends
 * after `recycleAfter` issues so that whatever a long run of builds leaks goes with it.
 */
import { startWarmTools } from '../session/warm-tools.js';
import { buildCatalogueIssue, type IssueOutcome } from './issue.js';
import type { CatalogueEntry } from './load.js';

/** What the parent sends. */
export interface PoolRequest {
  type: 'build';
  entry: CatalogueEntry;
}

/** What the child answers. */
export type PoolReply = { type: 'ready' } | { type: 'pages'; name: string; done: number; total: number } | { type: 'done'; outcome: IssueOutcome; recycling: boolean };

/** Serves builds until `recycleAfter` are done or the parent goes; resolves when the tools are closed. */
export async function servePool(recycleAfter: number, depositedAt: Date): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('Unexpected `folio worker --pool` without an IPC channel, expected to be started by `folio catalogue build`');
  const tools = startWarmTools();
  let built = 0;
  let queue = Promise.resolve();
  await new Promise<void>((resolve) => {
    // A parent that dies (even by SIGKILL) closes the channel: the child then ends too.
    process.once('disconnect', resolve);
    process.on('message', (request: PoolRequest) => {
      if (request.type !== 'build') return;
      // One build at a time: the tools are this process's, and the pool has a process per core.
      queue = queue.then(async () => {
        const outcome = await buildCatalogueIssue(request.entry, {
          tools,
          depositedAt,
          onPages: (done, total) => send({ type: 'pages', name: request.entry.name, done, total } satisfies PoolReply),
        });
        built += 1;
        send({ type: 'done', outcome, recycling: built >= recycleAfter } satisfies PoolReply);
        if (built >= recycleAfter) resolve();
      });
    });
    send({ type: 'ready' } satisfies PoolReply);
  });
  await queue;
  await tools.close();
  process.disconnect?.();
}
