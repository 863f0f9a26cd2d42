/**
 * `folio articles` and `folio check` on the article outputs, spawned as a person runs them: the
 * exit code, the whole list of messages and the `--json` document; a JATS file edited after the
 * build is caught by the check; `outputs:` in issue.yaml asks for the deposit and turns the outputs off.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatMessage, type Message } from '../src/messages.js';
import { runFolio } from './folio-process.js';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const small = path.join(repo, 'test', 'fixtures', 'manuscript', 'small');

test('folio articles writes the JATS files, landing pages and the deposit for review; folio check reads the JATS back', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-articles-'));
  try {
    const manuscript = path.join(dir, 'manuscript');
    await cp(small, manuscript, { recursive: true });
    const out = path.join(dir, 'build');
    // The fixture names no depositor and no DOI: without asking, it gets no deposit.
    const unasked = await runFolio(['articles', '--manuscript', manuscript, '--out-dir', path.join(dir, 'unasked'), '--json']);
    assert.equal(unasked.code, 0, unasked.stderr);
    assert.deepEqual((JSON.parse(unasked.stdout) as { messages: Message[] }).messages, []);
    assert.equal(existsSync(path.join(dir, 'unasked', 'crossref.invalid.xml')), false);
    const issue = path.join(manuscript, 'issue.yaml');
    const issueYaml = await readFile(issue, 'utf8');
    await writeFile(issue, `${issueYaml}outputs: { crossref: true }\n`);
    const run = await runFolio(['articles', '--manuscript', manuscript, '--out-dir', out, '--json'], { SOURCE_DATE_EPOCH: '1641376800' });
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { exitCode: number; messages: Message[]; written: string[]; crossref: string };
    const invalid = path.join(out, 'crossref.invalid.xml');
    assert.deepEqual(doc.messages.map(formatMessage), [
      `${invalid}: warning: Unexpected Crossref deposit that cannot be deposited: no \`depositor\` (name and e-mail) in issue.yaml; no \`issn\` for the journal; no \`articlesUrl\` for the DOIs to resolve to; no \`doi\` for any of the 2 articles (a-test-article, a-test-article-zh); expected every article with a DOI (never invented): kept for review as \`crossref.invalid.xml\`, not at \`crossref.xml\` [articles-006]`,
    ]);
    const jats = path.join(out, 'articles', 'a-test-article.jats.xml');
    assert.deepEqual(doc.written, [jats, path.join(out, 'articles', 'a-test-article.html'), path.join(out, 'articles', 'a-test-article-zh.jats.xml'), path.join(out, 'articles', 'a-test-article-zh.html'), invalid]);
    // SOURCE_DATE_EPOCH makes the deposit's timestamp, so a rebuild writes the same bytes.
    assert.match(await readFile(invalid, 'utf8'), /<timestamp>20220105100000<\/timestamp>/u);

    const clean = await runFolio(['check', '--manuscript', manuscript, '--out', out, '--no-pdf', '--no-epub', '--no-proof', '--json']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual((JSON.parse(clean.stdout) as { messages: Message[] }).messages, []);

    // An edit after the build: the last page and a word. The check names both.
    const xml = await readFile(jats, 'utf8');
    await writeFile(jats, xml.replace('<lpage>2</lpage>', '<lpage>3</lpage>').replace('<p>', '<p>Inserted '));
    const broken = await runFolio(['check', '--manuscript', manuscript, '--out', out, '--no-pdf', '--no-epub', '--no-proof', '--json']);
    assert.equal(broken.code, 1, broken.stderr);
    assert.deepEqual((JSON.parse(broken.stdout) as { messages: Message[] }).messages.map(formatMessage), [
      `${jats}: error: Unexpected <lpage> 3, expected 2 (the chapter's last page marker) [articles-005]`,
      `${jats}: error: Unexpected 1 words pandoc reads in the JATS file that the chapter lacks: \`Inserted\`; expected the chapter's words only [articles-004]`,
    ]);

    // Turned off in issue.yaml: nothing is written, nothing said.
    await writeFile(issue, `${issueYaml}outputs: { jats: false, crossref: false, landing: false }\n`);
    const off = await runFolio(['articles', '--manuscript', manuscript, '--out-dir', path.join(dir, 'off'), '--json']);
    assert.equal(off.code, 0, off.stderr);
    const offDoc = JSON.parse(off.stdout) as { messages: Message[]; written: string[] };
    assert.deepEqual([offDoc.messages, offDoc.written], [[], []]);
    assert.equal(existsSync(path.join(dir, 'off', 'articles')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('without xmllint and pandoc: articles-007 for every file, exit 2, and the files stay where they are (nothing found wrong)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-articles-'));
  try {
    const out = path.join(dir, 'build');
    // A PATH with neither tool on it; node is run by its full path.
    const run = await runFolio(['articles', '--manuscript', small, '--out-dir', out, '--json'], { PATH: path.join(dir, 'no-tools') });
    assert.equal(run.code, 2, run.stderr);
    const files = ['a-test-article', 'a-test-article-zh'].map((slug) => path.join(out, 'articles', `${slug}.jats.xml`));
    assert.deepEqual(
      (JSON.parse(run.stdout) as { messages: Message[] }).messages.map((m) => `${m.place?.file}: ${m.ruleId}: ${m.reason.replace(/\(ENOENT.*?\)/u, '(ENOENT)')}`),
      files.map((file) => `${file}: articles-007: Unexpected failure running xmllint (ENOENT), expected Debian's libxml2-utils (npm run setup installs it)`),
    );
    for (const file of files) assert.equal(existsSync(file), true, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an output folder that is a file: articles-008 for every file, exit 2; a folder under /proc: cli-004 at once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-articles-'));
  try {
    const out = path.join(dir, 'build');
    await mkdir(out);
    await writeFile(path.join(out, 'articles'), 'a file where the folder goes');
    const run = await runFolio(['articles', '--manuscript', small, '--out-dir', out, '--json']);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(
      (JSON.parse(run.stdout) as { messages: Message[] }).messages.map((m) => `${path.basename(m.place?.file ?? '')}: ${m.ruleId}`),
      ['a-test-article.jats.xml: articles-008', 'a-test-article.html: articles-008', 'a-test-article-zh.jats.xml: articles-008', 'a-test-article-zh.html: articles-008'],
    );
    const proc = await runFolio(['articles', '--manuscript', small, '--out-dir', '/proc/folio-articles', '--json']);
    assert.equal(proc.code, 2, proc.stderr);
    assert.deepEqual((JSON.parse(proc.stdout) as { messages: Message[] }).messages.map((m) => m.ruleId), ['cli-004']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
