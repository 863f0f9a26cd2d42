/**
 * `npm run bench:speed`: the figures of issue 17 side by side in one run, whole process against
 * whole process, alternating within each round so that the load of a shared machine falls on
 * every contender alike:
 *
 * - start-up: `folio --help`;
 * - a cold `folio pdf` (a fresh output folder each run, so no cached chunk helps) against
 *   pagedjs-cli on the print HTML Folio wrote, and against Chromium's own `--print-to-pdf` of
 *   the same HTML (no pagination: the floor);
 * - a cold `folio build` (PDF, EPUB and editions, articles, check and validation) with the peak
 *   memory of its process tree (PSS);
 * - the cost per page of a cold `folio pdf` on the bundled issue, on the same text in another
 *   geometry (derived from a denser measurement), on a geometry where a third of the pages need
 *   copyfitting, and on the issue repeated 16 times (linear growth).
 *
 * With `--before FILE` (a bundle of an earlier Folio: the `cli.mjs` bin/folio.js makes), every
 * Folio figure is measured for it too, in the same rounds: what each figure replaced.
 * `--runs N` rounds (default 3), `--x16` adds the x16 issue (one run, long), `--write` replaces
 * this section of bench/RESULTS.md. Asserts nothing.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { derivePrintGeometry, houseGeometry, loadManuscript } from '../src/manuscript/index.js';
import type { PrintGeometry } from '../src/manuscript/schema.js';
import { issueSlug } from '../src/pdf/index.js';
import { measureProcess, type MeasuredProcess } from './memory.js';
import { repeatIssue } from './synthetic.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, before: { type: 'string' }, x16: { type: 'boolean' }, write: { type: 'boolean' } } });
const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'build', 'bench-speed');
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const runs = Math.max(1, Number(values.runs));
const before = values.before ? path.resolve(values.before) : undefined;

/** What one measured process did. */
type Measured = MeasuredProcess;

/** A command measured as a whole process (`measureProcess`), in the project folder. */
function measure(command: string, args: string[], env: Record<string, string> = {}): Promise<Measured> {
  return measureProcess(command, args, { cwd: root, env, expected: [0] });
}

/** The Folio under test and, with --before, the earlier one: each a way to run `folio ARGS`. */
const folios: Array<{ name: string; run: (args: string[]) => Promise<Measured> }> = [
  { name: 'now', run: (args) => measure(process.execPath, [path.join(root, 'bin', 'folio.js'), ...args]) },
];
if (before) {
  // The earlier bundle's `main`, run as bin/folio.js runs it.
  const runner = 'const { main } = await import(process.argv[1]); process.exitCode = await main(process.argv.slice(2)); setTimeout(() => process.exit(), 5000).unref();';
  folios.push({ name: 'before', run: (args) => measure(process.execPath, ['--input-type=module', '-e', runner, '--', pathToFileURL(before).href, ...args]) });
}

/** Every run of every figure, by figure and contender. */
const seen = new Map<string, Measured[]>();
const record = (figure: string, who: string, m: Measured) => {
  const key = `${figure}\0${who}`;
  seen.set(key, [...(seen.get(key) ?? []), m]);
  process.stderr.write(`bench: ${figure} (${who}) ${m.seconds.toFixed(2)} s, ${m.peakPssMiB.toFixed(0)} MiB PSS\n`);
};
const runsOf = (figure: string, who: string) => seen.get(`${figure}\0${who}`) ?? [];
const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const seconds = (figure: string, who: string) => median(runsOf(figure, who).map((m) => m.seconds));
const pss = (figure: string, who: string) => Math.max(...runsOf(figure, who).map((m) => m.peakPssMiB));
const listed = (figure: string, who: string) => runsOf(figure, who).map((m) => m.seconds.toFixed(2)).join(', ');

/** The issues: the bundled one, the same text in two other geometries, and (with --x16) repeated. */
const house = structuredClone(houseGeometry) as PrintGeometry;
const geometries: Array<{ name: string; what: string; print?: PrintGeometry }> = [
  { name: 'bundled', what: 'the bundled issue, its own geometry' },
  {
    name: 'other-geometry',
    what: 'the same text in the geometry derived from a denser original (70 Latin and 40 Chinese characters a line)',
    print: derivePrintGeometry({ latin: { linesPerPage: 31, charsPerLine: 70 }, cjk: { linesPerPage: 31, charsPerLine: 40 } }),
  },
  {
    name: 'copyfit-heavy',
    what: 'the same text in larger type on a looser grid (Latin 12/20 pt, Chinese 11/19 pt), a third of its pages over',
    print: { ...house, latin: { size: 12, leading: 20, noteSize: 9, noteLeading: 13 }, cjk: { size: 11, leading: 19, noteSize: 8.5, noteLeading: 13.5 } },
  },
];

