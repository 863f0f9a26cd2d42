/**
 * Bad input and faults, each a named case run by `npm test` through `node bin/folio.js` as a
 * user meets it (the manuscript defects are named fixtures, run by test/failures.test.ts): an output path that cannot be made
 * (a folder, a read-only mount, /proc), a full disk during the EPUB write, a build killed with
 * SIGKILL in each stage, a stale lock, exit codes that must agree between commands, and outputs
 * that failed validation. Each asserts the whole list of messages, the exit code and that
 * nothing half-made is left where a pipeline would pick it up. The cases are listed in the
 * README's reliability section.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { readerTextProblems } from '../src/check/pdf.js';
import { chromiumPath } from '../src/session/index.js';
import { describeProcesses, mount, processesMentioning } from './processes.js';
import { readPdfText } from '../src/check/pdf-text.js';
import { loadManuscript } from '../src/manuscript/index.js';
import { cleanPrintedPdf } from '../src/pdf/soft-hyphens.js';
import { printSample } from './print-sample.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const folioBin = path.join(repo, 'bin', 'folio.js');
const small = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');
const englishSource = path.join(repo, 'test', 'fixtures', 'import', 'english-article', 'input.txt');
const smallSlug = 'foreign-affairs-journal-winter-2099';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/folio.js ARGS`; a run still going after `ms` is killed, and then fails its test (a hang). */
function folio(args: string[], env: Record<string, string> = {}, ms = 240_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [folioBin, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The problem lines of a run's stderr (progress lines of `folio build` left out). */
function problems(run: Run): string[] {
  return run.stderr.split('\n').filter((line) => /(^|: )(error|warning|info): /u.test(line));
}

/** Every file under `dir`, relative, sorted; [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Temporary or half-written files anywhere under `dir`. */
function halfMade(dir: string): string[] {
  return filesUnder(dir).filter((file) => /\.partial$|\.tmp$|\.folio-build\.lock$/u.test(file));
}

async function scratch(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `folio-rel-${name}-`));
}

/** A copy of the small fixture manuscript in `dir`. */
async function copyOfSmall(dir: string): Promise<string> {
  const manuscript = path.join(dir, 'manuscript');
  await cp(small, manuscript, { recursive: true });
  return manuscript;
}

