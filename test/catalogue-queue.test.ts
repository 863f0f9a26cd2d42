/**
 * The catalogue on BullMQ with real parts: a redis-server of the test's own, two `folio worker`
 * processes (`node bin/folio.js`, which passes on signals), small generated issues. One worker
 * is killed with SIGKILL in the middle of a build: every issue still ends built and published
 * exactly once, checked, with nothing half-written left; a broken issue fails once, never
 * retried; Redis killed mid-run is a clear catalogue-004 and no result is lost, and the work
 * goes on once it is back.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { recordName, type IssueOutcome } from '../src/catalogue/index.js';
import { queueStatus } from '../src/catalogue/queue-status.js';
import { writeCatalogue } from './catalogue-issues.js';
import { runFolio } from './folio-process.js';
import { freePort, startRedis, stopProcess } from './redis-server.js';

const repo = path.resolve(import.meta.dirname, '..');

/** A `folio worker` and the JSON lines it printed. */
interface WorkerProcess {
  child: ChildProcess;
  events: Array<{ kind: string; name?: string; message?: { ruleId: string; reason: string } }>;
}

const workers: WorkerProcess[] = [];
let redis: ChildProcess | undefined;
let port = 0;
let url = '';
let dir = '';

function startWorker(queue: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [path.join(repo, 'bin', 'folio.js'), 'worker', '--redis', url, '--queue', queue, '--lock-seconds', '6', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const worker: WorkerProcess = { child, events: [] };
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      // A line that is not JSON is kept as it is (and fails the assertions), never thrown from
      // this handler: an uncaught error would end the test process before its teardown.
      try {
        worker.events.push(JSON.parse(line) as WorkerProcess['events'][number]);
      } catch {
        worker.events.push({ kind: 'not-json', name: line });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.env.FOLIO_TEST_WORKER_LOG && process.stderr.write(chunk));
  workers.push(worker);
  return worker;
}

async function waitFor(condition: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The staging folder a worker is building in, if any (its pid is in the name). */
async function stagingOf(pid: number | undefined, base = dir): Promise<string | undefined> {
  const names = await readdir(path.join(base, 'out')).catch(() => [] as string[]);
  return names.find((n) => n.endsWith(`.${String(pid)}.building`));
}

async function published(name: string, base = dir): Promise<IssueOutcome | undefined> {
  try {
    return JSON.parse(await readFile(path.join(base, 'out', name, recordName), 'utf8')) as IssueOutcome;
  } catch {
    return undefined;
  }
}

// However the test process ends, no worker or redis-server outlives it.
process.once('exit', () => {
  for (const child of [...workers.map((w) => w.child), redis]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'folio-catalogue-queue-'));
  port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = await startRedis(port);
});

after(async () => {
  // Always, pass or fail: the workers (their Chromiums die with them), then Redis, then the files.
  for (const worker of workers) await stopProcess(worker.child);
  await stopProcess(redis);
  await rm(dir, { recursive: true, force: true });
});

test('folio worker on BullMQ: a worker killed mid-build loses nothing, every issue is published once and checked, a broken issue fails once', async () => {
  const { file, good, broken } = await writeCatalogue(dir, [1, 2, 3, 4, 5, 6], { name: 'queued', broken: 1 });
  const a = startWorker('kill');
  const b = startWorker('kill');
  await waitFor(() => [a, b].every((w) => w.events.some((e) => e.kind === 'ready')), 60_000, 'both workers are ready');
  const enqueued = await runFolio(['catalogue', 'enqueue', file, '--redis', url, '--queue', 'kill', '--json']);
  assert.equal(enqueued.code, 0, enqueued.stderr);
  assert.deepEqual((JSON.parse(enqueued.stdout) as { added: string[] }).added, [...good, ...broken]);

  // Worker a is killed while it has a build under way: its staging folder holds a PDF already.
  let killedIn = '';
  await waitFor(async () => {
    const staging = await stagingOf(a.child.pid);
    if (!staging) return false;
    const inside = await readdir(path.join(dir, 'out', staging)).catch(() => [] as string[]);
    if (!inside.some((f) => f.endsWith('.pdf') || f.endsWith('.epub') || f === 'manuscript')) return false;
    killedIn = staging;
    return true;
  }, 120_000, 'worker a is building');
  await stopProcess(a.child, 'SIGKILL');

  await waitFor(async () => {
    const status = await queueStatus({ redis: url, queue: 'kill' });
    return status.counts.completed + status.counts.failed === good.length + broken.length;
  }, 300_000, 'every job has ended');
  const status = await queueStatus({ redis: url, queue: 'kill' });
  assert.deepEqual(status.messages, []);
  assert.deepEqual(status.counts, { waiting: 0, active: 0, completed: good.length, failed: broken.length });
  // The broken issue: one try, its problem named, never retried.
  const failed = status.jobs.filter((j) => j.state === 'failed');
  assert.deepEqual(failed.map((j) => [j.name, j.attempts]), [['broken-1', 1]]);
  assert.match(failed[0]?.reason ?? '', /import-002/u);
  const failures = [...a.events, ...b.events].filter((e) => e.kind === 'failed' || e.kind === 'retrying');
  assert.deepEqual(failures.map((e) => [e.kind, e.name]), [['failed', 'broken-1']]);

  // Every good issue published exactly once, over both workers, and checked.
  const publications = [...a.events, ...b.events].filter((e) => e.kind === 'published').map((e) => e.name).sort();
  assert.deepEqual(publications, [...good].sort());
  const killedIssue = killedIn.replace(/^\./u, '').split('.')[0];
  assert.ok(b.events.some((e) => e.kind === 'published' && e.name === killedIssue), `worker b built ${killedIssue}, the issue a was killed in`);
  for (const name of good) {
    const record = await published(name);
    assert.equal(record?.exitCode, 0, name);
    assert.equal(record?.fidelity, 'faithful', name);
    assert.ok(existsSync(path.join(dir, 'out', name, record?.proof ?? 'none')), `${name}: its proof`);
  }
  // Nothing half-written: no staging folder (a's was swept by b), no partial file, nothing of the broken issue.
  const left = await readdir(path.join(dir, 'out'), { recursive: true });
  assert.deepEqual(left.filter((f) => /\.partial$|\.building|\.invalid/u.test(f)), []);
  assert.ok(!existsSync(path.join(dir, 'out', 'broken-1')));
  await stopProcess(b.child, 'SIGTERM');
});

test('folio worker on BullMQ: Redis killed mid-build is one clear catalogue-004, the build under way is still published, and with Redis back the work goes on', async () => {
  const base = path.join(dir, 'outage');
  const { file, good } = await writeCatalogue(base, [7, 8, 1], { name: 'outage' });
  const c = startWorker('outage');
  await waitFor(() => c.events.some((e) => e.kind === 'ready'), 60_000, 'the worker is ready');
  const enqueued = await runFolio(['catalogue', 'enqueue', file, '--redis', url, '--queue', 'outage', '--json']);
  assert.equal(enqueued.code, 0, enqueued.stderr);

  let inFlight = '';
  await waitFor(async () => {
    const staging = await stagingOf(c.child.pid, base);
    if (!staging || !(await readdir(path.join(base, 'out', staging)).catch(() => [] as string[])).includes('manuscript')) return false;
    inFlight = staging.replace(/^\./u, '').split('.')[0] ?? '';
    return true;
  }, 120_000, 'the worker is building');
  await stopProcess(redis, 'SIGKILL');

  // The worker says so, once, naming the Redis; a command says so too, and fails with exit 2.
  await waitFor(() => c.events.some((e) => e.kind === 'problem'), 30_000, 'the worker reports the outage');
  const problems = c.events.filter((e) => e.kind === 'problem');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.message?.ruleId, 'catalogue-004');
  assert.match(problems[0]?.message?.reason ?? '', new RegExp(`Redis at \`${url}\` not answering`, 'u'));
  const status = await runFolio(['catalogue', 'status', '--redis', url]);
  assert.equal(status.code, 2);
  assert.match(status.stderr, /not answering \(ECONNREFUSED\), expected a running redis-server \[catalogue-004\]/u);

  // No result lost: the build under way is published on shared storage, Redis or not.
  await waitFor(async () => (await published(inFlight, base))?.exitCode === 0, 120_000, `${inFlight} is published`);

  // Redis back, empty (nothing saved): enqueued again, the worker goes on and keeps what it published.
  redis = await startRedis(port);
  const again = await runFolio(['catalogue', 'enqueue', file, '--redis', url, '--queue', 'outage', '--json']);
  assert.equal(again.code, 0, again.stderr);
  await waitFor(async () => (({ counts }) => counts.completed + counts.failed === good.length)(await queueStatus({ redis: url, queue: 'outage' })), 300_000, 'every job has completed').catch(async (error: unknown) => {
    assert.fail(`${(error as Error).message}: ${JSON.stringify(await queueStatus({ redis: url, queue: 'outage' }))} ${JSON.stringify(c.events)}`);
  });
  assert.equal((await queueStatus({ redis: url, queue: 'outage' })).counts.completed, good.length);
  assert.equal(c.events.filter((e) => e.kind === 'problem').length, 1, `the outage said once: ${JSON.stringify(c.events)}`);
  const publications = c.events.filter((e) => e.kind === 'published').map((e) => e.name).sort();
  assert.deepEqual(publications, [...good].sort(), 'each issue built and published once');
  assert.ok(c.events.some((e) => e.kind === 'kept' && e.name === inFlight), `${inFlight} kept, not built again`);
  for (const name of good) assert.equal((await published(name, base))?.fidelity, 'faithful', name);
  await stopProcess(c.child, 'SIGTERM');
});

