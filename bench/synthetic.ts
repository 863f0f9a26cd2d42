/**
 * Synthetic larger issues for the benchmark: the manuscript's chapters repeated `times` times,
 * each copy's printed pages moved on by the issue's page count (page markers, firstPage and
 * lastPage, issue.yaml's pages), its files and slugs made unique. The copy names no raw source,
 * so the check measures the outputs against the manuscript's own pages.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { splitFrontMatter } from '../src/manuscript/index.js';
import type { PrintGeometry } from '../src/manuscript/schema.js';

interface ChapterEntry {
  file: string;
  slug: string;
  firstPage: number;
  lastPage: number;
  [key: string]: unknown;
}

/** Moves every `:page[N]` marker of a chapter's Markdown on by `offset`. */
export function shiftPageMarkers(markdown: string, offset: number): string {
  return markdown.replace(/:page\[(\d+)\]/g, (_, n: string) => `:page[${Number(n) + offset}]`);
}

/**
 * Writes the manuscript in `from` repeated `times` times to `to` (emptied first); returns `to`.
 * With `print`, the copy is set in that print geometry instead of its own (for the per-page
 * cost on other geometries, and on pages that need copyfitting).
 */
export async function repeatIssue(from: string, to: string, times: number, print?: PrintGeometry): Promise<string> {
  const issue = parse(await readFile(path.join(from, 'issue.yaml'), 'utf8')) as { pages: number; chapters: ChapterEntry[]; source?: string; geometry?: Record<string, unknown>; [key: string]: unknown };
  if (print) issue.geometry = { ...issue.geometry, print };
  const pages = issue.pages;
  await rm(to, { recursive: true, force: true });
  await mkdir(path.join(to, 'chapters'), { recursive: true });
  const chapters: ChapterEntry[] = [];
  for (let copy = 0; copy < times; copy += 1) {
    const offset = copy * pages;
    for (const entry of issue.chapters) {
      const text = await readFile(path.join(from, entry.file), 'utf8');
      const split = splitFrontMatter(text);
      if (!split) throw new Error(`Unexpected chapter without front matter: ${entry.file}`);
      const { yaml: data, body } = split;
      const suffix = copy === 0 ? '' : `-${copy + 1}`;
      const slug = `${entry.slug}${suffix}`;
      const file = `chapters/${String(chapters.length + 1).padStart(3, '0')}-${slug}.md`;
      const meta = { ...(parse(data) as Record<string, unknown>), slug, firstPage: entry.firstPage + offset, lastPage: entry.lastPage + offset };
      await writeFile(path.join(to, file), `---\n${stringify(meta)}---\n${shiftPageMarkers(body, offset)}`);
      chapters.push({ ...entry, file, slug, firstPage: entry.firstPage + offset, lastPage: entry.lastPage + offset });
    }
  }
  const { source: _source, ...rest } = issue;
  void _source;
  await writeFile(path.join(to, 'issue.yaml'), stringify({ ...rest, pages: pages * times, chapters }));
  // Images and other files the chapters link to, relative to the manuscript folder.
  for (const extra of ['images', 'figures']) {
    await cp(path.join(from, extra), path.join(to, extra), { recursive: true }).catch(() => undefined);
  }
  return to;
}
