/**
 * `folio build --watch` as a person runs it: it builds, builds again after an edit with the same
 * browsers and the same EPUBCheck JVM as before, and leaves no process or profile folder
 * behind when stopped. The combinations it refuses are refused before anything starts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readZip } from '../src/epub/zip.js';
import { runFolio } from './folio-process.js';
import { descendantPids } from './processes.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const small = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');

/** Every process below `pid`, with its command line. */
function descendants(pid: number): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const next of descendantPids(pid)) {
    try {
      found.push({ pid: next, cmdline: readFileSync(`/proc/${next}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // gone
    }
  }
  return found;
}

/** Processes anywhere on the machine whose command line names `text`. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('folio build --watch: builds, rebuilds an edit with the tools kept running, and leaves nothing behind when stopped', { timeout: 300_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'folio-watch-'));
  // Chromium's profile folders and every temporary file go here, to be counted at the end.
  const tmpdir = path.join(tmp, 'tmp');
  await cp(small, path.join(tmp, 'manuscript'), { recursive: true });
  await mkdir(tmpdir);
  const manuscript = path.join(tmp, 'manuscript');
  const out = path.join(tmp, 'out');
  const child = spawn(process.execPath, [path.join(repo, 'bin', 'folio.js'), 'build', '--watch', '--json', '--manuscript', manuscript, '--out-dir', out, '--only', 'pdf,epub'], {
    cwd: repo,
    env: { ...process.env, TMPDIR: tmpdir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const builds: Array<{ event: string; build: number; exitCode: number; stages: Array<{ stage: string; ok: boolean }>; messages: unknown[] }> = [];
  let watching = false;
  let stderr = '';
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, end)) as (typeof builds)[number];
      if (line.event === 'build') builds.push(line);
      else if (line.event === 'watching') watching = true;
      buffer = buffer.slice(end + 1);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const build = async (count: number) => {
    const deadline = Date.now() + 240_000;
    while (builds.length < count) {
      assert.ok(child.exitCode === null, `the watch ended early: ${stderr}`);
      assert.ok(Date.now() < deadline, `no build ${count}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return builds[count - 1] as (typeof builds)[number];
  };
  /** The kept tools: Chromium main processes (by profile folder) and the EPUBCheck JVM. */
  const tools = () => {
    const below = descendants(child.pid as number);
    const profiles = new Set(below.map((p) => /--user-data-dir=(\S+)/.exec(p.cmdline)?.[1]).filter((dir): dir is string => dir !== undefined));
    const jvms = below.filter((p) => /\bjava\b/.test(p.cmdline) && p.cmdline.includes('EpubcheckServer')).map((p) => p.pid);
    const aceWorkers = below.filter((p) => p.cmdline.includes('ace-worker.mjs --serve')).map((p) => p.pid);
    return { profiles: [...profiles].sort(), jvms, aceWorkers };
  };
  let jvms: number[] = [];
  try {
    const first = await build(1);
    assert.equal(first.build, 1);
    assert.equal(first.exitCode, 0, JSON.stringify(first.messages));
    assert.deepEqual(first.stages.map((s) => [s.stage, s.ok]), [['pdf', true], ['epub', true]]);
    while (!watching) {
      assert.ok(child.exitCode === null, `the watch ended early: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const kept = tools();
    assert.equal(kept.profiles.length, 2, 'a print browser and a browser for the cover and Ace');
    assert.equal(kept.jvms.length, 1, 'one EPUBCheck JVM');
    assert.equal(kept.aceWorkers.length, 1, 'one Ace worker');
    jvms = [...kept.jvms, ...kept.aceWorkers];

    // An edit: one word of the article becomes one no dictionary has.
    const chapter = path.join(manuscript, 'chapters', '01-a-test-article.md');
    const text = await readFile(chapter, 'utf8');
    const body = text.indexOf('\n---\n', 4) + 5;
    const edited = text.slice(0, body) + text.slice(body).replace(/\bthe\b/, 'zyzzyva');
    assert.notEqual(edited, text);
    await writeFile(chapter, edited);
    const second = await build(2);
    assert.equal(second.exitCode, 0, JSON.stringify(second.messages));
    const pdf = (await readdir(out)).find((name) => name.endsWith('.pdf'));
    assert.ok(pdf);
    assert.match(spawnSync('pdftotext', [path.join(out, pdf), '-'], { encoding: 'utf8' }).stdout, /zyzzyva/);
    const epub = (await readdir(out)).find((name) => name.endsWith('.epub'));
    assert.ok(epub);
    const chapterXhtml = (await readZip(await readFile(path.join(out, epub)))).get('OEBPS/a-test-article.xhtml');
    assert.match(chapterXhtml?.toString('utf8') ?? '', /zyzzyva/);
    assert.deepEqual(tools(), kept, 'the rebuild used the same browsers and the same JVM');
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  try {
    // Stopped: no browser, JVM or profile folder of the session is left.
    for (let waited = 0; waited < 50 && jvms.some((pid) => existsSync(`/proc/${pid}`)); waited += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(jvms.filter((pid) => existsSync(`/proc/${pid}`)), [], 'the JVM and the Ace worker have ended');
    assert.deepEqual(processesNaming(tmpdir), [], 'no process of the session runs on');
    assert.deepEqual((await readdir(tmpdir)).filter((name) => name.startsWith('folio-')), [], 'no temporary folder left');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('folio build --watch refuses --import and an output folder inside what it watches', async () => {
  const importing = await runFolio(['build', '--watch', '--import', '--manuscript', small]);
  assert.equal(importing.code, 2);
  assert.match(importing.stderr, /Unexpected --import with --watch.*\[cli-001\]/u);
  const inside = await runFolio(['build', '--watch', '--manuscript', small, '--out-dir', path.join(small, 'build')]);
  assert.equal(inside.code, 2);
  assert.match(inside.stderr, /Unexpected --out-dir .* inside the watched folder .*\[cli-001\]/u);
});