test('folio worker on BullMQ: a tool failure (exit 2, no Chromium) is tried three times with backoff, then failed; status shows it', async () => {
  const base = path.join(dir, 'tools');
  const { file, good } = await writeCatalogue(base, [2], { name: 'tools' });
  const d = startWorker('tools', { CHROME_PATH: path.join(base, 'no-chromium') });
  await waitFor(() => d.events.some((e) => e.kind === 'ready'), 60_000, 'the worker is ready');
  assert.equal((await runFolio(['catalogue', 'enqueue', file, '--redis', url, '--queue', 'tools'])).code, 0);
  await waitFor(async () => (await queueStatus({ redis: url, queue: 'tools' })).counts.failed === 1, 180_000, 'the job has failed');
  assert.deepEqual(d.events.filter((e) => e.kind === 'retrying' || e.kind === 'failed').map((e) => e.kind), ['retrying', 'retrying', 'failed']);
  const status = await runFolio(['catalogue', 'status', file, '--redis', url, '--queue', 'tools']);
  assert.equal(status.code, 0, status.stderr);
  const lines = status.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1] ?? '', new RegExp(`^${good[0] ?? ''} +failed +3 .*Unexpected missing Chromium.*\\[pdf-001\\]`, 'u'));
  assert.equal(lines[2], 'waiting 0, active 0, completed 0, failed 1');
  // Nothing published, nothing left half-made.
  assert.deepEqual(await readdir(path.join(base, 'out')).catch(() => []), []);
  await stopProcess(d.child, 'SIGTERM');
});
