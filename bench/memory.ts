/** The peak memory of a process tree, sampled from /proc: for the benches that spawn Folio. */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The kernel's page size on the machines this runs on (statm counts pages). */
const pageSize = 4096;

/**
 * Memory of a process and all its descendants, in bytes, from /proc: resident memory summed
 * (pages shared between processes, such as Chromium's code, counted once per process) and the
 * proportional set size (a shared page split between the processes sharing it), which sums
 * to what the tree really takes.
 */
export function treeMemory(rootPid: number, withPss: boolean): { rss: number; pss: number } {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces: the fields after its closing parenthesis are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while being read.
    }
  }
  let rss = 0;
  let pss = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    try {
      rss += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageSize;
      if (withPss) pss += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // Gone already.
    }
    queue.push(...(children.get(pid) ?? []));
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

