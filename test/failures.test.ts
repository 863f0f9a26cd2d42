/**
 * The failure cases, as named fixtures: each folder under test/fixtures/failures/ is one defect
 * made on top of the small known-good manuscript (test/fixtures/manuscript/small) by the edits
 * in its case.json, and holds in messages.txt every message a user sees for it, in order, with
 * paths as shown from the folder the commands run in (`manuscript/chapters/…`). Each case runs
 * through `node bin/folio.js` for every command case.json names: the exit code is the one it
 * names, the problems on stderr are messages.txt exactly, and nothing is made at the output
 * paths. UPDATE_GOLDEN=1 rewrites messages.txt from the first command, for a person to review.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.join(repo, 'test', 'fixtures', 'failures');
const small = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');
const update = process.env.UPDATE_GOLDEN === '1';

/** One edit of a file of the small manuscript: its first `find` replaced (as text, or as bytes given in hex). */
interface Edit {
  file: string;
  find: string;
  replace?: string;
  replaceHex?: string;
}

/** A case.json. */
interface FailureCase {
  about: string;
  commands: ('pdf' | 'epub' | 'build' | 'check' | 'articles')[];
  exit: number;
  edits: Edit[];
}

/** Makes the case's manuscript in `dir/manuscript`. */
async function makeManuscript(dir: string, edits: readonly Edit[]): Promise<void> {
  const manuscript = path.join(dir, 'manuscript');
  await cp(small, manuscript, { recursive: true });
  for (const edit of edits) {
    const file = path.join(manuscript, edit.file);
    const bytes = await readFile(file);
    const at = bytes.indexOf(edit.find);
    assert.ok(at >= 0, `no \`${edit.find}\` in ${edit.file}`);
    const replacement = edit.replaceHex !== undefined ? Buffer.from(edit.replaceHex, 'hex') : Buffer.from(edit.replace ?? '');
    await writeFile(file, Buffer.concat([bytes.subarray(0, at), replacement, bytes.subarray(at + Buffer.byteLength(edit.find))]));
  }
}

/** The command line of `command` on the case's manuscript, its outputs under `out`. */
function argsOf(command: FailureCase['commands'][number]): string[] {
  const manuscript = ['--manuscript', 'manuscript'];
  switch (command) {
    case 'pdf':
      return ['pdf', ...manuscript, '--out', 'out/issue.pdf'];
    case 'epub':
      return ['epub', ...manuscript, '--out', 'out/issue.epub'];
    case 'check':
      return ['check', ...manuscript, '--out', 'out', '--no-pdf', '--no-epub'];
    case 'articles':
      return ['articles', ...manuscript, '--out-dir', 'out'];
    case 'build':
      return ['build', ...manuscript, '--out-dir', 'out'];
  }
}

/** Runs `node bin/folio.js ARGS` in `cwd`. */
function folio(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'folio.js'), ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** The problem lines of a run's stderr (progress lines of `folio build` left out). */
function problems(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /(^|: )(error|warning|info): /u.test(line));
}

/** Every file under `dir`, relative; [] when there is none. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

for (const name of (await readdir(root)).sort()) {
  const dir = path.join(root, name);
  const failure = JSON.parse(await readFile(path.join(dir, 'case.json'), 'utf8')) as FailureCase;
  describe(`failure case ${name}: ${failure.about}`, () => {
    for (const [index, command] of failure.commands.entries()) {
      test(`folio ${command}: exit ${failure.exit}, messages.txt, nothing made`, async () => {
        const scratch = await mkdtemp(path.join(os.tmpdir(), `folio-failure-${name}-`));
        try {
          await makeManuscript(scratch, failure.edits);
          const run = await folio(argsOf(command), scratch);
          const seen = problems(run.stderr);
          if (update && index === 0) await writeFile(path.join(dir, 'messages.txt'), seen.map((line) => `${line}\n`).join(''));
          const expected = (await readFile(path.join(dir, 'messages.txt'), 'utf8')).split('\n').filter((line) => line !== '');
          assert.deepEqual(seen, expected, run.stderr);
          assert.equal(run.code, failure.exit, run.stderr);
          assert.deepEqual(filesUnder(path.join(scratch, 'out')), [], 'nothing made');
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      });
    }
  });
}
