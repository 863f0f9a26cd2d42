/**
 * The local catalogue pool against a loop of one-off builds, on 8 small generated issues
 * (test/catalogue-issues.ts, 3 to 5 pages each): `folio catalogue build --workers N` once,
 * against `folio import` + `folio build` per issue, one after the other, each starting its
 * own Chromiums, JVM and Ace. Throughput in issues a minute; peak memory of the whole process
 * tree (PSS, and resident memory summed), sampled from /proc. With `--write`, its section of
 * bench/RESULTS.md is replaced:
 *
 *   tsx bench/catalogue.ts [--issues 8] [--workers 2] [--write]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeCatalogue } from '../test/catalogue-issues.js';
import { samplePeakMemory } from './memory.js';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { issues: { type: 'string', default: '8' }, workers: { type: 'string', default: String(os.availableParallelism()) }, write: { type: 'boolean', default: false } } });
const count = Number(values.issues);
const workers = Number(values.workers);

interface Measured {
  seconds: number;
  peakMiB: number;
  peakPssMiB: number;
  failures: number;
}

/** Runs `node bin/folio.js ARGS` in `cwd`, its tree's memory sampled while it runs. */
function folio(args: string[], cwd: string): Promise<{ seconds: number; peakMiB: number; peakPssMiB: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin', 'folio.js'), ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const memory = samplePeakMemory(child);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) process.stderr.write(`bench: folio ${args.join(' ')} exited ${code}\n${stderr}\n`);
      resolve({ seconds: (performance.now() - started) / 1000, ...memory.stop(), code });
    });
  });
}

const dir = await mkdtemp(path.join(tmpdir(), 'folio-bench-catalogue-'));
try {
  const seeds = Array.from({ length: count }, (_, k) => k + 1);
  const { file } = await writeCatalogue(dir, seeds, { name: 'bench' });
  const catalogue = (await readFile(file, 'utf8')).split('\n');
  const pages = catalogue.filter((l) => l.trim().startsWith('pages:')).reduce((sum, l) => sum + Number(l.split(':')[1]), 0);

  // A sequential loop: what a script around `folio build` does today.
  const loop: Measured = { seconds: 0, peakMiB: 0, peakPssMiB: 0, failures: 0 };
  for (const seed of seeds) {
    const name = `issue-${seed}`;
    const issuePages = catalogue[catalogue.findIndex((l) => l.includes(`name: ${name}`)) + 2]?.split(':')[1]?.trim() ?? '';
    const steps = [
      ['import', `sources/${name}.txt`, '--out', `loop/${name}/manuscript`, '--pages', issuePages, '--quiet'],
      ['build', '--manuscript', `loop/${name}/manuscript`, '--out-dir', `loop/${name}`, '--quiet'],
    ];
    for (const step of steps) {
      const run = await folio(step, dir);
      loop.seconds += run.seconds;
      loop.peakMiB = Math.max(loop.peakMiB, run.peakMiB);
      loop.peakPssMiB = Math.max(loop.peakPssMiB, run.peakPssMiB);
      if (run.code !== 0) loop.failures += 1;
    }
  }
  const poolRun = await folio(['catalogue', 'build', 'catalogue.yaml', '--workers', String(workers), '--quiet'], dir);
  const pool: Measured = { ...poolRun, failures: poolRun.code === 0 ? 0 : 1 };

  const perMinute = (m: Measured): string => ((count / m.seconds) * 60).toFixed(1);
  const load = os.loadavg()[0]?.toFixed(1) ?? '?';
  const lines = [
    '## Catalogue: local pool against a loop of `folio build`',
    '',
    `Written by \`tsx bench/catalogue.ts\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'}, load average ${load} at the end.`,
    `${count} small generated issues (test/catalogue-issues.ts), ${pages} pages in all, each imported from its source and built (PDF, EPUB, articles, check). One run each; the machine is shared.`,
    '',
    '| how | wall s | issues a minute | peak MiB (PSS) | peak MiB (RSS sum) | failures |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| loop: \`folio import\` + \`folio build\` per issue, one after the other | ${loop.seconds.toFixed(1)} | ${perMinute(loop)} | ${loop.peakPssMiB.toFixed(0)} | ${loop.peakMiB.toFixed(0)} | ${loop.failures} |`,
    `| \`folio catalogue build --workers ${workers}\` | ${pool.seconds.toFixed(1)} | ${perMinute(pool)} | ${pool.peakPssMiB.toFixed(0)} | ${pool.peakMiB.toFixed(0)} | ${pool.failures} |`,
    '',
    `Pool / loop: **${(loop.seconds / pool.seconds).toFixed(2)}×** the throughput, ${(pool.peakPssMiB / Math.max(1, loop.peakPssMiB)).toFixed(2)}× the peak memory (PSS).`,
    'More than the worker count: on small issues most of a one-off build is starting two Chromiums, a JVM and Ace, which a pool worker does once; the memory is one set of tools per worker, kept.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.write) {
    const results = path.join(root, 'bench', 'RESULTS.md');
    const old = await readFile(results, 'utf8');
    const start = old.indexOf('## Catalogue: local pool');
    const kept = start === -1 ? old : old.slice(0, start);
    await writeFile(results, `${kept.trimEnd()}\n\n${lines.join('\n')}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
