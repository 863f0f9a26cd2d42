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

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstBadByte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k += 1) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return 0;
}

/**
 * The text of a manuscript file, or a `manuscript-009` at the line and column of its first byte
 * that is not UTF-8: read leniently, such a byte would become U+FFFD in every output.
 */
function decodeUtf8(bytes: Buffer, file: string): { text?: string; problem?: Message } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const at = firstBadByte(bytes);
    const before = bytes.subarray(0, at).toString('utf8');
    const lines = before.split('\n');
    const line = lines.length;
    const column = (lines.at(-1)?.length ?? 0) + 1;
    const byte = bytes[at] ?? 0;
    return { problem: message('manuscript-009', `Unexpected byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} that is not UTF-8 (at byte ${at}), expected the file in UTF-8`, { file, line, column }) };
  }
}

/** Where `key: value` stands in a YAML text, at its value (1-based), or nothing when it is not written that way. */
function placeOfValue(text: string, key: string, value: string): { line: number; column: number } | Record<string, never> {
  const lines = text.split(/\r?\n/u);
  for (const [index, line] of lines.entries()) {
    const match = new RegExp(`^(\\s*(?:-\\s+)?${key}:\\s*)(['"]?)(.*?)\\2\\s*(?:#.*)?$`, 'u').exec(line);
    if (match?.[3] === value) return { line: index + 1, column: (match[1] ?? '').length + 1 };
  }
  return {};
}

/** Loads and validates a manuscript folder. Problems come back as messages, never thrown. */
export async function loadManuscript(dir: string): Promise<{ manuscript?: Manuscript; messages: Message[] }> {
  const issueFile = path.join(dir, 'issue.yaml');
  let issueBytes: Buffer;
  try {
    issueBytes = await readFile(issueFile);
  } catch {
    return { messages: [message('manuscript-002', `Unexpected missing file, expected the issue metadata`, { file: issueFile })] };
  }
  const issueDecoded = decodeUtf8(issueBytes, issueFile);
  if (issueDecoded.text === undefined) return { messages: issueDecoded.problem ? [issueDecoded.problem] : [] };
  const issueText = issueDecoded.text;
  const issue = validateYaml(issueText, issueFile, issueMeta);
  if (!issue.value) return { messages: issue.messages };
  const messages: Message[] = [...issue.messages];
  const chapters: Chapter[] = [];
  for (const meta of issue.value.chapters) {
    const file = path.join(dir, meta.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      messages.push(message('manuscript-002', `Unexpected missing chapter file \`${meta.file}\` listed in issue.yaml`, { file: issueFile, ...placeOfValue(issueText, 'file', meta.file) }));
      continue;
    }
    const decoded = decodeUtf8(bytes, file);
    if (decoded.text === undefined) {
      if (decoded.problem) messages.push(decoded.problem);
      continue;
    }
    const markdown = decoded.text;
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
