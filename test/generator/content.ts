/**
 * The text a generated issue is set from: the articles of a manuscript read back into plain
 * blocks (title, byline, author note, paragraphs, headings, notes), without page markers or
 * Markdown syntax. The generator re-flows these into pages of its own; nothing here knows the
 * bundled issue's pages.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { splitFrontMatter } from '../../src/manuscript/load.js';

/** A note call inside a block's text: the note's id between two U+E000 characters (private use, never in the text). */
export const CALL = /\ue000([^\ue000]+)\ue000/gu;

export interface Block {
  kind: 'paragraph' | 'heading';
  /** Plain text; note calls as `\ue000id\ue000`. */
  text: string;
}

export interface Article {
  language: 'en' | 'zh';
  kind: string;
  title: string;
  authors: string[];
  /** The byline as printed (`By Wang Yi`, `王毅  国务委员兼外交部长`), without the note mark. */
  byline?: string;
  authorNote?: string;
  blocks: Block[];
  /** Numbered notes by id, in plain text. */
  notes: Map<string, string>;
}

function plain(markdown: string): string {
  return markdown
    .replace(/:page\[\d+\]/gu, '')
    .replace(/\[\^([^\]]+)\]/gu, (_, id: string) => (id === 'author' ? '' : `\ue000${id}\ue000`))
    .replace(/\\(.)/gu, '$1')
    .replace(/[ \t]+/gu, ' ')
    .trim();
}

/** Reads every chapter of the manuscript in `dir` that has a body of paragraphs. */
export async function readArticles(dir: string): Promise<Article[]> {
  const issue = parse(await readFile(path.join(dir, 'issue.yaml'), 'utf8')) as { chapters: { file: string }[] };
  const articles: Article[] = [];
  for (const { file } of issue.chapters) {
    const split = splitFrontMatter(await readFile(path.join(dir, file), 'utf8'));
    if (!split) continue;
    const meta = parse(split.yaml) as { title: string; authors?: string[]; language: string; kind: string; authorNote?: string };
    const notes = new Map<string, string>();
    const blocks: Block[] = [];
    let byline: string | undefined;
    const chunks = split.body.split(/\n{2,}/u);
    for (let k = 0; k < chunks.length; k += 1) {
      const chunk = (chunks[k] ?? '').trim();
      if (chunk === '' || /^:page\[\d+\]$/u.test(chunk)) continue;
      const def = /^\[\^([^\]]+)\]:\s*([\s\S]*)$/u.exec(chunk);
      if (def?.[1] && def[2] !== undefined) {
        if (def[1] !== 'author') notes.set(def[1], plain(def[2]));
        continue;
      }
      if (chunk.startsWith(':::')) {
        const inner = chunk.replace(/^:::\w*\n?/u, '').replace(/\n?:::$/u, '');
        if (chunk.startsWith(':::byline')) byline = plain(inner);
        continue;
      }
      if (/^# /u.test(chunk)) continue;
      const heading = /^#{2,6} (.*)$/u.exec(chunk);
      if (heading?.[1]) blocks.push({ kind: 'heading', text: plain(heading[1]) });
      else blocks.push({ kind: 'paragraph', text: plain(chunk.replace(/\n/gu, ' ')) });
    }
    const language = meta.language.startsWith('zh') ? 'zh' : 'en';
    articles.push({
      language,
      kind: meta.kind,
      title: meta.title,
      authors: meta.authors ?? [],
      ...(byline ? { byline } : {}),
      ...(meta.authorNote ? { authorNote: meta.authorNote } : {}),
      blocks: blocks.filter((b) => b.text !== ''),
      notes,
    });
  }
  return articles;
}
