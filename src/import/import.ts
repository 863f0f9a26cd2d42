/**
 * The import stage: raw issue text in, a Markdown manuscript out (issue.yaml, one chapter
 * file per article or section, and an import report of how every page was found).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { editorial as editorialSchema, type ChapterMeta, type Editorial, type FrontMatter, type IssueMeta } from '../manuscript/schema.js';
import { validateYaml, yamlPlace } from '../manuscript/validate.js';
import { FolioError, message, type Message } from '../messages.js';
import type { StageResult } from '../stage.js';
import { derivePrintGeometry } from '../manuscript/geometry.js';
import { measureGeometry } from './geometry.js';
import { restorePages, type Evidence } from './layout.js';
import { writeChapter } from './chapter-markdown.js';
import { readSource, displayWidth } from './source.js';
import { layoutHints } from './hints.js';
import { findChapters, readPages, type SourceChapter } from './structure.js';
import { isCjkText, joinLines } from './text.js';

export interface ImportOptions {
  /** Path of the raw source text. */
  source: string;
  /** The manuscript folder to write. */
  out: string;
  /** An editorial overrides file (optional). */
  editorial?: string;
  /** Folio of the first page when no surviving folio says otherwise. */
  firstFolio?: number;
  /** The number of printed pages, when the publisher knows it (else `pages:` in the editorial file). */
  pages?: number;
}

/** How every page was found: written as import-report.json. */
export interface ImportReport {
  source: string;
  /** `textEnd`: the line where the page's running text ends (before its notes and any title block). */
  pages: { page: number; startLine: number; endLine: number; textEnd?: number; lines: number; evidence: Evidence[]; confidence: number }[];
  lineBudget: { latin: number; cjk: number };
  folios: { folio: number; line: number; runningHead: string }[];
  chapters: { file: string; title: string; firstPage: number; lastPage: number; notes: number }[];
  messages: Message[];
}

/** An issue imported: its metadata, its chapter files and the report of how its pages were found. */
export interface ImportedIssue {
  issue: IssueMeta;
  /** Chapter files by path relative to the manuscript folder. */
  files: Map<string, string>;
  report: ImportReport;
}

/** The import's result: the issue in memory (none when the messages hold an error), with the messages. */
export type ImportResult = StageResult<ImportedIssue>;

function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/gu, '')
    .toLowerCase()
    .replace(/&/gu, ' and ')
    .replace(/[^a-z0-9]+/gu, ' ')
    .trim()
    .split(/\s+/u)
    .filter((w) => w.length > 0)
    .slice(0, 6)
    .join('-');
}

async function readEditorial(file: string | undefined): Promise<{ editorial: Editorial; messages: Message[]; text?: string }> {
  const empty: Editorial = { chapters: [], corrections: [] };
  if (!file) return { editorial: empty, messages: [] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FolioError([message('import-010', 'Unexpected missing editorial file', { file })]);
  }
  const result = validateYaml(text, file, editorialSchema);
  if (!result.value) throw new FolioError(result.messages.map((m) => ({ ...m, ruleId: 'import-010' as const })));
  return { editorial: result.value, messages: result.messages, text };
}

/**
 * Imports a source text into a manuscript held in memory; `writeManuscript` puts it on disk.
 * A source or editorial file the import cannot stand behind is an error among the messages,
 * with no output, never an exception.
 */
export async function importIssue(options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const timings = (): Record<string, number> => ({ import: Math.round(performance.now() - started) });
  try {
    const { messages, ...output } = await readIssue(options);
    return { output, messages, timings: timings() };
  } catch (error) {
    if (error instanceof FolioError) return { messages: error.messages, timings: timings() };
    throw error;
  }
}

