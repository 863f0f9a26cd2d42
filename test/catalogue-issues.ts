/**
 * Small generated issues for the catalogue's tests and bench: one English article of the
 * bundled issue, cut to its first paragraphs and re-flowed by the generator (test/generator)
 * into a geometry drawn from the seed, so that each issue is a few pages and builds in seconds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readArticles, type Article } from './generator/content.js';
import { drawOptions } from './generator/draw.js';
import { generateIssue } from './generator/issue.js';

const root = path.resolve(import.meta.dirname, '..');

/** One small issue on disk: its source text and the publisher's page count. */
export interface SmallIssue {
  name: string;
  source: string;
  pages: number;
}

let articles: Article[] | undefined;

/** Writes the source of the small issue of `seed` (about `paragraphs` paragraphs long) under `dir`. */
export async function writeSmallIssue(dir: string, seed: number, paragraphs = 8): Promise<SmallIssue> {
  articles ??= await readArticles(path.join(root, 'manuscript'));
  const english = articles.filter((a) => a.language === 'en' && a.kind === 'article');
  const chosen = english[seed % english.length] as Article;
  const blocks = chosen.blocks.slice(0, paragraphs);
  // Only the notes the kept paragraphs call: a note never called would be a warning of the import.
  const called = new Set(blocks.flatMap((b) => [...b.text.matchAll(/\ue000([^\ue000]+)\ue000/gu)].map((m) => m[1] ?? '')));
  const cut: Article = { ...chosen, blocks, notes: new Map([...chosen.notes].filter(([id]) => called.has(id))) };
  const issue = generateIssue([cut], drawOptions(seed, 1, { untitled: [], extraNotes: 0 }));
  const name = `issue-${seed}`;
  await mkdir(dir, { recursive: true });
  const source = path.join(dir, `${name}.txt`);
  await writeFile(source, issue.text);
  return { name, source, pages: issue.pages };
}

/** A catalogue of small issues under `dir`: one per seed, and `broken` issues whose source is empty (import-002, exit 1). */
export async function writeCatalogue(dir: string, seeds: readonly number[], options: { name: string; broken?: number }): Promise<{ file: string; good: string[]; broken: string[] }> {
  const lines = [`name: ${options.name}`, 'report: report', 'issues:'];
  const good: string[] = [];
  for (const seed of seeds) {
    const issue = await writeSmallIssue(path.join(dir, 'sources'), seed);
    lines.push(`  - name: ${issue.name}`, `    source: sources/${issue.name}.txt`, `    pages: ${issue.pages}`, `    out: out/${issue.name}`);
    good.push(issue.name);
  }
  const broken: string[] = [];
  for (let k = 1; k <= (options.broken ?? 0); k += 1) {
    const name = `broken-${k}`;
    await writeFile(path.join(dir, 'sources', `${name}.txt`), '');
    lines.push(`  - name: ${name}`, `    source: sources/${name}.txt`, `    out: out/${name}`);
    broken.push(name);
  }
  const file = path.join(dir, 'catalogue.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return { file, good, broken };
}
