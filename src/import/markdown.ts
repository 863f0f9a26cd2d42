/**
 * Writes chapters as Markdown: front matter, `:page[N]` markers, headings, paragraphs and GFM
 * footnotes. Every character Markdown would read as syntax is escaped, so the text survives a
 * parse unchanged.
 */
import { stringify } from 'yaml';
import type { FrontMatter } from '../manuscript/schema.js';

/**
 * Brackets around a footnote label while the text around it is escaped: two Unicode
 * noncharacters, which are never text. The source reader removes any it finds (with a warning),
 * so no character a user wrote can be read as a footnote call.
 */
export const callOpen = '\uFDD0';
export const callClose = '\uFDD1';

/** Escapes text so that remark (with GFM and directives) reads it back as the same text. */
export function escapeMarkdown(text: string, options: { heading?: boolean } = {}): string {
  let out = text
    .replace(/\\/gu, '\\\\')
    .replace(/([*_[\]<>`|~])/gu, '\\$1')
    .replace(/&/gu, '\\&')
    .replace(/:(?=[\p{L}\d])/gu, '\\:')
    .replace(/!(?=\\\[)/gu, '\\!');
  // What opens a block at the start of a paragraph: headings, lists, quotes, thematic breaks.
  if (options.heading) out = out.replace(/(#+)$/u, (h) => h.replace(/#/gu, '\\#'));
  else out = out.replace(/^(\s*)([#>+=-])/u, '$1\\$2').replace(/^(\s*\d{1,9})([.)])/u, '$1\\$2');
  return out.replace(new RegExp(`${callOpen}([^${callClose}]+)${callClose}`, 'gu'), '[^$1]');
}

/** The marker of printed page N. */
export function pageMarker(page: number): string {
  return `:page[${page}]`;
}

/** Front matter in a stable key order. */
export function frontMatterBlock(meta: FrontMatter): string {
  return `---\n${stringify(meta, { lineWidth: 0 }).trimEnd()}\n---\n`;
}
