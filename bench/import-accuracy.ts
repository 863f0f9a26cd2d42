/**
 * Import accuracy and calibration on generated issues: the bundled articles re-flowed into other
 * page geometries, folio sets, page-start marks, title and note styles (test/generator), each
 * imported with the page count given (as a publisher knows it) and without. The truth comes
 * from the generator. Prints a Markdown report (and writes it with `--write FILE`):
 *
 *   tsx bench/import-accuracy.ts [--seeds N] [--write bench/IMPORT-ACCURACY.md]
 *
 * "Right" means the page opens at the line the generator opened it at. Calibration: how many
 * pages in each confidence band are right; a wrong page above the warning threshold is the one
 * failure that must never happen (an import that stops, naming the stretch, is honest).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importIssue } from '../src/import/index.js';
import { formatMessage } from '../src/messages.js';
import { readArticles } from '../test/generator/content.js';
import { drawOptions, pickArticles } from '../test/generator/draw.js';
import { generateIssue, type IssueOptions } from '../test/generator/issue.js';
import { scoreImport, WARN_CONFIDENCE, type PageScore } from '../test/generator/score.js';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '40' }, write: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
/** With `--verbose`, each issue that stops, or returns a wrong count or a wrong page above the threshold, is named on stderr. */
const tell = (line: string): void => {
  if (values.verbose) process.stderr.write(`${line}\n`);
};
const seeds = Number(values.seeds);

interface Run {
  label: string;
  imports: number;
  stops: Map<string, number>;
  pages: PageScore[];
  issuesAllRight: number;
  chapters: number;
  chaptersRight: number;
  titles: number;
  titlesRight: number;
}

const bands = [
  { label: '≤ 0.5', lo: -Infinity, hi: 0.5 },
  { label: '0.5–0.6', lo: 0.5, hi: WARN_CONFIDENCE },
  { label: '0.6–0.9', lo: WARN_CONFIDENCE, hi: 0.9 },
  { label: '> 0.9', lo: 0.9, hi: Infinity },
];

const kinds: { label: string; overrides: Partial<IssueOptions>; pages: boolean }[] = [
  { label: 'drawn evidence, page count given', overrides: {}, pages: true },
  { label: 'drawn evidence, page count not given', overrides: {}, pages: false },
  { label: 'thin evidence (3 folios, 2/3 of page starts), count given', overrides: { folios: 3, marked: 0.67 }, pages: true },
  { label: 'thin evidence (3 folios, 2/3 of page starts), count not given', overrides: { folios: 3, marked: 0.67 }, pages: false },
];

