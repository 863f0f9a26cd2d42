/**
 * Import benchmark: the bundled issue imported several times in this process, median wall
 * time and heap growth, beside the time of merely reading and splitting the file (the floor).
 * Prints figures; asserts nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { importIssue } from '../src/import/index.js';
import { readSource } from '../src/import/source.js';

const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'manuscript/source/foreign-affairs-journal-winter-2021.txt');
const editorial = path.join(root, 'manuscript/editorial.yaml');
const runs = Number(process.env.BENCH_RUNS ?? 9);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function time(work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < runs; k += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times;
}

await importIssue({ source, out: path.join(root, 'manuscript'), editorial }); // warm-up
const heapBefore = process.memoryUsage().heapUsed;
const full = await time(() => importIssue({ source, out: path.join(root, 'manuscript'), editorial }));
const heapAfter = process.memoryUsage().heapUsed;
const floor = await time(async () => readSource(await readFile(source), source));
const full1 = median(full);
const floor1 = median(floor);
console.log(`import of the bundled issue (${runs} runs, median)`);
console.log(`  full import        ${full1.toFixed(1).padStart(8)} ms`);
console.log(`  read + split only  ${floor1.toFixed(1).padStart(8)} ms   (ratio ${(full1 / floor1).toFixed(1)}x)`);
console.log(`  heap growth        ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1).padStart(8)} MiB over ${runs} runs`);
console.log(`  rss                ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0).padStart(8)} MiB`);
