/**
 * Ace through a server, a worker kept running between validations, with the real tools and a
 * kept browser: its findings are those of a one-shot run, request after request, on a clean EPUB
 * and on one with violations; each request counts its own documents; a worker killed between
 * validations is started again by the next one; one that dies or hangs during a validation
 * costs that validation a one-shot run, never a finding; another environment gets a worker of
 * its own; and `close` leaves no worker and no temporary file behind.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromiumPath, launchChromium, type ChromiumBrowser } from '../src/session/index.js';
import { runAce, startAceServer, type AceOptions, type AceResult, type AceServer } from '../src/epub/ace.js';
import { buildEpub } from '../src/epub/index.js';
import { readZip, writeEpubZip } from '../src/epub/zip.js';
import { childrenNaming, gone, until } from './processes.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
delete process.env.SOURCE_DATE_EPOCH;

/** What must not differ between a validation through the server and a one-shot one. */
function outcome(result: AceResult) {
  return { violations: result.violations, messages: result.messages, findings: result.findings };
}

describe('ace server: a worker kept running between validations', () => {
  let scratch = '';
  let tmp = '';
  const savedTmpdir = process.env.TMPDIR;
  let chromium: ChromiumBrowser;
  let base: AceOptions;
  let good = '';
  let bad = '';
  let expected: Map<string, ReturnType<typeof outcome>>;
  let server: AceServer;

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-ace-server-test-'));
    chromium = await launchChromium({ chromePath: chromiumPath(), timeoutMs: 60_000, ruleId: 'epub-004' });
    base = { chromePath: chromiumPath(), browser: async () => chromium };
    // Ace's temporary files and report files go to a folder of this test's own (the browser's
    // profile, made before, does not), so that what is left in it is what Ace left.
    tmp = path.join(scratch, 'tmp');
    await mkdir(tmp);
    process.env.TMPDIR = tmp;
    good = path.join(scratch, 'good.epub');
    const built = await buildEpub({ resolved: await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: good }), validate: false });
    assert.deepEqual(built.messages, []);
    // An image without a text alternative and a skipped heading level: Ace violations in a document.
    const files = await readZip(await readFile(good));
    const name = [...files.keys()].find((f) => f.endsWith('a-test-article.xhtml'));
    assert.ok(name);
    files.set(name, Buffer.from((files.get(name)?.toString('utf8') ?? '').replace('</h1>', '</h1><img src="cover.png"/><h4>Skipped</h4>')));
    bad = path.join(scratch, 'bad.epub');
    await writeFile(bad, await writeEpubZip(files, new Date(Date.UTC(2000, 0, 1))));
    const [goodResult, badResult] = await Promise.all([runAce(good, base), runAce(bad, base)]);
    assert.equal(goodResult.worker, 'cold');
    assert.deepEqual(goodResult.findings, []);
    const rules = (badResult.findings ?? []).map((f) => /^Ace \w+ ([\w-]+):/.exec(f.text)?.[1]).sort();
    assert.deepEqual(rules, ['heading-order', 'image-alt'], JSON.stringify(badResult.findings));
    expected = new Map([
      [good, outcome(goodResult)],
      [bad, outcome(badResult)],
    ]);
    server = startAceServer();
  });

  after(async () => {
    await server.close();
    await chromium.close();
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    await rm(scratch, { recursive: true, force: true });
  });

  test('the findings are those of a one-shot run, request after request; the worker the first starts serves the rest warm, one at a time', async () => {
    assert.equal(server.pid, undefined, 'nothing runs before the first validation');
    const ways: AceResult['worker'][] = [];
    for (const epub of [good, bad, good, bad]) {
      const result = await runAce(epub, { ...base, server });
      assert.deepEqual(outcome(result), expected.get(epub), epub);
      ways.push(result.worker);
    }
    assert.deepEqual(ways, ['started', 'warm', 'warm', 'warm']);
    // Validations asked for together are queued for the one worker.
    const pid = server.pid;
    const together = await Promise.all([bad, good, bad].map((epub) => runAce(epub, { ...base, server })));
    assert.deepEqual(together.map(outcome), [bad, good, bad].map((epub) => expected.get(epub)));
    assert.deepEqual(
      together.map((r) => r.worker),
      ['warm', 'warm', 'warm'],
    );
    assert.equal(server.pid, pid);
    assert.deepEqual(await childrenNaming('ace-worker.mjs\0--serve'), [pid]);
  });

  test('with a cache folder, each request counts its own documents, and the one-shot run reads what the worker stored', async () => {
    const cacheDir = path.join(scratch, 'cache');
    const counted = async (options: AceOptions) => {
      const result = await runAce(bad, { ...options, cacheDir });
      assert.deepEqual(outcome(result), expected.get(bad));
      return { worker: result.worker, documents: result.documents };
    };
    assert.deepEqual(
      [await counted({ ...base, server }), await counted({ ...base, server }), await counted(base)],
      [
        { worker: 'warm', documents: { checked: 5, reused: 0 } },
        { worker: 'warm', documents: { checked: 0, reused: 5 } },
        { worker: 'cold', documents: { checked: 0, reused: 5 } },
      ],
    );
  });

  test('a cached axe result holds for the bytes of the document and of what it may load: a new image is checked again only in the documents that name it, a new style sheet in all', async () => {
    const cacheDir = path.join(scratch, 'cache-resources');
    const variant = async (name: string, file: string, change: (bytes: Buffer) => Buffer) => {
      const files = await readZip(await readFile(bad));
      const key = [...files.keys()].find((f) => f.endsWith(file));
      assert.ok(key, file);
      files.set(key, change(files.get(key) ?? Buffer.alloc(0)));
      const out = path.join(scratch, name);
      await writeFile(out, await writeEpubZip(files, new Date(Date.UTC(2000, 0, 1))));
      return out;
    };
    // Bytes after a PNG's end are not read by a browser: the same picture, other bytes.
    const newCover = await variant('new-cover.epub', 'cover.png', (bytes) => Buffer.concat([bytes, Buffer.from('another cover')]));
    const newStyle = await variant('new-style.epub', 'style.css', (bytes) => Buffer.concat([bytes, Buffer.from('\n/* another style */\n')]));
    const counted = async (epub: string) => {
      const result = await runAce(epub, { ...base, server, cacheDir });
      assert.deepEqual(result.findings, expected.get(bad)?.findings, epub);
      return result.documents;
    };
    assert.deepEqual(
      [await counted(bad), await counted(newCover), await counted(newStyle)],
      [
        { checked: 5, reused: 0 },
        // The cover's document and the article with the image name cover.png; the other three do not.
        { checked: 2, reused: 3 },
        { checked: 5, reused: 0 },
      ],
    );
  });

  test('with two workers, validations asked for together are served by both, with the findings of a one-shot run', async () => {
    const pool = startAceServer({ workers: 2 });
    try {
      const before = new Set(await childrenNaming('ace-worker.mjs\0--serve'));
      const together = await Promise.all([bad, good, bad, good].map((epub) => runAce(epub, { ...base, server: pool })));
      assert.deepEqual(together.map(outcome), [bad, good, bad, good].map((epub) => expected.get(epub)));
      assert.deepEqual(
        together.map((r) => r.worker),
        ['started', 'started', 'warm', 'warm'],
      );
      const workers = (await childrenNaming('ace-worker.mjs\0--serve')).filter((pid) => !before.has(pid));
      assert.equal(workers.length, 2, 'two workers run');
    } finally {
      await pool.close();
    }
  });

  test('a worker killed between validations is started again by the next, with the same findings; the one after is warm', async () => {
    const killed = server.pid;
    assert.ok(killed !== undefined, 'a worker runs');
    process.kill(killed, 'SIGKILL');
    await until(() => server.pid === undefined, 10_000, 'the server sees its worker gone');
    const next = await runAce(bad, { ...base, server });
    assert.deepEqual({ ...outcome(next), worker: next.worker }, { ...expected.get(bad), worker: 'started' });
    assert.ok(server.pid !== undefined && server.pid !== killed);
    const later = await runAce(good, { ...base, server });
    assert.deepEqual({ ...outcome(later), worker: later.worker }, { ...expected.get(good), worker: 'warm' });
  });

  test('another environment gets a worker of its own, and what Ace prints to stdout there does not break the protocol', async () => {
    const previous = server.pid;
    // Ace's debugging switch: its modules then console.log every document's URL and temporary folder.
    const env = { ...process.env, LOG_DEBUG_URLS: '1' };
    const ways: AceResult['worker'][] = [];
    for (const epub of [bad, good]) {
      const result = await runAce(epub, { ...base, env, server });
      assert.deepEqual(outcome(result), expected.get(epub), epub);
      ways.push(result.worker);
    }
    assert.deepEqual(ways, ['started', 'warm']);
    assert.ok(previous !== undefined && gone(previous), 'the worker of the other environment was ended');
    const back = await runAce(bad, { ...base, server });
    assert.deepEqual({ ...outcome(back), worker: back.worker }, { ...expected.get(bad), worker: 'started' });
  });

  test('close() ends the worker and leaves no temporary file; later validations run one-shot', async () => {
    const pid = server.pid;
    assert.ok(pid !== undefined, 'a worker runs');
    await server.close();
    assert.ok(gone(pid), `the worker ${pid} is gone`);
    assert.deepEqual(await childrenNaming('ace-worker.mjs\0--serve'), []);
    assert.equal(server.pid, undefined);
    assert.deepEqual(await readdir(tmp), [], 'no temporary file is left');
    const afterwards = await runAce(bad, { ...base, server });
    assert.deepEqual({ ...outcome(afterwards), worker: afterwards.worker }, { ...expected.get(bad), worker: 'cold' });
    assert.deepEqual(await childrenNaming('ace-worker.mjs\0--serve'), []);
  });

  test('a worker that dies during a validation costs it a one-shot run, not a finding; the next validation starts another', async () => {
    const dying = startAceServer();
    try {
      const validation = runAce(bad, { ...base, server: dying });
      // The request is written as the worker is spawned, so once it has a pid it has a request too.
      await until(() => dying.pid !== undefined, 10_000, 'the worker is spawned');
      const pid = dying.pid ?? 0;
      process.kill(pid, 'SIGKILL');
      const result = await validation;
      assert.deepEqual({ ...outcome(result), worker: result.worker }, { ...expected.get(bad), worker: 'cold' });
      assert.ok(gone(pid));
      const next = await runAce(bad, { ...base, server: dying });
      assert.deepEqual({ ...outcome(next), worker: next.worker }, { ...expected.get(bad), worker: 'started' });
    } finally {
      await dying.close();
    }
    assert.deepEqual(await childrenNaming('ace-worker.mjs\0--serve'), []);
    assert.deepEqual(await readdir(tmp), []);
  });

  test('a worker that stops answering is killed after the timeout and the validation runs one-shot', async () => {
    const hung = startAceServer({ timeoutMs: 2_000 });
    try {
      const validation = runAce(good, { ...base, server: hung });
      await until(() => hung.pid !== undefined, 10_000, 'the worker is spawned');
      const pid = hung.pid ?? 0;
      process.kill(pid, 'SIGSTOP');
      const result = await validation;
      assert.deepEqual({ ...outcome(result), worker: result.worker }, { ...expected.get(good), worker: 'cold' });
      assert.ok(gone(pid), 'the stopped worker was killed');
      assert.equal(hung.pid, undefined);
    } finally {
      await hung.close();
    }
    assert.deepEqual(await childrenNaming('ace-worker.mjs\0--serve'), []);
    assert.deepEqual(await readdir(tmp), []);
  });
});