await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const issues: Array<{ name: string; what: string; manuscript: string; pages: number; slug: string }> = [];
for (const g of geometries) {
  const manuscript = await repeatIssue(path.join(root, 'manuscript'), path.join(dir, g.name, 'manuscript'), 1, g.print);
  const loaded = await loadManuscript(manuscript);
  if (!loaded.manuscript) throw new Error(`Unexpected synthetic issue that does not load: ${manuscript}`);
  issues.push({ name: g.name, what: g.what, manuscript, pages: loaded.manuscript.issue.pages, slug: issueSlug(loaded.manuscript) });
}
const bundled = issues[0] as (typeof issues)[number];
if (values.x16) {
  const manuscript = await repeatIssue(path.join(root, 'manuscript'), path.join(dir, 'x16', 'manuscript'), 16);
  const loaded = await loadManuscript(manuscript);
  if (!loaded.manuscript) throw new Error(`Unexpected synthetic issue that does not load: ${manuscript}`);
  issues.push({ name: 'x16', what: 'the bundled issue repeated 16 times', manuscript, pages: loaded.manuscript.issue.pages, slug: issueSlug(loaded.manuscript) });
}

/** A cold `folio pdf` into a folder emptied first; resolves to the run and the copyfit it reported. */
async function coldPdf(who: (typeof folios)[number], issue: (typeof issues)[number]): Promise<Measured & { copyfitted: number }> {
  const out = path.join(dir, issue.name, `out-${who.name}`);
  await rm(out, { recursive: true, force: true });
  const m = await who.run(['pdf', '--manuscript', issue.manuscript, '--out', path.join(out, `${issue.slug}.pdf`), '--json']);
  let copyfitted = 0;
  try {
    copyfitted = Object.keys((JSON.parse(m.stdout) as { copyfit?: Record<string, number> }).copyfit ?? {}).length;
  } catch {
    // Not a JSON document: the run failed, and said so.
  }
  return { ...m, copyfitted };
}

// The print HTML the other engines set: the one Folio wrote for the bundled issue.
const warm = await coldPdf(folios[0] as (typeof folios)[number], bundled);
if (warm.code !== 0) throw new Error('Unexpected failure of the first `folio pdf`');
// Copied beside its fonts and stylesheet: the cold runs empty the folder Folio wrote it to.
const engineDir = path.join(dir, 'engines');
await cp(path.join(dir, bundled.name, 'out-now'), engineDir, { recursive: true, filter: (file) => !file.includes(`${path.sep}cache`) });
const engineHtml = path.join(engineDir, `${bundled.slug}.print.html`);
const copyfitted = new Map<string, number>();

