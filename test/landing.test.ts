/**
 * The landing pages, read as Google Scholar's crawler reads them: opened in Debian's Chromium,
 * the `citation_*` meta tags taken from the DOM, with the visible title, authors, pages and
 * opening paragraph. The browser is always closed and its profile removed (src/chromium.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { articleChapters, articleLanding, buildArticles, readArticle } from '../src/articles/index.js';
import { launchChromium } from '../src/session/index.js';
import { resolved, resolvedManuscript } from './resolved.js';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { manuscript } = await resolved(path.join(repo, 'manuscript'));

/** What a crawler reads of a page: every meta tag by name (in order), and the visible parts. */
interface PageReading {
  lang: string;
  tags: Array<[string, string]>;
  title: string;
  byline: string;
  meta: string;
  abstract: string;
  pdfLink: string;
  epubLink: string;
  alternates: string[];
}

test('every landing page carries the Google Scholar tags and shows title, authors, pages and abstract', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'folio-landing-'));
  const issue = { ...manuscript.issue, outputs: { jats: true, landing: true, crossref: false } };
  // One article with what the bundled issue lacks: a DOI, and a volume.
  const withDoi = manuscript.chapters.map((c) => (c.slug === 'carrying-forward-china-russia-good-neighborliness' ? { ...c, doi: '10.5555/faj.2021.w.2' } : c));
  const chromium = await launchChromium({ timeoutMs: 120_000 });
  try {
    const result = await buildArticles({ resolved: resolvedManuscript({ ...manuscript, chapters: withDoi, issue: { ...issue, volume: '141' } }, { outDir: out }), depositedAt: new Date('2022-01-05T10:00:00Z'), verify: false });
    assert.deepEqual(result.messages, []);
    assert.equal(result.articles.length, 12);
    const tab = await chromium.browser.newPage();
    const readings = new Map<string, PageReading>();
    for (const made of result.articles) {
      assert.equal(made.landing, path.join(out, 'articles', `${made.slug}.html`));
      await tab.goto(pathToFileURL(made.landing).href, { waitUntil: 'load' });
      readings.set(
        made.slug,
        // A string, not a function: the test runner's transform would add helpers the page lacks.
        (await tab.evaluate(`(() => {
          const text = (selector) => document.querySelector(selector)?.textContent ?? '';
          return {
            lang: document.documentElement.lang,
            tags: Array.from(document.querySelectorAll('meta[name^="citation_"]')).map((m) => [m.getAttribute('name') ?? '', m.getAttribute('content') ?? '']),
            title: text('h1'),
            byline: text('.byline'),
            meta: text('.meta'),
            abstract: text('.abstract'),
            pdfLink: document.querySelector('a[type="application/pdf"]')?.getAttribute('href') ?? '',
            epubLink: document.querySelector('a[type="application/epub+zip"]')?.getAttribute('href') ?? '',
            alternates: Array.from(document.querySelectorAll('link[rel="alternate"]')).map((l) => l.getAttribute('type') + ' ' + l.getAttribute('href')),
          };
        })()`)) as PageReading,
      );
    }
    await tab.close();
    assert.deepEqual(readings.get('carrying-forward-china-russia-good-neighborliness'), {
      lang: 'en',
      tags: [
        ['citation_title', 'Carrying Forward China-Russia Good-neighborliness and Writing a Splendid Chapter for a New Era'],
        ['citation_author', 'Le, Yucheng'],
        ['citation_publication_date', '2021/12/31'],
        ['citation_journal_title', 'Foreign Affairs Journal'],
        ['citation_publisher', 'Chinese People’s Institute of Foreign Affairs'],
        ['citation_volume', '141'],
        ['citation_issue', 'Winter 2021'],
        ['citation_firstpage', '13'],
        ['citation_lastpage', '29'],
        ['citation_pdf_url', 'carrying-forward-china-russia-good-neighborliness.pdf'],
        ['citation_language', 'en'],
        ['citation_doi', '10.5555/faj.2021.w.2'],
      ],
      title: 'Carrying Forward China-Russia Good-neighborliness and Writing a Splendid Chapter for a New Era',
      byline: 'Le Yucheng',
      meta: 'Foreign Affairs Journal, vol. 141, Winter 2021, pp. 13–29 · doi:10.5555/faj.2021.w.2',
      abstract: readings.get('carrying-forward-china-russia-good-neighborliness')?.abstract ?? '',
      pdfLink: 'carrying-forward-china-russia-good-neighborliness.pdf',
      epubLink: 'carrying-forward-china-russia-good-neighborliness.epub',
      alternates: ['application/jats+xml carrying-forward-china-russia-good-neighborliness.jats.xml', 'application/epub+zip carrying-forward-china-russia-good-neighborliness.epub'],
    });
    const zh = readings.get('a-long-journey-one-more-step-zh') as PageReading;
    assert.equal(zh.lang, 'zh-Hans');
    assert.deepEqual(
      zh.tags.filter(([name]) => ['citation_author', 'citation_firstpage', 'citation_lastpage', 'citation_language'].includes(name)),
      [
        ['citation_author', '孙劲'],
        ['citation_firstpage', '148'],
        ['citation_lastpage', '154'],
        ['citation_language', 'zh-Hans'],
      ],
    );
    assert.match(zh.abstract, /^2021年10月31日至11月13日/u);
    for (const [slug, reading] of readings) {
      const chapter = manuscript.chapters.find((c) => c.slug === slug);
      assert.ok(chapter, slug);
      const names = reading.tags.map(([name]) => name);
      // One of each tag, but one citation_author per author; no DOI tag without a DOI.
      assert.deepEqual(names.filter((n) => n === 'citation_author').length, chapter.authors.length, slug);
      assert.equal(names.includes('citation_doi'), slug === 'carrying-forward-china-russia-good-neighborliness', slug);
      assert.equal(new Set(names.filter((n) => n !== 'citation_author')).size, names.length - chapter.authors.length, slug);
      assert.equal(reading.title, chapter.title);
      assert.ok(reading.abstract.length > 100, slug);
      assert.ok(reading.meta.endsWith(`pp. ${chapter.firstPage}–${chapter.lastPage}`) || reading.meta.includes(`pp. ${chapter.firstPage}–${chapter.lastPage}`), slug);
    }
  } finally {
    await chromium.close();
    await rm(out, { recursive: true, force: true });
  }
});

test('a landing page links only the offprint and EPUB the issue asks for (outputs.offprints, outputs.articleEpubs)', () => {
  const chapter = articleChapters(manuscript)[0]!;
  const { article } = readArticle(chapter, manuscript);
  const links = (options: { pdf?: boolean; epub?: boolean }) => {
    const html = articleLanding(article, manuscript.issue, { jats: true, ...options });
    return [...html.matchAll(/<(?:a|link)\b[^>]*?href="([^"]+\.(?:pdf|epub))"/gu)].map((m) => m[1]);
  };
  const [pdf, epub] = [`${chapter.slug}.pdf`, `${chapter.slug}.epub`];
  assert.deepEqual(links({}), [epub, pdf, epub]);
  assert.deepEqual(links({ epub: false }), [pdf]);
  assert.deepEqual(links({ pdf: false }), [epub, epub]);
  assert.deepEqual(links({ pdf: false, epub: false }), []);
  assert.doesNotMatch(articleLanding(article, manuscript.issue, { jats: true, pdf: false, epub: false }), /full-text|citation_pdf_url/u);
});
