/**
 * `npm run bench`: every stage on the bundled issue and on synthetic issues made of it repeated
 * 4 and 16 times, each stage in a process of its own with its wall time and peak memory (the
 * resident memory of its whole process tree, Chromium included, sampled from /proc); the
 * median of BENCH_RUNS runs (default 3; fewer for the big issues). In the same run, pagedjs-cli
 * and Chromium's plain --print-to-pdf render the same print HTML, for ratios; a full build and
 * a rebuild after an edit to one chapter are timed through the command line. Writes
 * bench/RESULTS.md and prints it. Asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadManuscript } from '../src/manuscript/index.js';
import { issueSlug } from '../src/pdf/index.js';
import { measureProcess, samplePeakMemory, type MeasuredProcess } from './memory.js';
import { repeatIssue } from './synthetic.js';

const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, 'build', 'bench');
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const sizes = (process.env.BENCH_SIZES ?? '1,4,16').split(',').map(Number);
/** The largest size for which EPUB, check and the other engines run too (they are slow on big issues). */
const fullUpTo = Number(process.env.BENCH_FULL_UP_TO ?? Infinity);

/** What one measured process did. */
type Run = MeasuredProcess;

/** A command measured as a whole process (`measureProcess`), in the project folder. */
function measure(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return measureProcess(command, args, { cwd: root, env, expected: [0, 1] });
}

/**
 * `folio build --watch --json`, running: one JSON line per build, each kept with the moment
 * it came; the tree's peak memory is sampled as in `measure` for as long as it runs.
 */
