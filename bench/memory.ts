/** The peak memory of a process tree, sampled from /proc: for the benches that spawn Folio. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendantPids } from '../test/processes.js';

/** The kernel's page size on the machines this runs on (statm counts pages). */
const pageSize = 4096;

/**
 * Memory of a process and all its descendants, in bytes, from /proc: resident memory summed
 * (pages shared between processes, such as Chromium's code, counted once per process) and the
 * proportional set size (a shared page split between the processes sharing it), which sums
 * to what the tree really takes.
 */
export function treeMemory(rootPid: number, withPss: boolean): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of [rootPid, ...descendantPids(rootPid)]) {
    try {
      rss += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageSize;
      if (withPss) pss += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // Gone already.
    }
  }
  return { rss, pss };
}

/**
 * Samples the peak memory of a child's tree until `stop`: resident memory every 50 ms, PSS
 * every 250 ms (reading smaps_rollup walks the page tables: sampled often, it slows what it
 * measures).
 */
export function samplePeakMemory(child: ChildProcess): { stop(): { peakMiB: number; peakPssMiB: number } } {
  let peak = 0;
  let peakPss = 0;
  let samples = 0;
  const sampler = setInterval(() => {
    if (child.pid === undefined) return;
    samples += 1;
    const memory = treeMemory(child.pid, samples % 5 === 0);
    peak = Math.max(peak, memory.rss);
    peakPss = Math.max(peakPss, memory.pss);
  }, 50);
  return {
    stop() {
      clearInterval(sampler);
      return { peakMiB: peak / 1024 / 1024, peakPssMiB: peakPss / 1024 / 1024 };
    },
  };
}


/** One measured process: wall time from spawn to exit, peak memory of its tree, its stdout and exit code. */
export interface MeasuredProcess {
  seconds: number;
  /** Resident memory of the tree, summed over its processes. */
  peakMiB: number;
  /** Proportional set size of the tree: what it really takes. */
  peakPssMiB: number;
  stdout: string;
  code: number | null;
}

/**
 * Runs a command in `cwd`, sampling its tree's memory (`samplePeakMemory`) for as long as it
 * runs; wall time from spawn to exit. An exit code not in `expected` is told on stderr with the
 * end of the command's own stderr; the run is measured all the same.
 */
export function measureProcess(command: string, args: string[], options: { cwd: string; env?: Record<string, string>; expected?: readonly number[] }): Promise<MeasuredProcess> {
  const expected = options.expected ?? [0];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const memory = samplePeakMemory(child);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === null || !expected.includes(code)) process.stderr.write(`bench: ${command} ${args.join(' ')} exited ${code}\n${stderr.slice(-2000)}\n`);
      resolve({ seconds, ...memory.stop(), stdout, code });
    });
  });
}
