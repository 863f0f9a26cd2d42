/**
 * Faults and interruptions: a missing, crashing or hanging Chromium, a full or read-only output
 * folder, Ctrl-C and SIGTERM, two builds into one folder. Each case states what it does and
 * asserts what a user is left with: a clear message, the exit code, no orphan Chromium, no
 * temporary files, and an old output intact.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromiumPath } from '../src/session/index.js';
import { mount, processesMentioning } from './processes.js';

const root = path.resolve(import.meta.dirname, '..');
const folio = path.join(root, 'bin/folio.js');
const fixture = path.join(root, 'test/fixtures/manuscript/small');
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** A private temporary folder for one run: Chromium's profile lands in it, so leftovers show. */
async function privateTmp(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'folio-fault-'));
}


function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [folio, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return condition();
}

test('Chromium missing: a clear message naming the path and CHROME_PATH, the EPUB still made, exit 2', async () => {
  const tmp = await privateTmp();
  try {
    const out = path.join(tmp, 'out');
    const r = run(['build', '--manuscript', fixture, '--out-dir', out, '--only', 'pdf,epub'], { CHROME_PATH: '/nonexistent/chromium', TMPDIR: tmp });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Unexpected missing Chromium at `\/nonexistent\/chromium`, expected an executable browser; install Debian's chromium or set CHROME_PATH to one \[pdf-001\]/u);
    assert.match(r.stderr, /the cover is drawn as SVG instead \[epub-004\]/u);
    const files = readdirSync(out);
    assert.ok(files.some((f) => f.endsWith('.epub')), `an EPUB among ${files.join(', ')}`);
    assert.ok(!files.some((f) => f.endsWith('.pdf')), 'no PDF');
    assert.deepEqual(processesMentioning(tmp), []);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('Chromium crashing mid-render: the render fails, nothing is left behind, the old PDF stays', async () => {
  const tmp = await privateTmp();
  try {
    // A Chromium that dies two seconds after it starts, as a crash would.
    const crashing = path.join(tmp, 'crashing-chromium');
    await writeFile(crashing, `#!/bin/sh\n"${chromium}" "$@" &\npid=$!\nsleep 2\nkill -9 $pid\nwait $pid\nexit 1\n`);
    await chmod(crashing, 0o755);
    const out = path.join(tmp, 'out', 'issue.pdf');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, 'OLD PDF');
    const r = run(['pdf', '--manuscript', path.join(root, 'manuscript'), '--out', out], { CHROME_PATH: crashing, TMPDIR: tmp });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\[pdf-00\d\]|\[cli-00\d\]/u);
    assert.equal(await readFile(out, 'utf8'), 'OLD PDF', 'the old PDF is intact');
    assert.deepEqual(readdirSync(path.dirname(out)).filter((f) => /\.(tmp|partial)$|\.pdf\./u.test(f)), [], 'no partial files');
    assert.ok(await until(() => processesMentioning(tmp).length === 0, 10_000), 'no orphan Chromium');
    assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('folio-chromium-')), [], 'the profile folder is gone');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('Chromium hanging: the watchdog names the stage, kills the browser and removes its profile', async () => {
  const tmp = await privateTmp();
  try {
    // A Chromium whose pages never load: every renderer waits at its start for a debugger.
    const hanging = path.join(tmp, 'hanging-chromium');
    await writeFile(hanging, `#!/bin/sh\nexec ${chromiumPath()} --renderer-startup-dialog "$@"\n`);
    await chmod(hanging, 0o755);
    const script = `
      import { renderPdf } from ${JSON.stringify(path.join(root, 'src/pdf/index.ts'))};
      import { resolve } from ${JSON.stringify(path.join(root, 'src/resolve/index.ts'))};
      const out = ${JSON.stringify(path.join(tmp, 'out', 'x.pdf'))};
      const run = await resolve({ manuscriptDir: ${JSON.stringify(path.join(root, 'manuscript'))}, outDir: ${JSON.stringify(path.join(tmp, 'out'))}, files: { pdf: out }, chromePath: ${JSON.stringify(hanging)} });
      const result = await renderPdf({ resolved: run.output, stageTimeoutMs: 5000 });
      console.log(JSON.stringify(result.messages));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, timeout: 120_000 });
    const messages = JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') as { ruleId: string; reason: string }[];
    // One timeout and nothing else; the step it names is the one under way (launch or layout).
    assert.deepEqual(messages.map((m) => m.ruleId), ['pdf-002'], `${r.stdout} ${r.stderr}`);
    assert.match(messages[0]?.reason ?? '', /^Unexpected timeout in stage `[^`]+` after 5 s, expected it to finish/u);
    assert.equal(existsSync(path.join(tmp, 'out', 'x.pdf')), false);
    assert.ok(await until(() => processesMentioning(tmp).length === 0, 10_000), 'no orphan Chromium');
    assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('folio-chromium-')), [], 'the profile folder is gone');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} during a render: no orphan Chromium, no partial PDF, exit ${code}`, async () => {
    const tmp = await privateTmp();
    try {
      const out = path.join(tmp, 'out', 'issue.pdf');
      const child = spawn(process.execPath, [folio, 'pdf', '--manuscript', path.join(root, 'manuscript'), '--out', out], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: 'ignore',
      });
      const done = exited(child);
      assert.ok(await until(() => processesMentioning(tmp).length > 1, 60_000), 'Chromium started');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.kill(signal);
      const { code: exitCode, signal: bySignal } = await done;
      assert.ok(exitCode === code || bySignal === signal, `exit ${exitCode} / ${bySignal}`);
      assert.ok(await until(() => processesMentioning(tmp).length === 0, 10_000), `no orphan Chromium: ${processesMentioning(tmp).join(' ')}`);
      assert.equal(existsSync(out), false, 'no PDF written');
      assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('folio-chromium-')), [], 'the profile folder is gone');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}


test('a full output folder: exit 2, a message naming the file, the old PDF intact, no partial file', async () => {
  const tmp = await privateTmp();
  const full = path.join(tmp, 'full');
  await mkdir(full);
  mount(['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', full]);
  try {
    await writeFile(path.join(full, 'x.pdf'), 'OLD PDF');
    const r = run(['pdf', '--manuscript', fixture, '--out', path.join(full, 'x.pdf')], { TMPDIR: tmp });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ENOSPC: no space left on device/u);
    assert.match(r.stderr, new RegExp(full.replace(/[/.]/gu, '\\$&'), 'u'));
    assert.equal(await readFile(path.join(full, 'x.pdf'), 'utf8'), 'OLD PDF');
    const leftovers = spawnSync('find', [full, '-name', '*.partial', '-o', '-name', '*.tmp'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(leftovers, '', 'no partial file');
  } finally {
    spawnSync('umount', [full]);
    await rm(tmp, { recursive: true, force: true });
  }
});

test('a read-only output folder: exit 2, the old PDF intact', async () => {
  const tmp = await privateTmp();
  const source = path.join(tmp, 'source');
  const readOnly = path.join(tmp, 'ro');
  await mkdir(source);
  await mkdir(readOnly);
  await writeFile(path.join(source, 'x.pdf'), 'OLD PDF');
  mount(['--bind', source, readOnly]);
  mount(['-o', 'remount,ro,bind', readOnly]);
  try {
    const r = run(['pdf', '--manuscript', fixture, '--out', path.join(readOnly, 'x.pdf')], { TMPDIR: tmp });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /EROFS: cannot write to `[^`]+\/ro` \(read-only file system\), expected a writable output folder/u);
    assert.equal(await readFile(path.join(readOnly, 'x.pdf'), 'utf8'), 'OLD PDF');
  } finally {
    spawnSync('umount', [readOnly]);
    await rm(tmp, { recursive: true, force: true });
  }
});

