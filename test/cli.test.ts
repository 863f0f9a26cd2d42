/**
 * The `folio` command as a person or a script meets it: `node bin/folio.js …` spawned for real.
 * Exit codes (0 clean, 1 problems, 2 the tool failed), the whole list of messages in the
 * `file:line:column: severity: reason [rule-id]` form, `--json` as the one document on stdout,
 * `--help` for every command, configuration errors at the file and line of the bad value, and
 * the page bar of `folio build` on a terminal.
 */
import assert from 'node:assert/strict';
import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commands } from '../src/cli/commands/index.js';
import { main } from '../src/cli/index.js';
import { loadManuscript, type Manuscript } from '../src/manuscript/index.js';
import { formatMessage, rules, type Message } from '../src/messages.js';
import { runFolio as folio, type FolioRun as Run } from './folio-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const small = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');
const importFixture = path.join(repo, 'test', 'fixtures', 'import', 'english-article', 'input.txt');

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** The one JSON document a `--json` run prints: stdout must parse whole, with the common keys. */
function json(run: Run): { exitCode: number; messages: Message[] } & Record<string, unknown> {
  const parsed = JSON.parse(run.stdout) as { exitCode: number; messages: Message[] } & Record<string, unknown>;
  assert.equal(parsed.exitCode, run.code, 'the JSON exit code is the process exit code');
  assert.ok(Array.isArray(parsed.messages));
  for (const m of parsed.messages) {
    assert.ok(m.ruleId in rules, `unknown rule id ${m.ruleId}`);
    assert.equal(m.severity, rules[m.ruleId].severity);
    assert.equal(typeof m.reason, 'string');
  }
  return parsed;
}

async function scratch(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `folio-cli-${name}-`));
}

/** A copy of the small fixture manuscript to break. */
async function copyOfSmall(): Promise<string> {
  const dir = path.join(await scratch('manuscript'), 'manuscript');
  await cp(small, dir, { recursive: true });
  return dir;
}

async function load(dir: string): Promise<Manuscript> {
  const { manuscript, messages } = await loadManuscript(dir);
  assert.ok(manuscript, messages.map(formatMessage).join('\n'));
  return manuscript;
}

/** Replaces one line of a file (found by its start) and returns the 1-based line number. */
async function editLine(file: string, startsWith: string, replacement: (line: string) => string): Promise<number> {
  const text = await readFile(file, 'utf8');
  const all = text.split('\n');
  const index = all.findIndex((line) => line.startsWith(startsWith));
  assert.ok(index >= 0, `no line starting ${startsWith} in ${file}`);
  all[index] = replacement(all[index] ?? '');
  await writeFile(file, all.join('\n'));
  return index + 1;
}