function startWatch(args: string[]) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const builds: Array<{ json: Record<string, unknown>; at: number }> = [];
  let watching = false;
  let wake: Array<() => void> = [];
  let buffer = '';
  let stderr = '';
  const memory = samplePeakMemory(child);
  const wakeAll = () => {
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) resolve();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      try {
        const json = JSON.parse(line) as Record<string, unknown>;
        if (json.event === 'build') builds.push({ json, at: performance.now() });
        else if (json.event === 'watching') watching = true;
      } catch {
        // not a build's line
      }
    }
    wakeAll();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let peaks = { peakMiB: 0, peakPssMiB: 0 };
  void closed.then(() => {
    peaks = memory.stop();
    wakeAll();
  });
  return {
    /** Once the watch says it is watching, its tools started. */
    async watching(): Promise<void> {
      while (!watching) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`folio build --watch ended early: ${stderr.slice(-1000)}`);
        await new Promise<void>((resolve) => wake.push(resolve));
      }
    },
    /** The `count`th build's line, once it has come. */
    async build(count: number): Promise<{ json: Record<string, unknown>; at: number }> {
      for (;;) {
        const found = builds[count - 1];
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`folio build --watch ended early: ${stderr.slice(-1000)}`);
        await new Promise<void>((resolve) => wake.push(resolve));
      }
    },
    async stop(): Promise<{ peakMiB: number; peakPssMiB: number }> {
      child.kill('SIGTERM');
      await closed;
      return peaks;
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A row of the table: median seconds and peak memory over the runs. */
interface Row {
  issue: string;
  pages: number;
  what: string;
  seconds: number;
  /** The stage's own time, measured inside its process (no Node start-up, no module loading). */
  stageSeconds?: number;
  peakMiB: number;
  peakPssMiB: number;
  runs: number;
  note: string;
}

const rows: Row[] = [];

async function repeat(issue: string, pages: number, what: string, n: number, once: () => Promise<Run>, note: (last: Run) => string = () => ''): Promise<Row> {
  const done: Run[] = [];
  for (let k = 0; k < n; k += 1) {
    process.stderr.write(`bench: ${issue} ${what} run ${k + 1}/${n} …\n`);
    done.push(await once());
  }
  const inside = done.map((r) => lastJson(r).seconds).filter((v): v is number => typeof v === 'number');
  const row: Row = { issue, pages, what, seconds: median(done.map((r) => r.seconds)), peakMiB: Math.max(...done.map((r) => r.peakMiB)), peakPssMiB: Math.max(...done.map((r) => r.peakPssMiB)), runs: n, note: note(done[done.length - 1] as Run) };
  if (inside.length === done.length) row.stageSeconds = median(inside);
  rows.push(row);
  return row;
}

const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const stage = (name: string, manuscript: string, out: string) => measure(process.execPath, [tsx, path.join(root, 'bench', 'stage.ts'), name, manuscript, out]);
const lastJson = (run: Run): Record<string, unknown> => {
  const line = run.stdout.trim().split('\n').at(-1) ?? '{}';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const ratios: string[] = [];
const base: Record<string, number> = {};
await mkdir(benchDir, { recursive: true });

for (const times of sizes) {
  // What is done so far is written after each size, so a long run leaves its figures.
  if (rows.length > 0) await writeResults(results());
  const name = `x${times}`;
  const manuscript = await repeatIssue(path.join(root, 'manuscript'), path.join(benchDir, name, 'manuscript'), times);
  const out = path.join(benchDir, name, 'out');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const loaded = await loadManuscript(manuscript);
  if (!loaded.manuscript) throw new Error(`Unexpected synthetic issue that does not load: ${manuscript}`);
  const pages = loaded.manuscript.issue.pages;
  const slug = issueSlug(loaded.manuscript);
  const n = times === 1 ? runs : times <= 4 ? Math.max(1, Math.ceil(runs / 2)) : 1;

  if (times === 1) {
    await repeat(name, pages, 'import', n, () => stage('import', path.join(root, 'manuscript'), out));
  }
  await repeat(name, pages, 'html', n, () => stage('html', manuscript, out));
  // A cold PDF stage: the chunk cache is emptied before every run.
  const pdf = await repeat(name, pages, 'pdf', n, async () => {
    await rm(path.join(out, 'cache'), { recursive: true, force: true });
    return stage('pdf', manuscript, out);
  }, (last) => {
    const facts = lastJson(last).facts as { pages?: number; passes?: number; chunks?: unknown[] } | undefined;
    return `${facts?.pages ?? '?'} pages, ${facts?.passes ?? '?'} passes${facts?.chunks ? `, ${facts.chunks.length} chunks` : ''}`;
  });
  base[`pdf${times}`] = pdf.stageSeconds ?? pdf.seconds;
  // Again with every chunk in the cache: what a rebuild with nothing changed costs.
  const warm = await repeat(name, pages, 'pdf, warm cache (nothing changed)', n, () => stage('pdf', manuscript, out), (last) => {
    const facts = lastJson(last).facts as { chunks?: Array<{ rendered: boolean }> } | undefined;
    return `${facts?.chunks?.filter((c) => c.rendered).length ?? '?'} of ${facts?.chunks?.length ?? '?'} chunks laid out`;
  });
  base[`pdfMem${times}`] = pdf.peakPssMiB;
  base[`pdfRss${times}`] = pdf.peakMiB;
  if (times <= fullUpTo) {
    // Cold as the PDF: nothing reused from an earlier run (validation, cover, proof images).
    await repeat(name, pages, 'epub', n, async () => {
      await rm(path.join(out, 'cache', 'epub'), { recursive: true, force: true });
      return stage('epub', manuscript, out);
    });
    await repeat(name, pages, 'check', n, async () => {
      await rm(path.join(out, 'cache', 'check'), { recursive: true, force: true });
      await rm(path.join(out, 'proof'), { recursive: true, force: true });
      return stage('check', manuscript, out);
    }, (last) => {
      const facts = lastJson(last).facts as { pagesChecked?: number; pagesFaithful?: number } | undefined;
      return `${facts?.pagesFaithful ?? '?'} of ${facts?.pagesChecked ?? '?'} pages faithful`;
    });

    // Other engines on the print HTML the PDF stage kept.
    const printHtml = path.join(out, `${slug}.print.html`);
    const pagedjs = await repeat(name, pages, 'pagedjs-cli (same HTML)', n, () =>
      measure(process.execPath, [path.join(root, 'node_modules', 'pagedjs-cli', 'src', 'cli.js'), printHtml, '-o', path.join(out, 'pagedjs-cli.pdf'), '--browserArgs', '--no-sandbox,--disable-gpu,--disable-background-networking'], { PUPPETEER_EXECUTABLE_PATH: chromium }),
    );
    const plain = await repeat(name, pages, 'chromium --print-to-pdf (no pagination)', n, () =>
      measure(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${path.join(os.tmpdir(), `folio-bench-${process.pid}`)}`, `--print-to-pdf=${path.join(out, 'chromium.pdf')}`, '--no-pdf-header-footer', pathToFileURL(printHtml).href]),
    );
    const inner = pdf.stageSeconds ?? pdf.seconds;
    ratios.push(
      `- ${name} (${pages} pages), cold cache: PDF stage / pagedjs-cli = **${(inner / pagedjs.seconds).toFixed(2)}×** (${(pdf.seconds / pagedjs.seconds).toFixed(2)}× with our process start-up); PDF stage / Chromium print-to-pdf = ${(inner / plain.seconds).toFixed(2)}×; warm cache / pagedjs-cli = ${((warm.stageSeconds ?? warm.seconds) / pagedjs.seconds).toFixed(2)}×`,
    );
  }

  if (times === 1) {
    // The whole build as a person runs it, cold, then again after an edit to one chapter.
    const cli = path.join(root, 'bin', 'folio.js');
    const buildArgs = [cli, 'build', '--manuscript', manuscript, '--out-dir', out, '--json'];
    const full = await repeat(name, pages, 'full build (pdf, epub, check), cold', n, async () => {
      // Nothing kept from an earlier build: no cache, no proof images.
      await rm(path.join(out, 'cache'), { recursive: true, force: true });
      await rm(path.join(out, 'proof'), { recursive: true, force: true });
      return measure(process.execPath, buildArgs);
    });
    const unchanged = await repeat(name, pages, 'build again, nothing changed', n, () => measure(process.execPath, buildArgs));
    const chapters = loaded.manuscript.chapters;
    // The chapter nearest the middle of the issue with an English word to change.
    const middle = Math.floor(chapters.length / 2);
    // A word of the text, not of the front matter (its slug or title would rename files and ids).
    const bodyStart = (markdown: string) => (markdown.startsWith('---\n') ? markdown.indexOf('\n---\n', 4) + 5 : 0);
    const editBody = (markdown: string, word: string) => markdown.slice(0, bodyStart(markdown)) + markdown.slice(bodyStart(markdown)).replace(/\bthe\b/, word);
    // A word never used before in this run for each edit: a word seen before would find its
    // chapter's pages, axe results and proof images in the cache.
    let edits = 0;
    const newWord = () => `th${'e'.repeat((edits += 1) + 1)}`;
    const edited = chapters
      .map((c, index) => ({ c, distance: Math.abs(index - middle) }))
      .filter(({ c }) => /\bthe\b/.test(c.markdown.slice(bodyStart(c.markdown))))
      .sort((a, b) => a.distance - b.distance)[0]?.c;
    if (edited) {
      const original = await readFile(edited.path, 'utf8');
      const rebuild = await repeat(name, pages, `rebuild after an edit to ${path.basename(edited.path)}`, n, async () => {
        // A full build first, so the cache holds the issue as it was; then one word changes.
        await writeFile(edited.path, original);
        await measure(process.execPath, buildArgs);
        await writeFile(edited.path, editBody(original, newWord()));
        return measure(process.execPath, buildArgs);
      });
      await writeFile(edited.path, original);

      // The same edits in `folio build --watch`, which keeps Chromium and EPUBCheck running:
      // from the moment the file is saved to the build's line (the watch's quiet spell of
      // 150 ms included).
      process.stderr.write(`bench: ${name} rebuild after an edit, --watch …\n`);
      const session = startWatch([...buildArgs.slice(0, 2), '--watch', ...buildArgs.slice(2)]);
      const watched: number[] = [];
      let memory = { peakMiB: 0, peakPssMiB: 0 };
      try {
        await session.build(1);
        await session.watching();
        for (let k = 0; k < n; k += 1) {
          process.stderr.write(`bench: ${name} rebuild after an edit, --watch, run ${k + 1}/${n} …\n`);
          const saved = performance.now();
          await writeFile(edited.path, editBody(original, newWord()));
          watched.push(((await session.build(k + 2)).at - saved) / 1000);
        }
      } finally {
        await writeFile(edited.path, original);
        memory = await session.stop();
      }
      const live: Row = { issue: name, pages, what: `rebuild after an edit to ${path.basename(edited.path)}, \`--watch\``, seconds: median(watched), peakMiB: memory.peakMiB, peakPssMiB: memory.peakPssMiB, runs: n, note: 'tools kept running; peak memory of the whole session' };
      rows.push(live);
      ratios.push(
        `- full build of ${name}: ${full.seconds.toFixed(1)} s; rebuild after a one-chapter edit / full build = **${(rebuild.seconds / full.seconds).toFixed(2)}×** one-off, **${(live.seconds / full.seconds).toFixed(2)}×** with \`folio build --watch\`; build again with nothing changed / full build = ${(unchanged.seconds / full.seconds).toFixed(2)}×`,
      );
    }
  }
}

/**
 * Writes this bench's part of bench/RESULTS.md: the sections other benches write (the
 * catalogue's, issue 17's speed figures) are kept after it.
 */
async function writeResults(table: string): Promise<void> {
  const file = path.join(root, 'bench', 'RESULTS.md');
  const old = await readFile(file, 'utf8').catch(() => '');
  const others = [...old.matchAll(/^## (?!Ratios$).*$/gmu)][0]?.index;
  await writeFile(file, others === undefined ? table : `${table.trimEnd()}\n\n${old.slice(others)}`);
}

function results(): string {
  const growth: string[] = [];
  for (const times of sizes.filter((t) => t !== 1)) {
    const big = base[`pdf${times}`];
    const one = base.pdf1;
    if (big !== undefined && one !== undefined) growth.push(`- PDF stage x${times} / x1 = **${(big / one).toFixed(2)}×** (linear would be ${times}×); peak memory ${(base[`pdfMem${times}`] ?? 0).toFixed(0)} MiB (PSS; resident memory summed over the processes: ${(base[`pdfRss${times}`] ?? 0).toFixed(0)} MiB)`);
  }

  const cpus = os.cpus();
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]?.toFixed(1)} at the end.`,
    `Median of the runs shown. "process s" is the wall time of the process from spawn to exit; "stage s" the stage's own time inside it (without Node's start-up and module loading). Peak memory is the most memory of the process tree (Chromium included) seen in any run (resident memory sampled every 50 ms, PSS every 250 ms): "PSS" is its proportional set size, what the tree really takes (a page shared by several processes, such as Chromium's code, is split between them); "RSS sum" adds up each process's resident memory, counting shared pages once per process.`,
    'The machine is shared: compare ratios within one run, not seconds across runs.',
    '',
    '| issue | pages | what | process s | stage s | peak MiB (PSS) | peak MiB (RSS sum) | runs | notes |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.issue} | ${r.pages} | ${r.what} | ${r.seconds.toFixed(2)} | ${r.stageSeconds?.toFixed(2) ?? ''} | ${r.peakPssMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} | ${r.runs} | ${r.note} |`),
    '',
    '## Ratios',
    '',
    ...ratios,
    ...growth,
    '',
  ];
  return lines.join('\n');
}

const table = results();
await writeResults(table);
process.stdout.write(table);
