/**
 * Reads a manuscript folder: issue.yaml and the chapter files it lists, validated against
 * the one schema. Every later stage (HTML, PDF, EPUB, check) starts from here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { message, type Message } from '../messages.js';
import { frontMatter, issueMeta, type ChapterMeta, type IssueMeta } from './schema.js';
import { validateYaml } from './validate.js';

/** A chapter as read from disk: its metadata, its Markdown and where it lives. */
export interface Chapter extends ChapterMeta {
  /** Absolute path of the chapter file. */
  path: string;
  /** The whole file, front matter included: what remark parses. */
  markdown: string;
}

/** A manuscript as read from disk. */
export interface Manuscript {
  dir: string;
  issue: IssueMeta;
  chapters: Chapter[];
}

/** Splits `---` YAML front matter from a Markdown file; `bodyLine` is the body's first line. */
export function splitFrontMatter(text: string): { yaml: string; body: string; bodyLine: number } | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!match) return undefined;
  const yaml = match[1] ?? '';
  const bodyLine = match[0].split('\n').length;
  return { yaml, body: text.slice(match[0].length), bodyLine };
}

/** Loads and validates a manuscript folder. Problems come back as messages, never thrown. */
export async function loadManuscript(dir: string): Promise<{ manuscript?: Manuscript; messages: Message[] }> {
  const issueFile = path.join(dir, 'issue.yaml');
  let issueText: string;
  try {
    issueText = await readFile(issueFile, 'utf8');
  } catch {
    return { messages: [message('manuscript-002', `Unexpected missing file, expected the issue metadata`, { file: issueFile })] };
  }
  const issue = validateYaml(issueText, issueFile, issueMeta);
  if (!issue.value) return { messages: issue.messages };
  const messages: Message[] = [...issue.messages];
  const chapters: Chapter[] = [];
  for (const meta of issue.value.chapters) {
    const file = path.join(dir, meta.file);
    let markdown: string;
    try {
      markdown = await readFile(file, 'utf8');
    } catch {
      messages.push(message('manuscript-002', `Unexpected missing chapter file \`${meta.file}\` listed in issue.yaml`, { file: issueFile }));
      continue;
    }
    const split = splitFrontMatter(markdown);
    if (!split) {
      messages.push(message('manuscript-001', 'Unexpected chapter without front matter, expected `---` YAML `---` at the top', { file, line: 1 }));
      continue;
    }
    const fm = validateYaml(split.yaml, file, frontMatter, 1);
    messages.push(...fm.messages);
    if (!fm.value) continue;
    // The chapter file is what an editor edits, so its front matter wins over issue.yaml.
    chapters.push({ ...meta, ...fm.value, file: meta.file, path: file, markdown });
  }
  return { manuscript: { dir, issue: issue.value, chapters }, messages };
}
