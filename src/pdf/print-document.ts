/**
 * Builds the one print HTML of an issue from the templates: every chapter rendered for print,
 * hyphenated where English, its blocks told their printed page, inside a section with its own
 * named page for the running heads.
 */
import type { Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { unified } from 'unified';
import { renderChapter, xhtmlSerialization } from '../html/index.js';
import { resolvePrintGeometry, runningTitle, type Manuscript } from '../manuscript/index.js';
import { sessionMemos } from '../session/index.js';
import type { Message } from '../messages.js';
import { copyfitCss } from './copyfit.js';
import { pageGeometryCss } from './page-geometry.js';
import rehypeFolioBlocks from './rehype-folio-blocks.js';
import rehypeHyphenate from './rehype-hyphenate.js';

/** Where the template and the assets the print HTML links to are. */
export interface PrintAssets {
  /** Folder of the print templates (issue.html, chapter.html). */
  templateDir: string;
  /** Font stylesheets, relative to the print HTML. */
  fontStylesheets: string[];
  /** The print stylesheet, relative to the print HTML. */
  printStylesheet: string;
}

/** A chapter as the PDF stage needs it after rendering: for the outline and the checks. */
export interface PrintChapter {
  slug: string;
  title: string;
  shortTitle: string;
  file: string;
  firstPage: number;
  lastPage: number;
  language: string;
}

/** The chapters' rendered trees, made once and reused by every copyfit pass. */
export interface RenderedIssue {
  chapters: Array<PrintChapter & { hast: Root; opensPage: boolean }>;
  messages: Message[];
}

/** Renders every chapter for print, once. */
export function renderIssue(manuscript: Manuscript): RenderedIssue {
  const messages: Message[] = [];
  const chapters = manuscript.chapters.map((chapter) => renderPrintChapter(manuscript, chapter, messages));
  return { chapters, messages };
}

/**
 * `renderIssue` a chapter at a time, letting the event loop run in between, for a caller with
 * I/O under way meanwhile (a browser starting, files being copied).
 */
export async function renderIssueInTurns(manuscript: Manuscript): Promise<RenderedIssue> {
  const messages: Message[] = [];
  const chapters: RenderedIssue['chapters'] = [];
  for (const chapter of manuscript.chapters) {
    chapters.push(renderPrintChapter(manuscript, chapter, messages));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { chapters, messages };
}

function renderPrintChapter(manuscript: Manuscript, chapter: Manuscript['chapters'][number], messages: Message[]): RenderedIssue['chapters'][number] {
  const rendered = sessionMemos().hyphenatedChapters.get(`${chapter.path}\0${chapter.language}`, chapter.markdown, () => {
    const made = renderChapter(chapter, { target: 'print' });
    if (chapter.language.startsWith('en')) unified().use(rehypeHyphenate, { lang: chapter.language }).runSync(made.hast);
    return { hast: made.hast, messages: made.messages };
  });
  messages.push(...rendered.messages);
  const hast = rendered.hast;
  const first = hast.children.find((node) => node.type === 'element');
  return {
    slug: chapter.slug,
    title: chapter.title,
    shortTitle: runningTitle(chapter, resolvePrintGeometry(manuscript.issue.geometry).print),
    file: path.relative(manuscript.dir, chapter.path),
    firstPage: chapter.firstPage,
    lastPage: chapter.lastPage,
    language: chapter.language,
    hast,
    opensPage: first?.type === 'element' && first.properties.dataFolioStart !== undefined,
  };
}

/**
 * A run of chapters paginated on its own: it starts where a chapter opens a printed page, so
 * its pages owe nothing to the pages before it (every printed page begins with a forced break).
 * `from` and `to` are chapter indexes (0-based, `to` excluded); `firstFolio` its first page.
 */
export interface PrintChunk {
  from: number;
  to: number;
  firstFolio: number;
  lastFolio: number;
}

/**
 * Splits the issue into chunks of at least `minPages` printed pages (the last may be shorter),
 * cut only where a chapter opens a printed page: a chapter that begins mid-page stays with the
 * one before it, whose last page it shares. Each chunk costs a page load and a Paged.js start
 * (about a second), so small chapters are grouped; 1 gives a chunk per page-opening chapter.
 */
export function printChunks(issue: RenderedIssue, minPages = 1): PrintChunk[] {
  const chunks: PrintChunk[] = [];
  for (const [index, chapter] of issue.chapters.entries()) {
    const last = chunks.at(-1);
    if (last && (!chapter.opensPage || last.lastFolio - last.firstFolio + 1 < minPages)) {
      last.to = index + 1;
      last.lastFolio = Math.max(last.lastFolio, chapter.lastPage);
    } else {
      chunks.push({ from: index, to: index + 1, firstFolio: chapter.firstPage, lastFolio: chapter.lastPage });
    }
  }
  return chunks;
}

/**
 * Builds the print HTML with the given copyfit levels per printed page: the whole issue, or
 * only the chapters of `chunk`. A chunk's first page carries its own folio (`counter-set` on
 * `@page :first`); one that starts on a verso (an even folio) is preceded by a pad page, so
 * that Paged.js, which counts its first page a recto, sets it as a verso. The pad page is
 * left out when printing (`chunkPadPages`). A chunk's content is in Paged.js's content template.
 */
export async function buildPrintHtml(manuscript: Manuscript, issue: RenderedIssue, assets: PrintAssets, fit: ReadonlyMap<number, number>, chunk?: PrintChunk): Promise<string> {
  const [issueTemplate, chapterTemplate] = await Promise.all([
    readFile(path.join(assets.templateDir, 'issue.html'), 'utf8'),
    readFile(path.join(assets.templateDir, 'chapter.html'), 'utf8'),
  ]);
  const meta = manuscript.issue;
  const issueLine = `${meta.journal} · ${meta.issue}`;
  const styles: string[] = [
    `@page :left { @top-left { content: counter(page) "\\2003\\2003" ${cssString(issueLine)}; } }`,
    copyfitCss(),
  ];
  const sections: string[] = [];
  let pageName = 'folio-front';
  let folio: number | undefined;
  if (chunk) {
    const pad = chunkPadPages(chunk);
    // counter-set applies after the page's own increment: the first page shows this number.
    styles.push(`@page :first { counter-set: page ${chunk.firstFolio - pad}; }`);
    if (pad > 0) sections.push('<div class="folio-chunk-pad" aria-hidden="true" style="break-after: page">\u00A0</div>');
  }
  for (const [index, chapter] of issue.chapters.entries()) {
    if (chunk && (index < chunk.from || index >= chunk.to)) continue;
    // A chapter that opens a printed page gets its own named page (and running head); one that
    // begins mid-page shares the page of the chapter before it, as a new name forces a break.
    if (chapter.opensPage || index === 0) {
      pageName = `folio-chapter-${index + 1}`;
      styles.push(
        `section[data-chapter="${index + 1}"] { page: ${pageName}; }`,
        `@page ${pageName}:right { @top-right { content: ${cssString(chapter.shortTitle)} "\\2003\\2003" counter(page); } }`,
      );
    } else {
      styles.push(`section[data-chapter="${index + 1}"] { page: ${pageName}; }`);
    }
    const hast = structuredClone(chapter.hast);
    const options = folio === undefined ? { fit } : { fit, initialFolio: folio };
    unified().use(rehypeFolioBlocks, options).runSync(hast);
    folio = lastFolio(hast) ?? folio;
    sections.push(
      fill(chapterTemplate, {
        kind: escapeHtml(manuscript.chapters[index]?.kind ?? 'article'),
        slug: escapeHtml(chapter.slug),
        lang: escapeHtml(chapter.language),
        index: String(index + 1),
        file: escapeHtml(chapter.file),
        body: toHtml(hast, xhtmlSerialization),
      }),
    );
  }
  return fill(issueTemplate, {
    lang: escapeHtml(meta.languages[0] ?? 'en'),
    title: escapeHtml(issueLine),
    description: escapeHtml(meta.description ?? issueLine),
    fontStylesheets: assets.fontStylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}" data-pagedjs-ignore="" />`).join('\n'),
    printStylesheet: escapeHtml(assets.printStylesheet),
    pageGeometry: pageGeometryCss(resolvePrintGeometry(manuscript.issue.geometry).print),
    issueStyles: styles.join('\n'),
    // A chunk, laid out by Folio, hands Paged.js its content in the template Paged.js would
    // otherwise make of the body: the browser neither lays the unpaginated text out on load nor
    // copies it through innerHTML. The whole issue's print HTML keeps a plain body for other engines.
    chapters: chunk ? `<template data-ref="pagedjs-content">\n${sections.join('\n')}\n</template>` : sections.join('\n'),
  });
}

/** Pages put before a chunk so that its first page falls on the right side: 1 on a verso. */
export function chunkPadPages(chunk: PrintChunk): number {
  return chunk.firstFolio % 2 === 0 ? 1 : 0;
}

function lastFolio(tree: Root): number | undefined {
  let last: number | undefined;
  const walk = (node: Root | Root['children'][number]): void => {
    if (node.type === 'element' && node.properties.dataFolioStart !== undefined) last = Number(node.properties.dataFolioStart);
    if ('children' in node) for (const child of node.children) walk(child);
  };
  walk(tree);
  return last;
}

/** Replaces `{{name}}` slots; a slot the values lack is an error in the template. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Unexpected template slot {{${name}}}, expected one of ${Object.keys(values).join(', ')}`);
    return value;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A CSS string literal: quotes, backslashes and line ends escaped. */
export function cssString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\A ')}"`;
}