/** The import's run; throws FolioError where the source or the editorial file stops it. */
async function readIssue(options: ImportOptions): Promise<ImportedIssue & { messages: Message[] }> {
  const file = options.source;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    throw new FolioError([message('import-002', 'Unexpected missing source file, expected the text of an issue', { file })]);
  }
  const { editorial, messages: editorialMessages, text: editorialText } = await readEditorial(options.editorial);
  const { lines, messages } = readSource(bytes, file);
  messages.push(...editorialMessages);
  const pages = options.pages ?? editorial.pages;
  const layout = restorePages(lines, file, layoutHints(lines), { firstFolio: options.firstFolio ?? 1, ...(pages !== undefined ? { pages } : {}) });
  messages.push(...layout.messages);
  const parts = readPages(lines, layout);
  const chapters = findChapters(lines, layout, parts);
  if (chapters.length === 0 || layout.pages.length === 0) {
    throw new FolioError([message('import-003', 'Unexpected text without recognisable pages', { file, line: 1 })]);
  }
  for (const part of parts) {
    const label = part.sectionTitle;
    if (!label?.undecided || !chapters.some((c) => c.opening?.kind === 'news' && c.opening.lines[0] === label.line)) continue;
    messages.push(
      message(
        'import-014',
        `Unexpected short title “${label.text}” alone at the foot of page ${part.page} after a sentence's end, where a heading of the text could stand as well as a section label: read as the label of a section that opens on page ${part.page}; check the section in the proof`,
        { file, line: lines[label.line]?.n ?? 1 },
      ),
    );
  }
  const widths = lines.filter((l) => !l.blank).map((l) => displayWidth(l.text.trim())).sort((a, b) => a - b);
  const typicalWidth = widths[Math.floor(widths.length * 0.75)] ?? 60;
  const lineNumber = (index: number): number => lines[index]?.n ?? 0;

  // Corrections an editor asked for, applied to the page's running text.
  for (const [index, correction] of editorial.corrections.entries()) {
    const chapter = chapters.find((c) => c.firstPage <= correction.page && c.lastPage >= correction.page);
    let page = chapter?.firstPage ?? 0;
    let done = false;
    for (const line of chapter?.body ?? []) {
      if (line.opensPage !== undefined) page = line.opensPage;
      if (page === correction.page && line.text.includes(correction.find)) {
        line.text = line.text.replace(correction.find, correction.replace);
        done = true;
        break;
      }
    }
    const at = options.editorial && editorialText !== undefined ? yamlPlace(editorialText, ['corrections', index]) : undefined;
    if (!done) messages.push(message('import-011', `Unexpected correction: \`${correction.find}\` is not on page ${correction.page}`, { file: options.editorial ?? file, ...at }));
  }

  // Chapter metadata, with the editor's overrides.
  const metas = chapters.map((chapter, k) => chapterMeta(chapter, k, editorial, options, messages, file, lineNumber));
  pairTranslations(chapters, metas);
  const usedSlugs = new Map<string, number>();
  for (const meta of metas) {
    const seen = usedSlugs.get(meta.slug) ?? 0;
    usedSlugs.set(meta.slug, seen + 1);
    if (seen > 0) meta.slug = `${meta.slug}-${seen + 1}`;
  }
  const files = new Map<string, string>();
  const chapterEntries: ChapterMeta[] = [];
  chapters.forEach((chapter, k) => {
    const meta = metas[k] as FrontMatter;
    const name = `chapters/${String(k + 1).padStart(2, '0')}-${meta.slug}.md`;
    files.set(name, writeChapter(chapter, meta, typicalWidth, messages, file, lineNumber));
    chapterEntries.push({ file: name, ...meta });
  });

  const heads = new Map<string, number>();
  for (const b of layout.folioBlocks) heads.set(b.runningHead, (heads.get(b.runningHead) ?? 0) + 1);
  const runningHead = [...heads.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const [journalFromHead, issueFromHead] = runningHead ? runningHead.split(/\s*[·•|]\s*/u) : [];
  const languages = [...new Set(chapterEntries.map((c) => c.language))];
  const measured = measureGeometry(lines, layout);
  const issue: IssueMeta = {
    journal: editorial.journal ?? journalFromHead ?? path.basename(file).replace(/\.[^.]+$/u, ''),
    issue: editorial.issue ?? issueFromHead ?? 'unknown',
    ...(editorial.date ? { date: editorial.date } : {}),
    ...(editorial.publisher ? { publisher: editorial.publisher } : {}),
    ...(editorial.identifier ? { identifier: editorial.identifier } : {}),
    ...(editorial.description ? { description: editorial.description } : {}),
    // What article metadata needs (ISSN, DOIs, the depositor) is the publisher's: carried as given.
    ...Object.fromEntries((['issn', 'volume', 'doi', 'nameOrder', 'depositor', 'articlesUrl', 'outputs'] as const).flatMap((key) => (editorial[key] !== undefined ? [[key, editorial[key]]] : []))),
    languages,
    pages: layout.pages.length,
    source: path.relative(options.out, file).split(path.sep).join('/'),
    // The print geometry derived from it is written out too, for an editor to see and override.
    ...(Object.keys(measured).length > 0 ? { geometry: { measured, print: derivePrintGeometry(measured) } } : {}),
    chapters: chapterEntries,
  };
  const textEnds = new Map(parts.flatMap((part) => (part.body.length > 0 ? [[part.page, part.body[part.body.length - 1] as number] as const] : [])));
  const report: ImportReport = {
    source: issue.source ?? file,
    pages: layout.pages.map((p) => ({
      page: p.page,
      startLine: lineNumber(p.start),
      endLine: lineNumber(p.end - 1),
      ...(textEnds.has(p.page) ? { textEnd: lineNumber(textEnds.get(p.page) as number) } : {}),
      lines: p.units,
      evidence: p.evidence,
      confidence: p.confidence,
    })),
    lineBudget: layout.budget,
    folios: layout.folioBlocks.map((b) => ({ folio: b.folio, line: lineNumber(b.folioIndex), runningHead: b.runningHead })),
    chapters: chapterEntries.map((c) => ({ file: c.file, title: c.title, firstPage: c.firstPage, lastPage: c.lastPage, notes: 0 })),
    messages,
  };
  chapters.forEach((c, k) => {
    const entry = report.chapters[k];
    if (entry) entry.notes = c.notes.length;
  });
  return { issue, files, report, messages };
}