const articles = await readArticles(path.join(root, 'manuscript'));
const dir = await mkdtemp(path.join(tmpdir(), 'folio-accuracy-'));
const runs: Run[] = [];
const started = performance.now();
try {
  for (const kind of kinds) {
    const run: Run = { label: kind.label, imports: 0, stops: new Map(), pages: [], issuesAllRight: 0, chapters: 0, chaptersRight: 0, titles: 0, titlesRight: 0 };
    for (let seed = 1; seed <= seeds; seed += 1) {
      const chosen = pickArticles(articles, seed);
      const issue = generateIssue(chosen, drawOptions(seed, chosen.length, kind.overrides));
      const source = path.join(dir, `issue-${seed}.txt`);
      await writeFile(source, issue.text);
      const result = await importIssue({ source, out: dir, ...(kind.pages ? { pages: issue.pages } : {}) });
      const stop = result.messages.find((m) => m.severity === 'error');
      if (!result.output || stop) {
        const rule = stop?.ruleId ?? 'unknown';
        tell(`seed ${seed}, ${kind.label}: ${stop ? formatMessage(stop) : 'no output'}`);
        run.stops.set(rule, (run.stops.get(rule) ?? 0) + 1);
      } else {
        const score = scoreImport(issue, result.output.report);
        run.imports += 1;
        const wrongHigh = score.pages.filter((p) => !p.right && p.confidence > WARN_CONFIDENCE);
        if (wrongHigh.length > 0) tell(`seed ${seed}, ${kind.label}: pages ${wrongHigh.map((p) => p.page).join(', ')} wrong above ${WARN_CONFIDENCE}`);
        if (score.pagesFound !== score.pagesExpected) {
          tell(`seed ${seed}, ${kind.label}: ${score.pagesFound} pages returned, ${score.pagesExpected} printed`);
          // A wrong count: every page past the first difference is scored as found.
          run.stops.set('wrong page count returned', (run.stops.get('wrong page count returned') ?? 0) + 1);
        }
        run.pages.push(...score.pages);
        run.chapters += score.chapters.length;
        run.chaptersRight += score.chapters.filter((c) => c.right).length;
        const printed = score.chapters.filter((c) => c.right && c.printedTitle);
        run.titles += printed.length;
        run.titlesRight += printed.filter((c) => c.titleRight).length;
        const misread = printed.filter((c) => !c.titleRight);
        if (misread.length > 0) tell(`seed ${seed}, ${kind.label}: titles misread: ${misread.map((c) => c.title.slice(0, 40)).join('; ')}`);
        const missed = score.chapters.filter((c) => !c.right);
        if (missed.length > 0) tell(`seed ${seed}, ${kind.label}: chapters not found with their pages: ${missed.map((c) => `${c.title.slice(0, 30)} (pp. ${c.firstPage}–${c.lastPage})`).join('; ')}`);
        if (score.pages.every((p) => p.right)) run.issuesAllRight += 1;
      }
    }
    runs.push(run);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const pct = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);
const out: string[] = [];
out.push('# Import accuracy and calibration on generated issues', '');
out.push(`Written by \`tsx bench/import-accuracy.ts --seeds ${seeds}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
out.push('Each seed draws an issue from the bundled articles (a selection in a new order, the news cut short, notes added) set into its own page geometry (26–40 Latin lines of 52–74 characters, 24–34 Chinese lines of 30–42 characters), with 3–16 surviving folios, a share of the page starts marked, some titles missing, note calls after words or after punctuation, and one issue in ten with titles set before the text. The truth is the generator\'s; the import sees only the text.', '');
out.push('| run | issues | imported | stopped (rule: count) | pages scored | pages right | issues with every page right | wrong above the warning threshold | chapters found with their pages | printed titles read exactly |');
out.push('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const run of runs) {
  const right = run.pages.filter((p) => p.right).length;
  const confidentlyWrong = run.pages.filter((p) => !p.right && p.confidence > WARN_CONFIDENCE).length;
  const stops = [...run.stops.entries()].map(([k, v]) => `${k}: ${v}`).join(', ') || '–';
  out.push(`| ${run.label} | ${seeds} | ${run.imports} | ${stops} | ${run.pages.length} | ${pct(right, run.pages.length)} | ${run.issuesAllRight} | **${confidentlyWrong}** | ${pct(run.chaptersRight, run.chapters)} of ${run.chapters} | ${pct(run.titlesRight, run.titles)} of ${run.titles} |`);
}
out.push('', '## Calibration: share of pages right by reported confidence', '');
out.push(`| run | ${bands.map((b) => b.label).join(' | ')} |`);
out.push(`| --- | ${bands.map(() => '---:').join(' | ')} |`);
for (const run of runs) {
  const cells = bands.map((b) => {
    const inBand = run.pages.filter((p) => p.confidence > b.lo && p.confidence <= b.hi);
    return inBand.length === 0 ? '–' : `${pct(inBand.filter((p) => p.right).length, inBand.length)} of ${inBand.length}`;
  });
  out.push(`| ${run.label} | ${cells.join(' | ')} |`);
}
out.push('', `Pages at or below ${WARN_CONFIDENCE} carry an import-008 warning (or, with no folio at all, the one import-009 warning) and are flagged in the proof.`);
const text = `${out.join('\n')}\n`;
process.stdout.write(text);
if (values.write) {
  // The reading of the figures is a person's: kept from the file the run replaces.
  const previous = await readFile(values.write, 'utf8').catch(() => '');
  const reading = previous.indexOf('\n## Reading it');
  await writeFile(values.write, reading >= 0 ? `${text}${previous.slice(reading)}` : text);
}