for (let round = 1; round <= runs; round += 1) {
  process.stderr.write(`bench: round ${round}/${runs} (load average ${os.loadavg()[0]?.toFixed(1)})\n`);
  for (const who of folios) record('help', who.name, await who.run(['--help']));
  for (const who of folios) {
    const m = await coldPdf(who, bundled);
    record(`pdf ${bundled.name}`, who.name, m);
    copyfitted.set(`${bundled.name}\0${who.name}`, m.copyfitted);
    // The other engines on the same HTML, right after, each in its own process.
    if (who === folios[0]) {
      record('pagedjs-cli', 'engine', await measure(process.execPath, [path.join(root, 'node_modules', 'pagedjs-cli', 'src', 'cli.js'), engineHtml, '-o', path.join(dir, 'pagedjs-cli.pdf'), '--browserArgs', '--no-sandbox,--disable-gpu,--disable-background-networking'], { PUPPETEER_EXECUTABLE_PATH: chromium }));
      const profile = path.join(os.tmpdir(), `folio-bench-speed-${process.pid}`);
      record('chromium --print-to-pdf', 'engine', await measure(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${profile}`, `--print-to-pdf=${path.join(dir, 'chromium.pdf')}`, '--no-pdf-header-footer', pathToFileURL(engineHtml).href]));
      await rm(profile, { recursive: true, force: true });
    }
  }
  for (const issue of issues.slice(1)) {
    if (issue.name === 'x16' && round > 1) continue;
    for (const who of folios) {
      const m = await coldPdf(who, issue);
      record(`pdf ${issue.name}`, who.name, m);
      copyfitted.set(`${issue.name}\0${who.name}`, m.copyfitted);
    }
  }
  for (const who of folios) {
    const out = path.join(dir, 'build', who.name);
    await rm(out, { recursive: true, force: true });
    record('build', who.name, await who.run(['build', '--manuscript', bundled.manuscript, '--out-dir', out, '--quiet']));
  }
  // What is measured so far is written after each round, so a long run leaves its figures.
  if (round < runs) await writeSection(section(round));
}

const lines = section(runs);
process.stdout.write(`${lines.join('\n')}\n`);
await writeSection(lines);

/** This section of bench/RESULTS.md, from the runs so far. */
function section(rounds: number): string[] {
  const names = folios.map((f) => f.name);
  const cell = (figure: string, who: string) => (runsOf(figure, who).length > 0 ? `${seconds(figure, who).toFixed(2)} (${listed(figure, who)})` : '');
  const pdfNow = seconds(`pdf ${bundled.name}`, 'now');
  const pagedjs = seconds('pagedjs-cli', 'engine');
  const floor = seconds('chromium --print-to-pdf', 'engine');
  const perPage = (issue: (typeof issues)[number], who: string) => seconds(`pdf ${issue.name}`, who) / issue.pages;
  return [
    '## Speed (issue 17): whole process against whole process',
    '',
    `Written by \`npm run bench:speed\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (1 / 5 / 15 min).`,
    `${rounds} rounds; in each, every contender runs once, one after the other, so a change of load falls on all of them. Seconds are wall time from spawn to exit (Node's start-up and module loading included), the median with every run in brackets; memory is the peak PSS of the process tree (Chromium, the JVM and Ace included), sampled every 250 ms. "before" is ${before ? `\`${path.relative(root, before)}\`, a bundle of the Folio these changes started from` : 'not measured (no --before)'}.`,
    '',
    `| figure | ${names.join(' s | ')} s | peak MiB (PSS) ${names.join(' / ')} |`,
    `| --- | ${names.map(() => '---:').join(' | ')} | ---: |`,
    `| \`folio --help\` (start-up) | ${names.map((n) => cell('help', n)).join(' | ')} | ${names.map((n) => pss('help', n).toFixed(0)).join(' / ')} |`,
    ...issues.map((issue) => `| cold \`folio pdf\`, ${issue.what} (${issue.pages} pages; ${names.map((n) => `${copyfitted.get(`${issue.name}\0${n}`) ?? '?'}`).join(' / ')} pages copyfitted) | ${names.map((n) => cell(`pdf ${issue.name}`, n)).join(' | ')} | ${names.map((n) => pss(`pdf ${issue.name}`, n).toFixed(0)).join(' / ')} |`),
    `| cold \`folio build\` of the bundled issue (PDF, EPUB and editions, articles, check, validation) | ${names.map((n) => cell('build', n)).join(' | ')} | ${names.map((n) => pss('build', n).toFixed(0)).join(' / ')} |`,
    `| pagedjs-cli 0.4.3, the same print HTML | ${cell('pagedjs-cli', 'engine')} |${names.length > 1 ? ' |' : ''} ${pss('pagedjs-cli', 'engine').toFixed(0)} |`,
    `| Chromium \`--print-to-pdf\`, the same print HTML (no pagination) | ${cell('chromium --print-to-pdf', 'engine')} |${names.length > 1 ? ' |' : ''} ${pss('chromium --print-to-pdf', 'engine').toFixed(0)} |`,
    '',
    ...names.flatMap((n) => [
      `- ${n}: cold \`folio pdf\` / cold pagedjs-cli = **${(seconds(`pdf ${bundled.name}`, n) / pagedjs).toFixed(2)}×**; / Chromium's print-to-pdf = ${(seconds(`pdf ${bundled.name}`, n) / floor).toFixed(2)}× (pagedjs-cli / print-to-pdf = ${(pagedjs / floor).toFixed(2)}×, the floor at ${(floor / pagedjs).toFixed(2)}× pagedjs-cli)`,
      `- ${n}: cold \`folio build\` ${seconds('build', n).toFixed(1)} s, peak ${pss('build', n).toFixed(0)} MiB PSS`,
      `- ${n}: cost per page of a cold \`folio pdf\`: ${issues.map((issue) => `${issue.name} ${(perPage(issue, n) * 1000).toFixed(0)} ms`).join(', ')}; against the bundled issue: ${issues
        .slice(1)
        .map((issue) => `${issue.name} **${(perPage(issue, n) / perPage(bundled, n)).toFixed(2)}×**`)
        .join(', ')}`,
    ]),
    ...issues
      .filter((issue) => issue.name === 'x16')
      .flatMap((issue) => names.map((n) => `- ${n}: cold \`folio pdf\` x16 / x1 = **${(seconds(`pdf ${issue.name}`, n) / seconds(`pdf ${bundled.name}`, n)).toFixed(2)}×** for ${(issue.pages / bundled.pages).toFixed(0)}× the pages`)),
    ...(before ? [`- now / before: cold \`folio pdf\` ${(pdfNow / seconds(`pdf ${bundled.name}`, 'before')).toFixed(2)}×, start-up ${(seconds('help', 'now') / seconds('help', 'before')).toFixed(2)}×, cold \`folio build\` ${(seconds('build', 'now') / seconds('build', 'before')).toFixed(2)}×`] : []),
    '',
  ];
}

/** Replaces this section of bench/RESULTS.md (with --write). */
async function writeSection(lines: string[]): Promise<void> {
  if (!values.write) return;
  const results = path.join(root, 'bench', 'RESULTS.md');
  const old = await readFile(results, 'utf8');
  // In place, by its own heading: the sections written by hand after it stay where they are.
  const start = old.indexOf(`${lines[0]}\n`);
  if (start === -1) {
    await writeFile(results, `${old.trimEnd()}\n\n${lines.join('\n').trimEnd()}\n`);
    return;
  }
  const end = old.indexOf('\n## ', start + 1);
  await writeFile(results, `${old.slice(0, start)}${lines.join('\n').trimEnd()}\n${end === -1 ? '' : old.slice(end)}`);
}