/** Replaces the first occurrence of `find` in a file; returns its 1-based line and column. */
async function replaceIn(file: string, find: string, replacement: string): Promise<{ line: number; column: number }> {
  const text = await readFile(file, 'utf8');
  const at = text.indexOf(find);
  assert.ok(at >= 0, `no \`${find}\` in ${file}`);
  await writeFile(file, text.slice(0, at) + replacement + text.slice(at + find.length));
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

/** A PDF that poppler reads whole, with `pages` pages. */
function assertWholePdf(file: string, pages: number): void {
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.equal(info.status, 0, `pdfinfo ${file}: ${info.stderr}`);
  assert.match(info.stdout, new RegExp(`Pages:\\s+${pages}\\n`, 'u'));
}

/** An EPUB that unzips whole, its mimetype first. */
async function assertWholeEpub(file: string): Promise<void> {
  const zip = await JSZip.loadAsync(await readFile(file));
  assert.equal(Object.keys(zip.files)[0], 'mimetype');
  assert.equal(await zip.file('mimetype')?.async('string'), 'application/epub+zip');
}

// Manuscript defects (a footnote call without a note, page markers repeated, out of order or
// missing, a chapter that is not UTF-8, …) are named fixtures: test/failures.test.ts.

// --- Output paths that cannot be made: cli-004 naming the path, exit 2, at once. ---

/** Every writing command, with its output at `target` (a file path for pdf and epub, a folder for the others). */
function writing(target: string): { name: string; args: string[]; kind: 'file' | 'folder' }[] {
  return [
    { name: 'pdf', args: ['pdf', '--manuscript', small, '--out', target], kind: 'file' },
    { name: 'epub', args: ['epub', '--manuscript', small, '--out', target], kind: 'file' },
    { name: 'build', args: ['build', '--manuscript', small, '--out-dir', target], kind: 'folder' },
    { name: 'check', args: ['check', '--manuscript', small, '--out', target], kind: 'folder' },
    { name: 'import', args: ['import', englishSource, '--out', target], kind: 'folder' },
  ];
}

describe('an output path that cannot be made: one cli-004 naming it, exit 2, nothing written', () => {
  for (const { name, kind } of writing('')) {
    test(`folio ${name} into a ${kind === 'file' ? 'folder given as the output file' : 'file given as the output folder'}`, async () => {
      const dir = await scratch('wrongkind');
      try {
        const target = path.join(dir, kind === 'file' ? 'a-folder' : 'a-file');
        if (kind === 'file') await mkdir(target);
        else await writeFile(target, 'not a folder');
        const command = writing(target).find((c) => c.name === name);
        assert.ok(command);
        const run = await folio([...command.args, '--json']);
        assert.equal(run.code, 2, run.stderr);
        const reason = kind === 'file' ? `Unexpected output path: \`${target}\` is a folder, expected a file path` : `Unexpected output folder: \`${target}\` is a file, expected a folder`;
        const document = JSON.parse(run.stdout) as { exitCode: number; messages: unknown[] };
        assert.deepEqual({ exitCode: document.exitCode, messages: document.messages }, { exitCode: 2, messages: [{ ruleId: 'cli-004', severity: 'error', reason, place: { file: target } }] });
        assert.deepEqual(filesUnder(dir), kind === 'file' ? [] : ['a-file']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    test(`folio ${name} on a read-only mount`, async () => {
      const dir = await scratch('ro');
      const readOnly = path.join(dir, 'ro');
      await mkdir(readOnly);
      mount(['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]);
      try {
        const target = path.join(readOnly, kind === 'file' ? `issue.${name}` : 'out');
        const command = writing(target).find((c) => c.name === name);
        assert.ok(command);
        const run = await folio(command.args);
        assert.equal(run.code, 2, run.stderr);
        assert.deepEqual(problems(run), [`${target}: error: Unexpected output ${kind === 'file' ? 'path' : 'folder'}: EROFS: cannot write to \`${readOnly}\` (read-only file system), expected a writable output folder [cli-004]`]);
        assert.deepEqual(filesUnder(readOnly), []);
      } finally {
        spawnSync('umount', [readOnly]);
        await rm(dir, { recursive: true, force: true });
      }
    });

    test(`folio ${name} under /proc fails at once, never spins`, async () => {
      const target = kind === 'file' ? `/proc/unwritable/issue.${name}` : '/proc/unwritable/out';
      const command = writing(target).find((c) => c.name === name);
      assert.ok(command);
      // A run still going after a minute is killed and fails here: before, `folio epub` spun at 80 % CPU for minutes.
      const run = await folio(command.args, {}, 60_000);
      assert.equal(run.signal, null, 'not killed: it did not hang');
      assert.equal(run.code, 2, run.stderr);
      assert.deepEqual(problems(run), [`${target}: error: Unexpected output ${kind === 'file' ? 'path' : 'folder'}: \`${target}\` is on /proc, a kernel file system, expected a folder on a disk [cli-004]`]);
    });
  }
});

// --- A full disk during the EPUB write. ---

test('a full disk during the EPUB write: epub-003 naming the file, exit 2, no EPUB and no partial file', async () => {
  const dir = await scratch('full');
  const full = path.join(dir, 'full');
  await mkdir(full);
  // 64 KiB: the cover (cached beside the output) fits, the EPUB that holds it does not.
  mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
  try {
    const out = path.join(full, 'issue.epub');
    const run = await folio(['epub', '--manuscript', small, '--out', out, '--no-validate'], { TMPDIR: dir });
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(problems(run), [`${out}: error: Unexpected failure to write the EPUB: ENOSPC: no space left on device, write [epub-003]`]);
    const left = filesUnder(full);
    assert.deepEqual(
      left.filter((file) => !/^cache\/epub\/cover-[0-9a-f]+\.png$/u.test(file)),
      [],
      `only the cached cover is left: ${left.join(', ')}`,
    );
  } finally {
    spawnSync('umount', [full]);
    await rm(dir, { recursive: true, force: true });
  }
});

// --- Exit codes: one rule from the messages, the same in every command. ---

test('a source with no recognisable page: folio import and folio build --import both exit 1 with import-003 as it is', async () => {
  const dir = await scratch('badsource');
  try {
    const manuscript = await copyOfSmall(dir);
    const source = path.join(dir, 'source.txt');
    await writeFile(source, 'x\n');
    await writeFile(path.join(manuscript, 'issue.yaml'), `${await readFile(path.join(manuscript, 'issue.yaml'), 'utf8')}source: ../source.txt\n`);
    const imported = await folio(['import', source, '--out', path.join(dir, 'imported')]);
    const built = await folio(['build', '--manuscript', manuscript, '--out-dir', path.join(dir, 'out'), '--import']);
    assert.equal(imported.code, 1, imported.stderr);
    assert.equal(built.code, 1, built.stderr);
    assert.equal(problems(imported).length, 1, imported.stderr);
    assert.match(problems(imported)[0] ?? '', /: error: .*\[import-\d+\]$/u);
    // The same message in both, not wrapped in a tool failure (cli-002).
    assert.deepEqual(problems(built), problems(imported));
    assert.deepEqual(filesUnder(path.join(dir, 'imported')), []);
    assert.deepEqual(filesUnder(path.join(dir, 'out')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('EPUBCheck missing: folio epub and folio build --only epub both exit 2 with the same epub-004', async () => {
  const dir = await scratch('noepubcheck');
  try {
    const env = { EPUBCHECK_JAR: path.join(dir, 'no-epubcheck.jar') };
    const epub = await folio(['epub', '--manuscript', small, '--out', path.join(dir, 'epub', `${smallSlug}.epub`)], env);
    const built = await folio(['build', '--manuscript', small, '--out-dir', path.join(dir, 'build'), '--only', 'epub'], env);
    assert.equal(epub.code, 2, epub.stderr);
    assert.equal(built.code, 2, built.stderr);
    const rules = (run: Run) => problems(run).map((line) => /\[([a-z]+-\d+)\]$/u.exec(line)?.[1]);
    assert.deepEqual(rules(epub), ['epub-004']);
    assert.deepEqual(rules(built), ['epub-004']);
    // The tool could not run; the book itself was found wrong by nothing, so it is where it was asked for.
    await assertWholeEpub(path.join(dir, 'epub', `${smallSlug}.epub`));
    await assertWholeEpub(path.join(dir, 'build', `${smallSlug}.epub`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// --- Outputs that failed validation never sit at the requested path. ---

test('an EPUB that fails EPUBCheck is kept as <name>.invalid.epub, never at the output path; a good build removes it', async () => {
  const dir = await scratch('invalid-epub');
  try {
    const manuscript = await copyOfSmall(dir);
    const issueFile = path.join(manuscript, 'issue.yaml');
    const good = await readFile(issueFile, 'utf8');
    // A valid schema value EPUBCheck rejects: a urn:uuid that is no UUID (OPF-085).
    await writeFile(issueFile, good.replace('publisher: Example Institute\n', 'publisher: Example Institute\nidentifier: urn:uuid:not-a-uuid\n'));
    const out = path.join(dir, 'out', 'issue.epub');
    const aside = path.join(dir, 'out', 'issue.invalid.epub');
    const run = await folio(['epub', '--manuscript', manuscript, '--out', out]);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(problems(run), [
      `${out}/OEBPS/content.opf:4:67: error: EPUBCheck warning OPF-085: "dc:identifier" value "urn:uuid:not-a-uuid" is marked as a UUID, but is an invalid UUID. [epub-001]`,
      `${aside}: info: The EPUB has errors: kept for inspection as \`${aside}\`, not at \`${out}\` [epub-007]`,
    ]);
    assert.equal(existsSync(out), false, 'nothing at the output path');
    await assertWholeEpub(aside);
    await writeFile(issueFile, good);
    const again = await folio(['epub', '--manuscript', manuscript, '--out', out]);
    assert.equal(again.code, 0, again.stderr);
    await assertWholeEpub(out);
    assert.equal(existsSync(aside), false, 'the invalid copy of the earlier run is gone');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('folio build on an imported issue', () => {
  let dir = '';
  let imported = '';
  before(async () => {
    dir = await scratch('imported');
    imported = path.join(dir, 'imported');
    const run = await folio(['import', englishSource, '--out', imported]);
    assert.equal(run.code, 0, run.stderr);
    // The source named by absolute path, so that copies of the manuscript elsewhere still find it.
    const issueFile = path.join(imported, 'issue.yaml');
    await writeFile(issueFile, (await readFile(issueFile, 'utf8')).replace(/^source: .*$/mu, `source: ${englishSource}`));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh copy of the imported manuscript; its source path stays valid (it is relative to the folder beside it). */
  async function copy(name: string): Promise<string> {
    const manuscript = path.join(dir, name, 'imported');
    await cp(imported, manuscript, { recursive: true });
    return manuscript;
  }

  test('a PDF and an EPUB whose check fails are kept as .invalid files, not at the output paths', async () => {
    const manuscript = await copy('unfaithful');
    const chapter = path.join(manuscript, 'chapters', readdirSync(path.join(manuscript, 'chapters'))[0] ?? '');
    await replaceIn(chapter, ' cooperation ', ' ');
    const out = path.join(dir, 'unfaithful', 'out');
    const run = await folio(['build', '--manuscript', manuscript, '--out-dir', out]);
    assert.equal(run.code, 1, run.stderr);
    const name = 'example-journal-winter-2099';
    const pdf = path.join(out, `${name}.pdf`);
    const epub = path.join(out, `${name}.epub`);
    const offprint = (extension: string) => path.join(out, 'articles', `a-test-article-on-cooperation-between.${extension}`);
    const lost = (what: string) => `error: Unexpected text on page 1 of ${what}: 1 words lost (\`cooperation\`); expected the words of the original page [check-001]`;
    assert.deepEqual(problems(run), [
      `${chapter}:15: ${lost('the manuscript')}`,
      `${chapter}:15: ${lost('the PDF')}`,
      `${epub}!/OEBPS/a-test-article-on-cooperation-between.xhtml#page-1: ${lost('the EPUB')}`,
      `${path.join(out, `${name}.invalid.pdf`)}: info: The PDF failed the check: kept for inspection as \`${path.join(out, `${name}.invalid.pdf`)}\`, not at \`${pdf}\` [check-011]`,
      `${path.join(out, `${name}.invalid.epub`)}: info: The EPUB failed the check: kept for inspection as \`${path.join(out, `${name}.invalid.epub`)}\`, not at \`${epub}\` [check-011]`,
      // The offprint cut from the PDF set aside goes aside with it.
      `${offprint('invalid.pdf')}: info: The offprint was cut from \`${name}.pdf\`, which was set aside: kept for inspection as \`${offprint('invalid.pdf')}\`, not at \`${offprint('pdf')}\` [check-011]`,
    ]);
    assert.equal(existsSync(offprint('pdf')), false);
    assert.equal(existsSync(pdf), false);
    assert.equal(existsSync(epub), false);
    assertWholePdf(path.join(out, `${name}.invalid.pdf`), 4);
    await assertWholeEpub(path.join(out, `${name}.invalid.epub`));
    assert.deepEqual(halfMade(out), []);
  });

  for (const stage of ['import', 'pdf', 'epub', 'check'] as const) {
    test(`SIGKILL in the ${stage} stage: no half-made output, no orphan process; the next build takes over the stale lock`, async () => {
      const base = path.join(dir, `kill-${stage}`);
      // The import is killed in the bundled issue's (0.4 s, where the small one's is over at once).
      const manuscript = stage === 'import' ? path.join(base, 'manuscript') : await copy(`kill-${stage}`);
      if (stage === 'import') await cp(path.join(repo, 'manuscript'), manuscript, { recursive: true });
      const only = stage === 'import' ? ['--import', '--only', 'import'] : [];
      const tmp = path.join(base, 'tmp');
      await mkdir(tmp, { recursive: true });
      const out = path.join(base, 'out');
      const child = spawn(process.execPath, [folioBin, 'build', '--manuscript', manuscript, '--out-dir', out, ...only], {
        cwd: repo,
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const started = new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes(`folio build: ${stage} …`)) resolve();
        });
      });
      await Promise.race([started, exited]);
      assert.ok(stderr.includes(`folio build: ${stage} …`), `the ${stage} stage started: ${stderr}`);
      const pdf = path.join(out, 'example-journal-winter-2099.pdf');
      const epub = path.join(out, 'example-journal-winter-2099.epub');
      const report = path.join(out, 'example-journal-winter-2099.fidelity.json');
      // The PDF stage is killed once its Chromium runs; the EPUB stage, which spends most of its
      // time validating, once its file is written.
      if (stage === 'pdf') assert.ok(await until(() => processesMentioning(tmp).length > 0, 60_000), 'Chromium started');
      if (stage === 'epub') assert.ok(await until(() => existsSync(epub), 60_000), 'the EPUB was written');
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      // What a killed build leaves at its output paths: whole files or none. (A temporary file it
      // was writing may stay, hidden beside its output; the next build removes it.)
      const hidden = (file: string) => /(^|\/)\.[^/]+\.\d+\.partial$/u.test(file) || file === '.folio-build.lock';
      assert.deepEqual(halfMade(out).filter((file) => !hidden(file)), []);
      if (existsSync(pdf)) assertWholePdf(pdf, 4);
      if (existsSync(epub)) await assertWholeEpub(epub);
      if (existsSync(report)) JSON.parse(await readFile(report, 'utf8'));
      const loaded = await loadManuscript(manuscript);
      assert.deepEqual(loaded.messages, [], 'the manuscript is whole');
      // Chromium, EPUBCheck and Ace end with the build that started them (their pipes close).
      assert.ok(await until(() => processesMentioning(base).length === 0, 30_000), `no orphan: ${describeProcesses(processesMentioning(base))}`);
      // The lock of the killed build is stale: the next build takes it over and builds.
      const again = await folio(['build', '--manuscript', manuscript, '--out-dir', out, ...only], { TMPDIR: tmp });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(problems(again), []);
      if (stage !== 'import') {
        assertWholePdf(pdf, 4);
        await assertWholeEpub(epub);
      }
      assert.deepEqual(halfMade(out), [], 'the lock is released');
    });
  }

  test('a stale lock whose pid now belongs to another process is taken over', async () => {
    const manuscript = await copy('reused-pid');
    const out = path.join(dir, 'reused-pid', 'out');
    await mkdir(out, { recursive: true });
    // This test process is alive, but it started at another time than the build the lock names.
    await writeFile(path.join(out, '.folio-build.lock'), `${process.pid} 1\n`);
    const run = await folio(['build', '--manuscript', manuscript, '--out-dir', out, '--only', 'pdf']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(problems(run), []);
    assertWholePdf(path.join(out, 'example-journal-winter-2099.pdf'), 4);
    assert.deepEqual(halfMade(out), []);
  });

  test('a lock held by a running build stops a second one (build-001, exit 2), its outputs untouched', async () => {
    const manuscript = await copy('held');
    const out = path.join(dir, 'held', 'out');
    await mkdir(out, { recursive: true });
    // A live process that is what the lock says: its pid and its start time.
    const holder = spawn('sleep', ['60']);
    try {
      const stat = readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
      const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      await writeFile(path.join(out, '.folio-build.lock'), `${holder.pid} ${startTime}\n`);
      const run = await folio(['build', '--manuscript', manuscript, '--out-dir', out]);
      assert.equal(run.code, 2, run.stderr);
      assert.deepEqual(problems(run), [
        `${path.join(out, '.folio-build.lock')}: error: Unexpected second build into \`${out}\` while build ${holder.pid} is writing there, expected one build per output folder [build-001]`,
      ]);
      assert.deepEqual(filesUnder(out), ['.folio-build.lock']);
    } finally {
      holder.kill();
    }
  });
});

// --- The PDF's text layer, read as a reader's copy and search would. ---

test('a soft hyphen inside an fi ligature: in Chromium\'s text layer, found by the check (check-012), gone after the clean-up', async () => {
  const dir = await scratch('softhyphen');
  // Hyphenation points right where Noto Serif forms its fi, ff and ffi ligatures, as in the bundled issue.
  try {
    const raw = await printSample('<p>A signif&shy;icant step, dif&shy;ficulties of traf&shy;fic.</p>');
    const rawFile = path.join(dir, 'raw.pdf');
    const cleanFile = path.join(dir, 'clean.pdf');
    await writeFile(rawFile, raw);
    await writeFile(cleanFile, await cleanPrintedPdf(raw));
    const place = () => ({ file: rawFile });
    assert.deepEqual(readerTextProblems(await readPdfText(rawFile), rawFile, place), [
      {
        ruleId: 'check-012',
        severity: 'error',
        reason: 'Unexpected U+00AD (a soft hyphen) in the text layer of PDF page 1 (`signif\\u00ADicant`, `dif\\u00ADficulties`, `traf\\u00ADfic.`), expected words a reader can copy and search as printed',
        place: { file: rawFile },
      },
    ]);
    const cleaned = await readPdfText(cleanFile);
    assert.deepEqual(readerTextProblems(cleaned, cleanFile, place), []);
    assert.deepEqual(
      cleaned.flatMap((p) => p.lines.flatMap((l) => l.words.map((w) => w.text))),
      ['A', 'significant', 'step,', 'difficulties', 'of', 'traffic.'],
      'every word as a search for it would find it',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// --- A stage that hangs: the build's own watchdog, not only Chromium's. ---

test('a stage that hangs (a Chromium whose pages never load) is abandoned by the build watchdog: build-003, exit 2, no orphan, no PDF', async () => {
  const dir = await scratch('watchdog');
  try {
    const tmp = path.join(dir, 'tmp');
    await mkdir(tmp);
    // Every renderer waits at its start for a debugger that never comes.
    const hanging = path.join(dir, 'hanging-chromium');
    await writeFile(hanging, `#!/bin/sh\nexec ${chromiumPath()} --renderer-startup-dialog "$@"\n`, { mode: 0o755 });
    const out = path.join(dir, 'out');
    const run = await folio(['build', '--manuscript', small, '--out-dir', out, '--only', 'pdf', '--stage-timeout', '3'], { CHROME_PATH: hanging, TMPDIR: tmp }, 60_000);
    assert.equal(run.signal, null, 'the process ended by itself');
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(problems(run), ['error: Unexpected pdf stage still running after 3 s, expected it to finish; it was abandoned [build-003]']);
    assert.deepEqual(filesUnder(out).filter((file) => file.endsWith('.pdf') || halfMade(out).includes(file)), []);
    assert.ok(await until(() => processesMentioning(tmp).length === 0, 10_000), `no orphan Chromium: ${processesMentioning(tmp).join(' ')}`);
    assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith('folio-chromium-')), [], 'its profile folder is gone');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// --- The suite sees the bundled fonts only. ---

test('test/fonts.conf: fontconfig and Chromium see the bundled fonts only, and `serif` is a bundled face', async () => {
  const conf = path.join(repo, 'test', 'fonts.conf');
  // `npm test` (scripts/test.sh) runs the suite under it; a run by hand may not, so it is set here too.
  if (process.env.FONTCONFIG_FILE !== undefined) assert.equal(path.resolve(process.env.FONTCONFIG_FILE), conf);
  const env = { ...process.env, FONTCONFIG_FILE: conf };
  const listed = spawnSync('fc-list', [':', 'file'], { encoding: 'utf8', env });
  assert.equal(listed.status, 0, listed.stderr);
  const files = listed.stdout.split('\n').filter(Boolean).map((line) => line.replace(/:\s*$/u, ''));
  assert.ok(files.length > 0);
  assert.deepEqual(files.filter((file) => !file.startsWith(path.join(repo, 'node_modules') + path.sep)), [], 'no font of the machine');
  const dir = await scratch('fonts');
  try {
    const page = path.join(dir, 'page.html');
    await writeFile(page, '<!doctype html><html lang="en"><body><p style="font-family: serif">Serif</p><p style="font-family: sans-serif">Sans</p><p style="font-family: monospace">Mono</p></body></html>');
    const pdf = path.join(dir, 'page.pdf');
    const printed = spawnSync(chromiumPath(), ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--user-data-dir=${path.join(dir, 'profile')}`, `--print-to-pdf=${pdf}`, `file://${page}`], { encoding: 'utf8', env, timeout: 120_000 });
    assert.equal(printed.status, 0, printed.stderr);
    const fonts = spawnSync('pdffonts', [pdf], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter(Boolean).map((line) => line.split(/\s+/u)[0]?.replace(/^[A-Z]{6}\+/u, ''));
    assert.deepEqual(fonts, ['DejaVuSerif', 'DejaVuSans', 'DejaVuSansMono'], 'serif, sans-serif and monospace in the bundled DejaVu faces');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
