/**
 * What the preview serves, made from the manuscript in memory: the same print HTML the PDF
 * stage paginates (with the copyfit levels of the last PDF build, when there is one) and each
 * chapter as the EPUB content document it becomes. Nothing here is written to the build folder.
 */
import type { Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import ejs from 'ejs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderChapter, xhtmlSerialization } from '../html/index.js';
import { issueFile, loadManuscript } from '../manuscript/index.js';
import { hasErrors, type Message } from '../messages.js';
import { copyPrintAssets, projectDir } from '../pdf/assets.js';
import { buildPrintHtml, renderIssue } from '../pdf/print-document.js';
import { visit } from 'unist-util-visit';

/** One chapter as an EPUB content document. */
export interface PreviewChapter {
  slug: string;
  title: string;
  language: string;
  firstPage: number;
  lastPage: number;
  /** The XHTML content document, as the EPUB template makes it. */
  xhtml: string;
}

/** Everything one rebuild of the preview made. */
export interface PreviewDocuments {
  /** The issue's title line, for the index page. */
  title: string;
  /** The print HTML; absent when the manuscript has errors. */
  printHtml?: string;
  chapters: PreviewChapter[];
  /** Copyfit levels read from the last PDF build, per printed page. */
  copyfit: Map<number, number>;
  messages: Message[];
}

/** Options of `makePreviewDocuments`. */
export interface PreviewDocumentsOptions {
  manuscriptDir: string;
  /** Where the print assets (fonts, print.css) are put for serving: a folder of the preview's own. */
  assetsDir: string;
  /** The build folder of `folio build`, read for the copyfit levels of the last PDF. */
  buildDir: string;
}

/** Makes the preview's documents from the manuscript as it is now on disk. */
export async function makePreviewDocuments(options: PreviewDocumentsOptions): Promise<PreviewDocuments> {
  const loaded = await loadManuscript(options.manuscriptDir);
  const messages = [...loaded.messages];
  const documents: PreviewDocuments = { title: 'Folio preview', chapters: [], copyfit: new Map(), messages };
  if (!loaded.manuscript) return documents;
  const manuscript = loaded.manuscript;
  documents.title = `${manuscript.issue.journal} · ${manuscript.issue.issue}`;

  const chapterTemplate = await readFile(path.join(projectDir, 'templates', 'epub', 'chapter.xhtml.ejs'), 'utf8');
  for (const chapter of manuscript.chapters) {
    const rendered = renderChapter(chapter, { target: 'epub' });
    messages.push(...rendered.messages);
    pointImagesAtManuscript(rendered.hast, chapter.path, manuscript.dir);
    const xhtml = ejs.render(chapterTemplate, {
      language: chapter.language,
      title: chapter.title,
      author: chapter.authors,
      kind: chapter.kind,
      folioCover: null,
      body: toHtml(rendered.hast, xhtmlSerialization),
    });
    documents.chapters.push({ slug: chapter.slug, title: chapter.title, language: chapter.language, firstPage: chapter.firstPage, lastPage: chapter.lastPage, xhtml });
  }
  if (hasErrors(loaded.messages)) return documents;

  const issue = renderIssue(manuscript);
  messages.push(...issue.messages);
  if (hasErrors(issue.messages)) return documents;
  documents.copyfit = await lastCopyfit(issueFile(manuscript, options.buildDir, '.print.html'));
  const assets = await copyPrintAssets(options.assetsDir);
  documents.printHtml = await buildPrintHtml(manuscript, issue, { templateDir: path.join(projectDir, 'templates', 'print'), ...assets }, documents.copyfit);
  return documents;
}

/**
 * The copyfit levels the last PDF build settled on, read back from its print HTML (each block
 * of a copyfitted page carries `data-folio` and `data-fit`). Without them the preview would lay
 * out tight pages as designed, and their text would spill where the PDF's does not.
 */
export async function lastCopyfit(printHtml: string): Promise<Map<number, number>> {
  const fit = new Map<number, number>();
  let html: string;
  try {
    html = await readFile(printHtml, 'utf8');
  } catch {
    return fit;
  }
  for (const match of html.matchAll(/<[a-z][^>]*?\sdata-folio="(\d+)"[^>]*?\sdata-fit="(\d+)"/g)) {
    const folio = Number(match[1]);
    fit.set(folio, Math.max(fit.get(folio) ?? 0, Number(match[2])));
  }
  return fit;
}

/** Where the preview serves the manuscript's own images from. */
export const manuscriptRoute = '/manuscript/';

/**
 * Points a chapter's local images at the preview's `/manuscript/` route: their `src` is relative
 * to the chapter file, which the preview's chapter URL is not.
 */
function pointImagesAtManuscript(tree: Root, chapterPath: string, manuscriptDir: string): void {
  visit(tree, 'element', (node) => {
    if (node.tagName !== 'img' || typeof node.properties.src !== 'string') return;
    const src = node.properties.src;
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('/')) return;
    const file = path.resolve(path.dirname(chapterPath), decodeURI(src.split(/[?#]/)[0] ?? ''));
    const relative = path.relative(manuscriptDir, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return;
    node.properties.src = manuscriptRoute + relative.split(path.sep).map(encodeURIComponent).join('/');
  });
}
