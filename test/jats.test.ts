/**
 * The JATS files of the article stage, checked as their readers meet them: xmllint for
 * well-formedness, the JATS 1.3 nesting table, and Debian's pandoc reading every word of each
 * chapter back. The bundled issue's twelve articles, a small fixture with what they lack (two
 * authors, emphasis, a list, a link, characters XML must escape), and one failure per check,
 * each asserting the whole list of messages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { articleChapters, articleJats, buildArticles, checkNesting, contributorOf, readArticle, verifyJats, type Article } from '../src/articles/index.js';
import type { Chapter, Manuscript } from '../src/manuscript/index.js';
import { formatMessage } from '../src/messages.js';
import { resolved, resolvedManuscript } from './resolved.js';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundled = await resolved(path.join(repo, 'manuscript'));
const manuscript = bundled.manuscript as Manuscript;
const depositedAt = new Date('2022-01-05T10:00:00Z');

async function scratch(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'folio-jats-'));
}

/** A one-chapter manuscript in memory, from the bundled issue's metadata. */
function fixture(markdown: string, fields: Partial<Chapter> = {}): { manuscript: Manuscript; article: Article } {
  const chapter: Chapter = {
    file: 'chapters/01-fixture.md',
    path: '/fixture/chapters/01-fixture.md',
    slug: 'fixture',
    title: 'Rivers & <Roads>',
    titleSource: 'text',
    authors: ['Ada Lovelace', 'Charles Babbage'],
    language: 'en',
    kind: 'article',
    firstPage: 3,
    lastPage: 4,
    markdown,
    ...fields,
  };
  const small: Manuscript = { dir: '/fixture', issue: { ...manuscript.issue, nameOrder: 'given-first', chapters: [chapter] }, chapters: [chapter] };
  return { manuscript: small, article: readArticle(chapter, small).article };
}

const fixtureMarkdown = `---
slug: fixture
---

:page[3]

# Rivers & <Roads>

:::byline
By Ada Lovelace and Charles Babbage[^author]
:::

The *first* paragraph, with **strong** words, \`code\` and a [link](https://example.org/?a=1&b=2) and a call.[^1]

## One

- a list item
- another on :page[4]the next page

> A quote with "quotes" & an ampersand.

[^author]: Ada Lovelace and Charles Babbage wrote engines.

[^1]: The note, *emphasised*.
`;

