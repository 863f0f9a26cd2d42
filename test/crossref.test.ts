/**
 * The Crossref deposit: depositable only with every DOI and the depositor, ISSN and address
 * given (then at build/crossref.xml, well-formed by xmllint); otherwise kept for review as
 * crossref.invalid.xml with one warning saying what is missing. DOIs are never invented.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { buildArticles, crossrefTimestamp } from '../src/articles/index.js';
import type { Manuscript } from '../src/manuscript/index.js';
import { formatMessage } from '../src/messages.js';
import { resolved, resolvedManuscript } from './resolved.js';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { manuscript } = await resolved(path.join(repo, 'manuscript'));
const depositedAt = new Date('2022-01-05T10:00:00Z');
const onlyCrossref = { jats: false, landing: false, crossref: true };

/** The bundled issue with what a deposit needs: a DOI for every article (made up here, in a test, as fixtures are). */
function depositable(withoutDoi: readonly string[] = []): Manuscript {
  let n = 0;
  const chapters = manuscript.chapters.map((c) => (c.kind === 'article' && !withoutDoi.includes(c.slug) ? { ...c, doi: `10.5555/faj.2021.w.${(n += 1)}` } : c));
  return {
    ...manuscript,
    chapters,
    issue: { ...manuscript.issue, issn: '1234-5679', volume: '141', articlesUrl: 'https://journal.example/2021-winter/', depositor: { name: 'CPIFA Editorial Office', email: 'doi@journal.example' }, outputs: onlyCrossref },
  };
}

