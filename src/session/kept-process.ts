/**
 * A tool kept running between requests, for `folio build --watch`: EPUBCheck's JVM and Ace's
 * worker. A tool that takes seconds to start and a fraction of that to serve one request pays
 * its start once per session instead of once per build.
 *
 * The tool speaks a line protocol: one request line on its stdin, one answer line on its stdout,
 * nothing else on its stdout. Requests are served one at a time, in the order they came. The
 * process starts with the first request and is only ever a faster way to an answer the caller
 * can also get without it: a process that cannot start, dies, hangs, answers out of turn or
 * gives an answer the caller does not trust is killed, that request is not served (the caller
 * runs the tool one-shot), and the next request starts another process. After a few processes
 * in a row that ended without serving a single request, the tool is taken for broken and no
 * more are started.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A kept process as `KeptRequest.start` spawns it: stdin and stdout piped, stderr not. */
export type KeptChild = ChildProcessByStdio<Writable, Readable, null>;

/** One request to a kept process. */
export interface KeptRequest<T> {
  /**
   * What a process must run to serve this request (the identity of the tool and of its
   * environment): a process started for another key is ended and another one started.
   */
  key: string;
  /** Spawns a process for this request's key, in Node's working folder. */
  start(): KeptChild;
  /** The request, without its line end (a line with a line break in it is not sent). */
  line: string;
  /**
   * Whether the line names paths relative to the working folder: a process started in another
   * folder would read them otherwise, so it does not serve this request.
   */
  relativePaths?: boolean;
  /** What an answer line stands for; undefined when it is not to be trusted. */
  accept(answer: string): Promise<T | undefined>;
}

/** A request served: the accepted answer, and whether its process was already running. */
export interface Served<T> {
  value: T;
  process: 'warm' | 'started';
}

/** Options of a `KeptProcess`. */
export interface KeptProcessOptions {
  /** How long one request may take, the start of its process included, before the process is taken for hung. */
  timeoutMs: number;
  /** How many processes in a row may end without serving a request before no more are started. */
  maxFailedStarts: number;
  /** How long a process told to exit (its stdin closed) has to do so before it is killed. */
  exitGraceMs: number;
}

/** One process of a `KeptProcess`. */
interface Running {
  child: KeptChild;
  /** The key of the request it was started for. */
  key: string;
  /** Node's working folder when it was started. */
  cwd: string;
  /** Whether it has served a request: one that never did is a failed start. */
  served: boolean;
  /** Whether it is still there (false once it has exited or could not be spawned). */
  running: boolean;
  /** Settled once it has exited, or could not be spawned. */
  ended: Promise<void>;
  /** Takes the next answer line, or undefined when the process ends first. */
  answer: ((line: string | undefined) => void) | undefined;
}

/**
 * Whether a process keeps Node running: while it serves or is being ended, so that what awaits
 * it is not cut short, and not while it idles. A process left running when Node exits ends then
 * too, as its stdin ends.
 */
function hold(kept: Running, on: boolean): void {
  for (const handle of [kept.child, kept.child.stdin, kept.child.stdout] as Partial<{ ref(): void; unref(): void }>[]) {
    if (on) handle.ref?.();
    else handle.unref?.();
  }
}

/** A process kept running between requests over a line protocol (see the top of this module). */
export class KeptProcess {
  private current: Running | undefined;
  /** The requests in turn: each waits for the one before it. */
  private queue: Promise<unknown> = Promise.resolve();
  private failedStarts = 0;
  private closed = false;

  constructor(private readonly options: KeptProcessOptions) {}

  /** The process id while a process runs, for tests and diagnostics. */
  get pid(): number | undefined {
    return this.current?.running ? this.current.child.pid : undefined;
  }

  /**
   * Serves a request after those before it; undefined when it is not served, and the caller is
   * then to do without the kept process.
   */
  request<T>(request: KeptRequest<T>): Promise<Served<T> | undefined> {
    const turn = this.queue.then(() => this.serve(request));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Ends the process: its stdin is closed, and it is killed if it has not exited soon after.
   * Resolves once it has exited and the requests already made have ended; later requests are
   * not served.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.current) await this.stop(this.current);
    await this.queue;
  }

  private async serve<T>(request: KeptRequest<T>): Promise<Served<T> | undefined> {
    if (this.closed || this.failedStarts >= this.options.maxFailedStarts || /[\n\r]/.test(request.line)) return undefined;
    if (this.current && this.current.key !== request.key) await this.stop(this.current);
    if (this.closed) return undefined;
    if (this.current && request.relativePaths && process.cwd() !== this.current.cwd) return undefined;
    const started = this.current === undefined;
    const kept = this.current ?? this.start(request);
    const answer = await this.ask(kept, `${request.line}\n`);
    const value = answer === undefined ? undefined : await request.accept(answer).catch(() => undefined);
    if (value !== undefined) {
      kept.served = true;
      this.failedStarts = 0;
      return { value, process: started ? 'started' : 'warm' };
    }
    // A process that hung, died or gave an answer not trusted is not trusted with another
    // request: the next one starts another, unless this one never served a request either.
    if (!kept.served) this.failedStarts += 1;
    await this.kill(kept);
    return undefined;
  }

  private start(request: KeptRequest<unknown>): Running {
    const child = request.start();
    let ended!: () => void;
    const kept: Running = { child, key: request.key, cwd: process.cwd(), served: false, running: true, ended: new Promise((resolve) => (ended = resolve)), answer: undefined };
    const end = () => {
      if (!kept.running) return;
      kept.running = false;
      if (this.current === kept) this.current = undefined;
      kept.answer?.(undefined);
      ended();
    };
    // 'close' comes after the last answer is read; 'error' alone when the process could not be spawned.
    child.on('close', end);
    child.on('error', () => {
      if (child.pid === undefined) end();
    });
    // A write to a process that has just died fails with EPIPE; its 'close' is what counts.
    child.stdin.on('error', () => undefined);
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (kept.answer) kept.answer(line);
        // A line nobody asked for: the protocol is out of step.
        else void this.kill(kept);
      }
    });
    hold(kept, false);
    this.current = kept;
    return kept;
  }

  /** Sends a request line; the answer line, or undefined when none came in time. */
  private ask(kept: Running, line: string): Promise<string | undefined> {
    if (!kept.running) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(undefined), this.options.timeoutMs);
      const answer = (answered: string | undefined) => {
        clearTimeout(timer);
        kept.answer = undefined;
        hold(kept, false);
        resolve(answered);
      };
      kept.answer = answer;
      hold(kept, true);
      kept.child.stdin.write(line);
    });
  }

  /** Ends a process at once. */
  private async kill(kept: Running): Promise<void> {
    if (this.current === kept) this.current = undefined;
    if (!kept.running) return;
    hold(kept, true);
    kept.child.kill('SIGKILL');
    await kept.ended;
  }

  /** Ends a process as it expects: its stdin closed, then killed after a grace period. */
  private async stop(kept: Running): Promise<void> {
    if (this.current === kept) this.current = undefined;
    if (!kept.running) return;
    hold(kept, true);
    kept.child.stdin.end();
    const timer = setTimeout(() => kept.child.kill('SIGKILL'), this.options.exitGraceMs);
    await kept.ended;
    clearTimeout(timer);
  }
}