test('every article of the bundled issue, in both languages, gets JATS that xmllint, the nesting table and pandoc accept', async () => {
  const articles = articleChapters(manuscript);
  assert.deepEqual(
    articles.map((c) => `${c.language}:${c.slug}`),
    manuscript.chapters.filter((c) => c.kind === 'article').map((c) => `${c.language}:${c.slug}`),
  );
  assert.equal(articles.filter((c) => c.language === 'en').length, 6);
  assert.equal(articles.filter((c) => c.language === 'zh-Hans').length, 6);
  const out = await scratch();
  try {
    const result = await buildArticles({ resolved: resolvedManuscript({ ...manuscript, issue: { ...manuscript.issue, outputs: { jats: true, landing: false, crossref: false } } }, { outDir: out }), depositedAt });
    assert.deepEqual(result.messages.map(formatMessage), []);
    assert.equal(result.articles.length, 12);
    for (const made of result.articles) {
      assert.equal(made.jats, path.join(out, 'articles', `${made.slug}.jats.xml`));
      const xml = await readFile(made.jats, 'utf8');
      assert.match(xml, new RegExp(`<article [^>]*dtd-version="1.3" article-type="research-article" xml:lang="${made.language}"`));
      assert.match(xml, new RegExp(`<fpage>${made.firstPage}</fpage>\\s*<lpage>${made.lastPage}</lpage>`));
      // pandoc's plain text holds the opening words of the chapter's running text.
      const plain = execFileSync('pandoc', ['-f', 'jats', '-t', 'plain', made.jats], { encoding: 'utf8' });
      assert.ok(plain.length > 1000, made.slug);
      assert.ok(made.words > 3000, `${made.slug}: ${made.words} words`);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the fixture: front, sections, notes as xref and fn-group, page targets, and escaping', async () => {
  const { article, manuscript: small } = fixture(fixtureMarkdown);
  const { xml, messages } = articleJats(article, small.issue);
  assert.deepEqual(messages, []);
  assert.match(xml, /<article-title>Rivers &amp; &lt;Roads&gt;<\/article-title>/u);
  assert.match(xml, /<name name-style="western">\s*<surname>Lovelace<\/surname>\s*<given-names>Ada<\/given-names>\s*<\/name>\s*<xref ref-type="author-notes" rid="fn-author"\/>/u);
  assert.match(xml, /<author-notes>\s*<fn id="fn-author">\s*<p>Ada Lovelace and Charles Babbage wrote engines.<\/p>/u);
  assert.match(xml, /<p><target target-type="page" id="page-3"\/>The <italic>first<\/italic> paragraph, with <bold>strong<\/bold> words, <monospace>code<\/monospace> and a <ext-link ext-link-type="uri" xlink:href="https:\/\/example.org\/\?a=1&amp;b=2">link<\/ext-link> and a call.<xref ref-type="fn" rid="fn-1">1<\/xref><\/p>/u);
  assert.match(xml, /<sec>\s*<title>One<\/title>\s*<list list-type="bullet">/u);
  assert.match(xml, /<p>another on <target target-type="page" id="page-4"\/>the next page<\/p>/u);
  assert.match(xml, /<disp-quote>\s*<p>A quote with "quotes" &amp; an ampersand.<\/p>/u);
  assert.match(xml, /<back>\s*<fn-group>\s*<fn id="fn-1">\s*<label>1<\/label>\s*<p>The note, <italic>emphasised<\/italic>.<\/p>/u);
  const dir = await scratch();
  try {
    const file = path.join(dir, 'fixture.jats.xml');
    await writeFile(file, xml);
    assert.deepEqual((await verifyJats(file, xml, article)).map(formatMessage), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('each check finds its own breakage, and nothing else', async () => {
  const { article, manuscript: small } = fixture(fixtureMarkdown);
  const good = articleJats(article, small.issue).xml;
  const dir = await scratch();
  const verify = async (xml: string): Promise<string[]> => {
    const file = path.join(dir, 'case.jats.xml');
    await writeFile(file, xml);
    return (await verifyJats(file, xml, article)).map((m) => formatMessage(m).replace(`${file}`, 'case.jats.xml'));
  };
  try {
    assert.deepEqual(await verify(good.replace('</body>', '')), [
      'case.jats.xml:73: error: Unexpected XML that is not well-formed: Opening and ending tag mismatch: body line 48 and article [articles-002]',
      'case.jats.xml:74: error: Unexpected XML that is not well-formed: Premature end of data in tag article line 3 [articles-002]',
    ]);
    assert.deepEqual(await verify(good.replace('<lpage>4</lpage>', '<lpage>5</lpage>')), ["case.jats.xml: error: Unexpected <lpage> 5, expected 4 (the chapter's last page marker) [articles-005]"]);
    assert.deepEqual(await verify(good.replace('<target target-type="page" id="page-4"/>', '')), [
      'case.jats.xml: error: Unexpected page targets page-3, expected page-3, page-4 (one per page marker, in order) [articles-005]',
    ]);
    assert.deepEqual(await verify(good.replace('<title>One</title>', '<title>One</title><sec><title>x</title></sec><p>late</p>')), [
      'case.jats.xml:51:52: error: Unexpected `p` after `sec` inside `sec`, expected it before (at /article/body/sec/p) [articles-003]',
      'case.jats.xml:52:7: error: Unexpected `list` after `sec` inside `sec`, expected it before (at /article/body/sec/list) [articles-003]',
      'case.jats.xml:60:7: error: Unexpected `disp-quote` after `sec` inside `sec`, expected it before (at /article/body/sec/disp-quote) [articles-003]',
      "case.jats.xml: error: Unexpected 2 words pandoc reads in the JATS file that the chapter lacks: `x`, `late`; expected the chapter's words only [articles-004]",
    ]);
    assert.deepEqual(await verify(good.replace('an ampersand.', '')), ['case.jats.xml: error: Unexpected 2 words of the chapter that pandoc does not read in the JATS file: `an`, `ampersand`; expected every word [articles-004]']);
    assert.deepEqual(await verify(good.replace('rid="fn-1"', 'rid="fn-2"')), [
      "case.jats.xml: error: Unexpected note calls as pandoc reads them (1: fn-2), expected the chapter's 1 (fn-1) [articles-004]",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a Markdown table, which the articles never hold, is written as a paragraph with its words and a warning', async () => {
  const { article, manuscript: small } = fixture(`${fixtureMarkdown.replace('## One', '| a | b |\n| - | - |\n| c | d |\n\n## One')}`);
  const { xml, messages } = articleJats(article, small.issue);
  assert.deepEqual(messages.map(formatMessage), [
    '/fixture/chapters/01-fixture.md:15:1: warning: Unexpected `table` in an article, expected paragraphs, headings, lists or quotes; written to JATS as a plain paragraph [articles-001]',
  ]);
  assert.match(xml, /<p>a b c d<\/p>/u);
  const dir = await scratch();
  try {
    const file = path.join(dir, 'table.jats.xml');
    await writeFile(file, xml);
    assert.deepEqual(await verifyJats(file, xml, article), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('names: Han script family name first; Latin script by the issue\'s nameOrder', () => {
  assert.deepEqual(contributorOf('王毅', 'given-first'), { name: '王毅', surname: '王', given: '毅', style: 'eastern' });
  assert.deepEqual(contributorOf('Wang Yi', 'family-first'), { name: 'Wang Yi', surname: 'Wang', given: 'Yi', style: 'eastern' });
  assert.deepEqual(contributorOf('Ada King Lovelace', undefined), { name: 'Ada King Lovelace', surname: 'Lovelace', given: 'Ada King', style: 'western' });
});

test('the Chinese versions: the byline beside the name is the author note, and the English title is the trans-title', () => {
  const chapter = manuscript.chapters.find((c) => c.slug === 'a-long-journey-one-more-step-zh') as Chapter;
  const { article } = readArticle(chapter, manuscript);
  const { xml } = articleJats(article, manuscript.issue);
  assert.match(xml, /<article-title>征途漫漫 再进一步<\/article-title>\s*<subtitle>——谈联合国气候变化格拉斯哥会议<\/subtitle>\s*<trans-title-group xml:lang="en">\s*<trans-title>A Long Journey, One More Step Forward: On the UN Climate Change Conference in Glasgow<\/trans-title>/u);
  assert.match(xml, /<name name-style="eastern">\s*<surname>孙<\/surname>\s*<given-names>劲<\/given-names>/u);
  assert.match(xml, /<fn id="fn-author">\s*<p>外交部气候变化谈判特别代表、条约法律司副司长<\/p>/u);
});

test('an element the table does not know is reported where it stands', () => {
  const doc = new DOMParser().parseFromString('<article><front><journal-meta/><article-meta/></front><body><p>a<blink>b</blink></p></body></article>', 'text/xml');
  assert.deepEqual(
    checkNesting(doc.documentElement as NonNullable<typeof doc.documentElement>).map((p) => `${p.path}: ${p.reason}`),
    ['/article/body/p/blink: Unexpected `blink` inside `p`, expected `italic`, `bold`, `monospace`, `xref`, `target`, `ext-link`', '/article/body/p/blink: Unexpected element `blink`, expected one of the elements the JATS nesting table lists'],
  );
});