test('two builds into one folder at once: one builds, the other stops at once, the output is whole', async () => {
  const tmp = await privateTmp();
  try {
    const out = path.join(tmp, 'out');
    const start = () => spawn(process.execPath, [folio, 'build', '--manuscript', fixture, '--out-dir', out, '--only', 'pdf'], { env: { ...process.env, TMPDIR: tmp } });
    const first = start();
    let firstErr = '';
    first.stderr?.on('data', (d: Buffer) => (firstErr += d.toString()));
    // The second starts once the first holds the folder.
    assert.ok(await until(() => existsSync(path.join(out, '.folio-build.lock')), 30_000));
    const second = start();
    let secondErr = '';
    second.stderr?.on('data', (d: Buffer) => (secondErr += d.toString()));
    const [a, b] = await Promise.all([exited(first), exited(second)]);
    assert.equal(b.code, 2, secondErr);
    assert.match(secondErr, /Unexpected second build into `.+` while build \d+ is writing there, expected one build per output folder \[build-001\]/u);
    assert.equal(a.code, 0, firstErr);
    const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'));
    assert.ok(pdf);
    const info = spawnSync('pdfinfo', [path.join(out, pdf)], { encoding: 'utf8' }).stdout;
    assert.match(info, /Pages:\s+5/u);
    assert.equal(existsSync(path.join(out, '.folio-build.lock')), false, 'the lock is released');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
