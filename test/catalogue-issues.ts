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
