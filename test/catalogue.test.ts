/**
 * `folio catalogue build`: catalogue.yaml checked against its schema with every problem at its
 * line, then a local pool of worker processes building small generated issues, a broken one
 * among them, with the report and the published outputs as a person finds them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadCatalogue, recordName, type CatalogueReport, type IssueOutcome } from '../src/catalogue/index.js';
import { formatMessage } from '../src/messages.js';
import { writeCatalogue } from './catalogue-issues.js';
import { runFolio } from './folio-process.js';
import { processesMentioning } from './processes.js';

test('catalogue.yaml: every problem at its file, line and column, and nothing else', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-catalogue-schema-'));
  try {
    const file = path.join(dir, 'catalogue.yaml');
    await writeFile(path.join(dir, 'a.txt'), 'text');
    await writeFile(
      file,
      ['issues:', '  - name: Spring 2020', '    source: a.txt', '    out: out/a', '  - name: b', '    source: a.txt', '    manuscript: m', '    out: out/b', '    colour: red', '  - name: c', '    source: a.txt', '    out: out/a', ''].join('\n'),
    );
    const { catalogue, messages } = await loadCatalogue(file);
    assert.equal(catalogue, undefined);
    assert.deepEqual(messages.map((m) => formatMessage({ ...m, place: { ...m.place, file: path.basename(m.place?.file ?? '') } })), [
      'catalogue.yaml:2:11: error: Unexpected value at `issues.0.name`: lowercase letters and digits joined by - _ or . [catalogue-001]',
      'catalogue.yaml:9:5: error: Unexpected key `colour` in `issues.1`, expected only the keys the schema names [catalogue-001]',
      'catalogue.yaml:5:5: error: Unexpected value at `issues.1`: Expected exactly one of `manuscript` and `source` [catalogue-001]',
      'catalogue.yaml:12:10: error: Unexpected value at `issues.2.out`: Expected an output folder of its own, `out/a` is issue 1\'s too [catalogue-001]',
    ]);
    // A file the catalogue names that is not there is reported at the issue's line.
    await writeFile(file, ['issues:', '  - name: a', '    source: a.txt', '    out: out/a', '  - name: b', '    source: missing.txt', '    out: out/b', ''].join('\n'));
    const missing = await loadCatalogue(file);
    assert.deepEqual(missing.messages.map((m) => [m.ruleId, m.place?.line, m.place?.column]), [['catalogue-002', 5, 5]]);
    assert.match(missing.messages[0]?.reason ?? '', /missing source `.*missing\.txt` of issue `b`/u);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('folio catalogue build: a pool of two workers recycled after each issue builds and publishes every good issue, reports the broken one, and builds nothing twice', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-catalogue-local-'));
  try {
    const { file, good, broken } = await writeCatalogue(dir, [1, 2, 3], { name: 'local', broken: 1 });
    const run = await runFolio(['catalogue', 'build', file, '--workers', '2', '--recycle', '1', '--json']);
    // The JSON document names whatever made the run fail otherwise.
    assert.equal(run.code, 1, `${run.stderr}\n${run.stdout}`);
    const document = JSON.parse(run.stdout) as { exitCode: number; messages: { ruleId: string }[]; report: CatalogueReport };
    // The broken issue's one problem, and nothing else.
    assert.deepEqual(document.messages.map((m) => m.ruleId), ['import-002']);
    const report = JSON.parse(await readFile(path.join(dir, 'report', 'catalogue.json'), 'utf8')) as CatalogueReport;
    assert.deepEqual(report.issues.map((o) => [o.name, o.exitCode, o.fidelity]), [...good.map((n) => [n, 0, 'faithful']), ...broken.map((n) => [n, 1, 'not checked'])]);
    assert.equal(report.totals.published, good.length);
    for (const outcome of report.issues.slice(0, good.length)) {
      assert.ok((outcome.pages ?? 0) >= 3, `${outcome.name}: pages`);
      assert.deepEqual(outcome.validation, { epubcheck: 0, ace: 0, articles: 0 });
      assert.ok(outcome.proof && existsSync(path.join(outcome.out, outcome.proof)), `${outcome.name}: proof`);
      const record = JSON.parse(await readFile(path.join(outcome.out, recordName), 'utf8')) as IssueOutcome;
      assert.equal(record.digest, outcome.digest);
    }
    const html = await readFile(path.join(dir, 'report', 'catalogue.html'), 'utf8');
    assert.match(html, /3 of 4 issues published/u);
    assert.match(html, /<a href="\.\.\/out\/issue-1\/[^"]+\.proof\.html">proof<\/a>/u);
    // Nothing of the broken issue, no staging folder, no partial file.
    assert.deepEqual((await readdir(path.join(dir, 'out'))).sort(), [...good].sort());
    const all = await readdir(path.join(dir, 'out'), { recursive: true });
    assert.deepEqual(all.filter((f) => /\.partial$|\.building/u.test(f)), []);
    assert.deepEqual(processesMentioning(dir), []);

    // Again: every good issue is kept as published (catalogue-007), none built again.
    const again = await runFolio(['catalogue', 'build', file, '--workers', '2', '--json']);
    const second = JSON.parse(again.stdout) as { messages: { ruleId: string }[]; report: CatalogueReport };
    assert.deepEqual(second.messages.map((m) => m.ruleId).sort(), ['catalogue-007', 'catalogue-007', 'catalogue-007', 'import-002']);
    assert.deepEqual(second.report.issues.map((o) => o.reused), [true, true, true, false]);
    assert.deepEqual(second.report.issues.slice(0, 3).map((o) => o.builtAt), report.issues.slice(0, 3).map((o) => o.builtAt));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