test('--help of folio and of every command: usage on stdout, exit 0; no command is exit 2', async () => {
  const top = await folio(['--help']);
  assert.equal(top.code, 0);
  assert.equal(top.stderr, '');
  for (const command of commands) assert.match(top.stdout, new RegExp(`^  ${command.name} `, 'm'));
  assert.ok(commands.some((c) => c.name === 'preview') && commands.some((c) => c.name === 'pdf'));

  const bare = await folio([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^Usage: folio <command>/);

  const runs = await Promise.all(commands.map(async (entry) => ({ entry, command: await entry.load(), help: await folio([entry.name, '--help']) })));
  for (const { entry, command, help } of runs) {
    // The registry lists each command as the command describes itself, and loads that command.
    assert.deepEqual([entry.name, entry.summary], [command.name, command.summary]);
    assert.equal(help.code, 0, command.name);
    assert.equal(help.stderr, '', command.name);
    assert.equal(help.stdout, `${command.usage}\n`);
    assert.match(help.stdout, new RegExp(`^Usage: folio ${command.name}\\b`));
    assert.match(help.stdout, /--json/, `${command.name} --help documents --json`);
    assert.match(help.stdout, /Exit codes: 0 /, `${command.name} --help documents its exit codes`);
    // -h is the same, and wins over every other option (in-process: the same main()).
    const out: string[] = [];
    const err: string[] = [];
    assert.equal(await main([command.name, '--json', '-h'], { out: (line) => out.push(line), err: (line) => err.push(line) }), 0);
    assert.deepEqual([out, err], [[command.usage], []]);
  }
});

test('an unknown command or option is exit 2 with a cli-001 message, and one JSON document under --json', async () => {
  const [unknown, unknownJson, badOption, badOptionJson, noSource] = await Promise.all([
    folio(['typeset']),
    folio(['typeset', '--json']),
    folio(['pdf', '--colour', 'red']),
    folio(['pdf', '--colour', 'red', '--json']),
    folio(['import', '--out', os.tmpdir()]),
  ]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.equal(lines(unknown.stderr)[0], `error: Unexpected command \`typeset\`, expected one of ${commands.map((c) => c.name).join(', ')} [cli-001]`);
  assert.deepEqual(json(unknownJson).messages.map((m) => m.ruleId), ['cli-001']);

  assert.equal(badOption.code, 2);
  assert.equal(badOption.stdout, '');
  assert.match(lines(badOption.stderr)[0] ?? '', /^error: Unexpected arguments to `folio pdf`: Unknown option '--colour'.* \[cli-001\]$/);
  assert.deepEqual(json(badOptionJson).messages.map((m) => m.ruleId), ['cli-001']);

  assert.equal(noSource.code, 2);
  assert.equal(lines(noSource.stderr)[0], 'error: Unexpected arguments to `folio import` (0 SOURCE), expected one SOURCE and --out DIR [cli-001]');
});

test('configuration errors point at the file, line and column of the bad value, through every command', async () => {
  const dir = await copyOfSmall();
  const out = await scratch('out');
  try {
    const manuscript = await load(dir);
    const issueFile = path.join(dir, 'issue.yaml');
    const [first, second, third] = manuscript.chapters;
    assert.ok(first && second && third);

    // Wrong type in issue.yaml, an unknown key in one front matter, a required key missing in another.
    const pagesLine = await editLine(issueFile, 'pages:', () => 'pages: many');
    const unknownLine = await editLine(second.path, 'kind:', (line) => `${line}\nmood: cheerful`) + 1;
    const text = await readFile(third.path, 'utf8');
    await writeFile(third.path, text.replace(/^language: .*\n/m, ''));
    const expected = [`${issueFile}:${pagesLine}:8: error: Unexpected value at \`pages\`: Expected number, received string [manuscript-001]`];
    const pdf = await folio(['pdf', '--manuscript', dir, '--out', path.join(out, 'issue.pdf')]);
    assert.equal(pdf.code, 1);
    assert.equal(pdf.stdout, '');
    assert.deepEqual(lines(pdf.stderr), expected);

    // With issue.yaml fixed, the chapter files' own problems show (front matter starts on line 2).
    await editLine(issueFile, 'pages:', () => `pages: ${manuscript.issue.pages}`);
    const chapterProblems = [
      `${second.path}:${unknownLine}:1: error: Unexpected key \`mood\` in the document, expected only the keys the schema names [manuscript-001]`,
      `${third.path}:2:1: error: Unexpected missing key \`language\` in the document, expected it to be set [manuscript-001]`,
    ];
    const [epub, check, build] = await Promise.all([
      folio(['epub', '--manuscript', dir, '--out', path.join(out, 'issue.epub'), '--no-validate']),
      folio(['check', '--manuscript', dir, '--out', out, '--json']),
      folio(['build', '--manuscript', dir, '--out-dir', out, '--json']),
    ]);
    assert.equal(epub.code, 1);
    assert.deepEqual(lines(epub.stderr), chapterProblems);
    assert.equal(check.code, 1);
    assert.deepEqual(json(check).messages.map(formatMessage), chapterProblems);
    assert.equal(build.code, 1);
    const built = json(build);
    assert.deepEqual(built.messages.map(formatMessage), chapterProblems);
    assert.deepEqual(built.stages, []);

    // A YAML syntax error: an unclosed quote is reported where the value opens.
    const titleLine = await editLine(issueFile, 'issue:', (line) => line.replace(': ', ': "'));
    const syntax = await folio(['pdf', '--manuscript', dir, '--out', path.join(out, 'issue.pdf'), '--json']);
    assert.equal(syntax.code, 1);
    assert.deepEqual(json(syntax).messages.map(formatMessage), [`${issueFile}:${titleLine}:8: error: Unexpected YAML syntax: Missing closing "quote [manuscript-001]`]);
    await assert.rejects(access(path.join(out, 'issue.pdf')), 'no PDF is written for a manuscript with errors');
  } finally {
    await rm(path.dirname(dir), { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  }
});

test('folio import: a clean import is exit 0 with its report as JSON; a bad editorial.yaml is exit 1 at its line', async () => {
  const out = await scratch('import');
  try {
    const good = await folio(['import', importFixture, '--out', path.join(out, 'manuscript'), '--json']);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stderr, '');
    const report = json(good);
    assert.equal(report.out, path.join(out, 'manuscript'));
    assert.equal(typeof report.pages, 'number');
    assert.ok((report.pages as number) > 0);
    const imported = await load(path.join(out, 'manuscript'));
    assert.equal(report.pages, imported.issue.pages);
    assert.equal(report.chapters, imported.chapters.length);
    assert.ok(report.report && typeof report.report === 'object');
    const expectedMessages = (await readFile(path.join(path.dirname(importFixture), 'messages.txt'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line.trim() !== '');
    assert.equal(report.messages.length, expectedMessages.length);

    const editorial = path.join(out, 'editorial.yaml');
    await writeFile(editorial, ['chapters: []', 'corrections:', '  - page: two', '    find: a', '    replace: b', 'colour: red', ''].join('\n'));
    const bad = await folio(['import', importFixture, '--out', path.join(out, 'again'), '--editorial', editorial]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.deepEqual(lines(bad.stderr), [
      `${editorial}:3:11: error: Unexpected value at \`corrections.0.page\`: Expected number, received string [import-010]`,
      `${editorial}:6:1: error: Unexpected key \`colour\` in the document, expected only the keys the schema names [import-010]`,
    ]);
    await assert.rejects(access(path.join(out, 'again', 'issue.yaml')), 'nothing is written after an error');

    const missing = await folio(['import', path.join(out, 'no-such.txt'), '--out', path.join(out, 'none'), '--json']);
    assert.equal(missing.code, 1);
    assert.deepEqual(json(missing).messages.map((m) => m.ruleId), ['import-002']);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('folio check: the bundled manuscript holds (0); a word deleted from a chapter is exit 1 naming the word; a missing PDF is exit 2', async () => {
  const work = await scratch('check');
  try {
    const bundled = path.join(repo, 'manuscript');
    const issue = await load(bundled);
    const clean = await folio(['check', '--manuscript', bundled, '--no-pdf', '--no-epub', '--out', work, '--json']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stderr, '');
    const report = json(clean);
    assert.deepEqual(report.messages, []);
    assert.equal((report.report as { pagesChecked: number }).pagesChecked, issue.issue.pages);

    // Delete one word from the middle of a long paragraph of the first chapter of a copy.
    const copy = path.join(work, 'manuscript');
    await cp(bundled, copy, { recursive: true });
    const chapter = (await load(copy)).chapters[0];
    assert.ok(chapter);
    const text = await readFile(chapter.path, 'utf8');
    const all = text.split('\n');
    const index = all.findIndex((line, i) => i > 10 && /^[A-Za-z]/.test(line) && line.split(' ').length > 20 && !line.includes(':page['));
    assert.ok(index > 0);
    const words = (all[index] ?? '').split(' ');
    const word = words[8] ?? '';
    assert.match(word, /^[\w’'-]+$/, `a plain word to delete, not ${word}`);
    all[index] = [...words.slice(0, 8), ...words.slice(9)].join(' ');
    await writeFile(chapter.path, all.join('\n'));
    const broken = await folio(['check', '--manuscript', copy, '--no-pdf', '--no-epub', '--no-proof', '--out', work]);
    assert.equal(broken.code, 1);
    const problems = lines(broken.stderr);
    assert.equal(problems.length, 1, broken.stderr);
    assert.match(problems[0] ?? '', new RegExp(`^${chapter.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: error: .*\`${word}\`.* \\[check-001\\]$`));
    assert.match(broken.stdout, /1 words? lost/);

    const noPdf = await folio(['check', '--manuscript', bundled, '--pdf', path.join(work, 'none.pdf'), '--no-epub', '--json']);
    assert.equal(noPdf.code, 2);
    assert.deepEqual(json(noPdf).messages.map((m) => m.ruleId), ['check-009']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('folio pdf and folio epub on the small fixture: exit 0, the output written, its figures as JSON', { timeout: 300_000 }, async () => {
  const out = await scratch('good');
  try {
    const manuscript = await load(small);
    const [pdf, epub] = await Promise.all([
      folio(['pdf', '--manuscript', small, '--out', path.join(out, 'issue.pdf'), '--json']),
      folio(['epub', '--manuscript', small, '--out', path.join(out, 'issue.epub'), '--no-validate', '--json']),
    ]);
    assert.equal(pdf.code, 0, pdf.stderr);
    assert.equal(pdf.stderr, '');
    const printed = json(pdf);
    assert.deepEqual(printed.messages, []);
    assert.equal(printed.out, path.join(out, 'issue.pdf'));
    assert.equal(printed.pages, manuscript.issue.pages);
    assert.ok(printed.timings && typeof printed.timings === 'object');
    await access(path.join(out, 'issue.pdf'));

    assert.equal(epub.code, 0, epub.stderr);
    assert.equal(epub.stderr, '');
    const packed = json(epub);
    assert.deepEqual(packed.messages, []);
    assert.equal(packed.out, path.join(out, 'issue.epub'));
    assert.equal(typeof packed.pages, 'number');
    // A first build into a fresh folder draws its cover; --no-validate leaves no validation to report.
    assert.equal(packed.cover, 'rendered');
    assert.equal(packed.validation, null);
    await access(path.join(out, 'issue.epub'));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('a tool that cannot run is exit 2: Chromium missing for pdf and epub', async () => {
  const out = await scratch('nochrome');
  try {
    const env = { CHROME_PATH: path.join(out, 'no-chromium') };
    const [pdf, epub] = await Promise.all([
      folio(['pdf', '--manuscript', small, '--out', path.join(out, 'issue.pdf'), '--json'], env),
      folio(['epub', '--manuscript', small, '--out', path.join(out, 'issue.epub'), '--no-validate'], env),
    ]);
    assert.equal(pdf.code, 2);
    assert.deepEqual(json(pdf).messages.map((m) => m.ruleId), ['pdf-001']);
    assert.equal(pdf.stderr, '');
    assert.equal(epub.code, 2);
    assert.equal(epub.stdout, '');
    assert.deepEqual(lines(epub.stderr).map((line) => /\[([a-z]+-\d+)\]$/.exec(line)?.[1]), ['epub-004']);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('folio build: one JSON document with the stages and timings; a plain line per stage off a terminal, a page bar on one', { timeout: 300_000 }, async () => {
  const out = await scratch('build');
  try {
    const manuscript = await load(small);
    const piped = await folio(['build', '--manuscript', small, '--out-dir', path.join(out, 'json'), '--only', 'pdf', '--json']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '', 'nothing on stderr under --json either');
    const result = json(piped);
    assert.deepEqual(result.messages, []);
    const stages = result.stages as Array<{ stage: string; ok: boolean; seconds: number; outputs: string[] }>;
    assert.deepEqual(stages.map((s) => [s.stage, s.ok]), [['pdf', true]]);
    assert.ok((stages[0]?.seconds ?? 0) > 0);
    assert.ok(stages[0]?.outputs.some((o) => o.endsWith('.pdf')));
    assert.equal(typeof result.seconds, 'number');

    // Off a terminal (piped, as in CI): a plain line per stage on stderr, no bar, no carriage returns.
    const logged = await folio(['build', '--manuscript', small, '--out-dir', path.join(out, 'log'), '--only', 'pdf']);
    assert.equal(logged.code, 0, logged.stderr);
    assert.deepEqual(lines(logged.stderr).map((line) => line.replace(/\d+\.\d s$/, 'N s')), ['folio build: pdf …', 'folio build: pdf done in N s']);
    assert.doesNotMatch(logged.stderr, /\r|\[#/);
    assert.match(logged.stdout, /^pdf +ok +\d+\.\d s {2}/);

    const bad = await folio(['build', '--only', 'pdf,typeset', '--json']);
    assert.equal(bad.code, 2);
    assert.deepEqual(json(bad).messages.map(formatMessage), ['error: Unexpected stage `typeset` in --only, expected one of import, pdf, epub, articles, offprints, check [cli-001]']);

    // In-process with a terminal's status line: the page bar runs up to every page of the issue.
    const stdout: string[] = [];
    const stderr: string[] = [];
    const status: Array<string | undefined> = [];
    const code = await main(['build', '--manuscript', small, '--out-dir', path.join(out, 'tty'), '--only', 'pdf'], {
      out: (line) => stdout.push(line),
      err: (line) => stderr.push(line),
      status: (text) => status.push(text),
    });
    assert.equal(code, 0, stderr.join('\n'));
    const bars = status.filter((s): s is string => s !== undefined);
    const total = manuscript.issue.pages;
    assert.ok(bars.length >= total, `a bar per page: ${JSON.stringify(status)}`);
    assert.match(bars[0] ?? '', new RegExp(`^folio build: pdf \\[#*-+\\] +1/${total} pages$`));
    assert.equal(bars.at(-1), `folio build: pdf [${'#'.repeat(30)}] ${total}/${total} pages`);
    assert.equal(status.at(-1), undefined, 'the bar is cleared at the end');
    assert.deepEqual(stderr.map((line) => line.replace(/\d+\.\d s$/, 'N s')), ['folio build: pdf …', 'folio build: pdf done in N s']);
    assert.match(stdout[0] ?? '', /^pdf +ok +\d+\.\d s {2}/);
    assert.match(stdout.at(-1) ?? '', /^total +\d+\.\d s$/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
