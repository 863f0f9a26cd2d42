/**
 * EPUBCheck through a server, a JVM kept running between validations, with the real tools:
 * its findings are those of a one-shot run, request after request; a JVM killed between
 * validations is started again by the next one; one that dies or hangs during a validation
 * costs that validation a one-shot run, never a finding; and `close` leaves no JVM and no
 * temporary file behind.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildEpub } from '../src/epub/index.js';
import { runEpubcheck, startEpubcheckServer, type EpubcheckResult, type EpubcheckServer } from '../src/epub/epubcheck.js';
import { readZip, writeEpubZip } from '../src/epub/zip.js';
import { childrenNaming, gone, until } from './processes.js';
import { resolved } from './resolved.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
delete process.env.SOURCE_DATE_EPOCH;

/** What must not differ between a validation through the server and a one-shot one. */
function outcome(result: EpubcheckResult) {
  return { version: result.version, messages: result.messages, findings: result.findings };
}

describe('epubcheck server: a JVM kept running between validations', () => {
  let scratch = '';
  let tmp = '';
  const savedTmpdir = process.env.TMPDIR;
  let good = '';
  let bad = '';
  let expected: Map<string, ReturnType<typeof outcome>>;
  let server: EpubcheckServer;

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'folio-epubcheck-server-test-'));
    // The server's report files go to a folder of this test's own, so that what is left in it
    // is what the server left.
    tmp = path.join(scratch, 'tmp');
    await mkdir(tmp);
    process.env.TMPDIR = tmp;
    good = path.join(scratch, 'good.epub');
    const built = await buildEpub({ resolved: await resolved(path.join(repo, 'test/fixtures/manuscript/small'), { epub: good }), validate: false });
    assert.deepEqual(built.messages, []);
    // A dangling link and a missing image: EPUBCheck errors (RSC-007) with places in a document.
    const files = await readZip(await readFile(good));
    const name = [...files.keys()].find((f) => f.endsWith('a-test-article.xhtml'));
    assert.ok(name);
    files.set(name, Buffer.from((files.get(name)?.toString('utf8') ?? '').replace('</h1>', '</h1><img src="missing.png" alt=""/><p><a href="missing.xhtml">dangling</a></p>')));
    bad = path.join(scratch, 'bad.epub');
    await writeFile(bad, await writeEpubZip(files, new Date(Date.UTC(2000, 0, 1))));
    const [goodResult, badResult] = await Promise.all([runEpubcheck(good), runEpubcheck(bad)]);
    assert.equal(goodResult.jvm, 'cold');
    assert.deepEqual(goodResult.findings, []);
    assert.ok(badResult.findings?.some((f) => f.id === 'RSC-007' && f.line !== undefined), JSON.stringify(badResult.findings));
    expected = new Map([
      [good, outcome(goodResult)],
      [bad, outcome(badResult)],
    ]);
    server = startEpubcheckServer();
  });

  after(async () => {
    await server.close();
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    await rm(scratch, { recursive: true, force: true });
  });

  test('the findings are those of a one-shot run, request after request; the JVM the first starts serves the rest warm, one at a time', async () => {
    assert.equal(server.pid, undefined, 'nothing runs before the first validation');
    const ways: EpubcheckResult['jvm'][] = [];
    for (const epub of [good, bad, good, bad]) {
      const result = await runEpubcheck(epub, process.env, { server });
      assert.deepEqual(outcome(result), expected.get(epub), epub);
      assert.equal(result.archive, undefined, 'no one-shot run');
      ways.push(result.jvm);
    }
    assert.deepEqual(ways, ['started', 'warm', 'warm', 'warm']);
    // Validations asked for together are queued for the one JVM.
    const pid = server.pid;
    const together = await Promise.all([bad, good, bad].map((epub) => runEpubcheck(epub, process.env, { server })));
    assert.deepEqual(together.map(outcome), [bad, good, bad].map((epub) => expected.get(epub)));
    assert.deepEqual(
      together.map((r) => r.jvm),
      ['warm', 'warm', 'warm'],
    );
    assert.equal(server.pid, pid);
    assert.deepEqual(await childrenNaming('EpubcheckServer.java'), [pid]);
  });

  test('a JVM killed between validations is started again by the next, with the same findings; the one after is warm', async () => {
    const killed = server.pid;
    assert.ok(killed !== undefined, 'a JVM runs');
    process.kill(killed, 'SIGKILL');
    await until(() => server.pid === undefined, 10_000, 'the server sees its JVM gone');
    const next = await runEpubcheck(bad, process.env, { server });
    assert.deepEqual({ ...outcome(next), jvm: next.jvm }, { ...expected.get(bad), jvm: 'started' });
    assert.ok(server.pid !== undefined && server.pid !== killed);
    const later = await runEpubcheck(good, process.env, { server });
    assert.deepEqual({ ...outcome(later), jvm: later.jvm }, { ...expected.get(good), jvm: 'warm' });
  });

  test('close() ends the JVM and leaves no temporary file; later validations run one-shot', async () => {
    const pid = server.pid;
    assert.ok(pid !== undefined, 'a JVM runs');
    await server.close();
    assert.ok(gone(pid), `the JVM ${pid} is gone`);
    assert.deepEqual(await childrenNaming('EpubcheckServer.java'), []);
    assert.equal(server.pid, undefined);
    assert.deepEqual(await readdir(tmp), [], 'no report file is left');
    const afterwards = await runEpubcheck(bad, process.env, { server });
    assert.deepEqual({ ...outcome(afterwards), jvm: afterwards.jvm }, { ...expected.get(bad), jvm: 'cold' });
    assert.deepEqual(await childrenNaming('EpubcheckServer.java'), []);
  });

  test('a JVM that dies during a validation costs it a one-shot run, not a finding; the next validation starts another', async () => {
    const dying = startEpubcheckServer();
    try {
      const validation = runEpubcheck(bad, process.env, { server: dying });
      // The request is written as the JVM is spawned, so once it has a pid it has a request too.
      await until(() => dying.pid !== undefined, 10_000, 'the JVM is spawned');
      const pid = dying.pid ?? 0;
      process.kill(pid, 'SIGKILL');
      const result = await validation;
      assert.deepEqual({ ...outcome(result), jvm: result.jvm }, { ...expected.get(bad), jvm: 'cold' });
      assert.ok(gone(pid));
      const next = await runEpubcheck(bad, process.env, { server: dying });
      assert.deepEqual({ ...outcome(next), jvm: next.jvm }, { ...expected.get(bad), jvm: 'started' });
    } finally {
      await dying.close();
    }
    assert.deepEqual(await childrenNaming('EpubcheckServer.java'), []);
    assert.deepEqual(await readdir(tmp), []);
  });

  test('a JVM that stops answering is killed after the timeout and the validation runs one-shot', async () => {
    const hung = startEpubcheckServer(process.env, { timeoutMs: 2_000 });
    try {
      const validation = runEpubcheck(good, process.env, { server: hung });
      await until(() => hung.pid !== undefined, 10_000, 'the JVM is spawned');
      const pid = hung.pid ?? 0;
      process.kill(pid, 'SIGSTOP');
      const result = await validation;
      assert.deepEqual({ ...outcome(result), jvm: result.jvm }, { ...expected.get(good), jvm: 'cold' });
      assert.ok(gone(pid), 'the stopped JVM was killed');
      assert.equal(hung.pid, undefined);
    } finally {
      await hung.close();
    }
    assert.deepEqual(await childrenNaming('EpubcheckServer.java'), []);
    assert.deepEqual(await readdir(tmp), []);
  });
});