async function withOut<T>(work: (out: string) => Promise<T>): Promise<T> {
  const out = await mkdtemp(path.join(tmpdir(), 'folio-crossref-'));
  try {
    return await work(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const children = (node: Element, name: string): Element[] => Array.from(node.getElementsByTagName(name));
const text = (node: Element, name: string): string | null | undefined => children(node, name)[0]?.textContent;

test('a depositable issue: doi_batch with journal, issue and twelve journal_articles, well-formed, no message', async () => {
  await withOut(async (out) => {
    const result = await buildArticles({ resolved: resolvedManuscript(depositable(), { outDir: out }), depositedAt });
    assert.deepEqual(result.messages.map(formatMessage), []);
    const file = path.join(out, 'crossref.xml');
    assert.equal(result.crossref, file);
    assert.equal(existsSync(path.join(out, 'crossref.invalid.xml')), false);
    execFileSync('xmllint', ['--noout', file]);
    const doc = new DOMParser().parseFromString(await readFile(file, 'utf8'), 'text/xml');
    const root = doc.documentElement as Element;
    assert.equal(root.getAttribute('version'), '5.3.1');
    assert.equal(root.namespaceURI, 'http://www.crossref.org/schema/5.3.1');
    assert.equal(text(root, 'timestamp'), crossrefTimestamp(depositedAt));
    assert.equal(crossrefTimestamp(depositedAt), '20220105100000');
    assert.equal(text(root, 'depositor_name'), 'CPIFA Editorial Office');
    assert.equal(text(root, 'registrant'), 'Chinese People’s Institute of Foreign Affairs');
    const issue = children(root, 'journal_issue')[0] as Element;
    assert.equal(text(issue, 'volume'), '141');
    assert.equal(text(issue, 'issue'), 'Winter 2021');
    assert.deepEqual([text(issue, 'month'), text(issue, 'day'), text(issue, 'year')], ['12', '31', '2021']);
    const articles = children(root, 'journal_article');
    assert.equal(articles.length, 12);
    const first = articles[0] as Element;
    assert.equal(first.getAttribute('language'), 'en');
    assert.equal(text(first, 'first_page'), '1');
    assert.equal(text(first, 'last_page'), '12');
    const person = children(first, 'person_name')[0] as Element;
    assert.deepEqual([person.getAttribute('sequence'), person.getAttribute('contributor_role'), text(person, 'given_name'), text(person, 'surname')], ['first', 'author', 'Yi', 'Wang']);
    assert.equal(text(first, 'doi'), '10.5555/faj.2021.w.1');
    assert.equal(text(first, 'resource'), 'https://journal.example/2021-winter/study-and-implement-xi-jinping-thought.html');
    const chinese = articles[6] as Element;
    assert.equal(chinese.getAttribute('language'), 'zh');
    assert.equal(children(chinese, 'original_language_title')[0]?.getAttribute('language'), 'en');
    assert.equal(children(chinese, 'rel:intra_work_relation')[0]?.textContent, '10.5555/faj.2021.w.1');
  });
});

test('the bundled issue gives no DOI: the deposit is kept as crossref.invalid.xml with one warning, crossref.xml is removed', async () => {
  await withOut(async (out) => {
    await writeFile(path.join(out, 'crossref.xml'), 'an older deposit');
    const result = await buildArticles({ resolved: resolvedManuscript({ ...manuscript, issue: { ...manuscript.issue, outputs: onlyCrossref } }, { outDir: out }), depositedAt });
    const invalid = path.join(out, 'crossref.invalid.xml');
    const slugs = manuscript.chapters.filter((c) => c.kind === 'article').map((c) => c.slug);
    assert.deepEqual(result.messages.map(formatMessage), [
      `${invalid}: warning: Unexpected Crossref deposit that cannot be deposited: no \`depositor\` (name and e-mail) in issue.yaml; no \`issn\` for the journal; no \`articlesUrl\` for the DOIs to resolve to; no \`doi\` for any of the 12 articles (${slugs.join(', ')}); expected every article with a DOI (never invented): kept for review as \`crossref.invalid.xml\`, not at \`crossref.xml\` [articles-006]`,
    ]);
    assert.equal(result.crossref, invalid);
    assert.equal(existsSync(path.join(out, 'crossref.xml')), false);
    const xml = await readFile(invalid, 'utf8');
    execFileSync('xmllint', ['--noout', invalid]);
    assert.doesNotMatch(xml, /<doi_data>|<doi>/u);
  });
});

test('one article without a DOI is named; a later complete deposit removes the invalid copy', async () => {
  await withOut(async (out) => {
    const first = await buildArticles({ resolved: resolvedManuscript(depositable(['the-world-economy-in-2022-analysis-zh']), { outDir: out }), depositedAt });
    assert.deepEqual(first.messages.map(formatMessage), [
      `${path.join(out, 'crossref.invalid.xml')}: warning: Unexpected Crossref deposit that cannot be deposited: no \`doi\` for 1 of the 12 articles (the-world-economy-in-2022-analysis-zh); expected every article with a DOI (never invented): kept for review as \`crossref.invalid.xml\`, not at \`crossref.xml\` [articles-006]`,
    ]);
    const second = await buildArticles({ resolved: resolvedManuscript(depositable(), { outDir: out }), depositedAt });
    assert.deepEqual(second.messages, []);
    assert.equal(existsSync(path.join(out, 'crossref.invalid.xml')), false);
    assert.equal(existsSync(path.join(out, 'crossref.xml')), true);
  });
});

test('unasked, an issue that names no depositor and no DOI gets no deposit and no warning; one DOI asks for it', async () => {
  await withOut(async (out) => {
    const unasked = await buildArticles({ resolved: resolvedManuscript({ ...manuscript, issue: { ...manuscript.issue, outputs: { jats: false, landing: false } } }, { outDir: out }), depositedAt });
    assert.deepEqual([unasked.messages, unasked.written, unasked.crossref], [[], [], undefined]);
    const one = manuscript.chapters.map((c) => (c.slug === 'a-long-journey-one-more-step' ? { ...c, doi: '10.5555/faj.2021.w.4' } : c));
    const asked = await buildArticles({ resolved: resolvedManuscript({ ...manuscript, chapters: one, issue: { ...manuscript.issue, outputs: { jats: false, landing: false } } }, { outDir: out }), depositedAt });
    assert.deepEqual(asked.messages.map((m) => m.ruleId), ['articles-006']);
    assert.match(asked.messages[0]?.reason ?? '', /no `doi` for 11 of the 12 articles \(/u);
  });
});

test('outputs: { crossref: false } writes no deposit and says nothing', async () => {
  await withOut(async (out) => {
    const result = await buildArticles({ resolved: resolvedManuscript({ ...manuscript, issue: { ...manuscript.issue, outputs: { jats: false, landing: false, crossref: false } } }, { outDir: out }), depositedAt });
    assert.deepEqual(result.messages, []);
    assert.deepEqual(result.written, []);
    assert.equal(result.crossref, undefined);
  });
});