function chapterMeta(
  chapter: SourceChapter,
  k: number,
  editorial: Editorial,
  options: ImportOptions,
  messages: Message[],
  file: string,
  lineNumber: (i: number) => number,
): FrontMatter {
  const opening = chapter.opening;
  const cjk = chapter.language !== 'en';
  // A line-end hyphen (`Good-` / `neighborliness`) keeps the word whole. A Chinese title set in
  // parts broken line by line (`…外交思想` / `奋进新时代…`) has a space between its parts; one whose
  // lines show the space already was wrapped, and its breaks join as running text does.
  const titleLines = opening ? opening.titleLines.map((t) => t.trim()) : [];
  const partsByLine = titleLines.every((t) => !/\s/u.test(t));
  const joinTitle = (a: string, b: string): string => (a === '' ? b : /[^\s-]-$/u.test(a) || !(partsByLine || !isCjkText(a + b)) ? joinLines(a, b) : `${a} ${b}`);
  const textTitle = titleLines.reduce(joinTitle, '').replace(/\s+/gu, ' ').trim();
  const override = editorial.chapters.find((o) => (o.match.slug !== undefined ? false : o.match.firstPage === chapter.firstPage));
  let title = textTitle;
  let titleSource: FrontMatter['titleSource'] = textTitle ? 'text' : 'none';
  if (override?.title) {
    title = override.title;
    titleSource = textTitle && override.title === textTitle ? 'text' : 'editor';
  }
  const authors = override?.authors ?? opening?.authors ?? [];
  if (!title) {
    const where = opening?.lines[0] ?? chapter.body.find((l) => l.index >= 0)?.index ?? 0;
    title = suppliedTitle(opening?.kind ?? 'article', authors, chapter.firstPage, chapter.lastPage, cjk);
    titleSource = 'supplied';
    messages.push(
      message(
        'import-005',
        `Unexpected chapter without a title (pages ${chapter.firstPage}–${chapter.lastPage}), expected a title in the text or in the editorial file; supplied “${title}”, which is not printed`,
        { file, line: lineNumber(where) },
      ),
    );
  }
  let slug = override?.slug ?? (titleSource === 'supplied' ? '' : slugify(title));
  if (!slug && authors[0]) slug = slugify(authors[0]);
  if (!slug) slug = cjk ? `chapter-${k + 1}-zh` : `chapter-${k + 1}`;
  const meta: FrontMatter = {
    slug,
    title,
    titleSource,
    authors,
    language: chapter.language,
    kind: opening?.kind ?? 'article',
    firstPage: chapter.firstPage,
    lastPage: chapter.lastPage,
  };
  if (override?.shortTitle) meta.shortTitle = override.shortTitle;
  if (opening?.authorNote) meta.authorNote = opening.authorNote;
  if (override?.doi) meta.doi = override.doi;
  void options;
  return meta;
}

/** A title for a chapter the text gives none: what it is, by whom, and where. */
function suppliedTitle(kind: FrontMatter['kind'], authors: readonly string[], firstPage: number, lastPage: number, cjk: boolean): string {
  const pages = firstPage === lastPage ? String(firstPage) : `${firstPage}–${lastPage}`;
  if (cjk) {
    const what = kind === 'article' ? '无标题文章' : kind === 'news' ? '无标题栏目' : '无标题页';
    return `${what}${authors.length > 0 ? `（${authors.join('、')}）` : ''}，第${pages}页`;
  }
  const what = kind === 'article' ? 'Untitled article' : kind === 'news' ? 'Untitled section' : 'Untitled pages';
  const by = authors.length > 0 ? ` by ${authors.length > 1 ? `${authors.slice(0, -1).join(', ')} and ${authors[authors.length - 1]}` : authors[0]}` : '';
  return `${what}${by}, ${firstPage === lastPage ? 'p.' : 'pp.'} ${pages}`;
}

/** The Chinese section repeats the articles in order: pair them, so slugs and links follow. */
function pairTranslations(chapters: SourceChapter[], metas: FrontMatter[]): void {
  const articles = (lang: (l: string) => boolean): number[] =>
    metas.flatMap((m, k) => (m.kind === 'article' && lang(m.language) && chapters[k]?.opening ? [k] : []));
  const english = articles((l) => l === 'en');
  const other = articles((l) => l !== 'en');
  if (english.length === 0 || english.length !== other.length) return;
  other.forEach((k, i) => {
    const meta = metas[k] as FrontMatter;
    const original = metas[english[i] as number] as FrontMatter;
    meta.translationOf = original.slug;
    if (!/[a-z]/u.test(meta.slug) || meta.slug.startsWith('chapter-') || meta.titleSource !== 'editor') meta.slug = `${original.slug}-zh`;
  });
}
