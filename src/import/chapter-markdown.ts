/**
 * One imported chapter as Markdown: its front matter, the page marker before an opening title,
 * the title, subtitle and byline, the blocks of its body with their page markers, and its
 * notes as GFM footnotes, each note's first number on its page in the text made its call.
 */
import type { FrontMatter } from '../manuscript/schema.js';
import { message, type Message } from '../messages.js';
import { buildBlocks, inlineText, type Block } from './blocks.js';
import { callClose, callOpen, escapeMarkdown, frontMatterBlock, pageMarker } from './markdown.js';
import { callBefore, type SourceChapter } from './structure.js';

/** The chapter file's text; a note without a call in the text is an `import-007` at its source line. */
export function writeChapter(
  chapter: SourceChapter,
  meta: FrontMatter,
  typicalWidth: number,
  messages: Message[],
  file: string,
  lineNumber: (i: number) => number,
): string {
  const cjk = chapter.language !== 'en';
  // Footnote calls: the first number glued to a word on the note's own page becomes a call.
  const labels = new Map<string, string>();
  let page = chapter.firstPage;
  const pending = new Map<number, Set<string>>();
  for (const note of chapter.notes) {
    let label = note.label;
    for (let n = 2; [...labels.values()].includes(label); n += 1) label = `${note.label}-${n}`;
    labels.set(`${note.page}:${note.label}`, label);
    const set = pending.get(note.page) ?? new Set<string>();
    set.add(note.label);
    pending.set(note.page, set);
  }
  for (const line of chapter.body) {
    if (line.opensPage !== undefined) page = line.opensPage;
    const onPage = pending.get(page);
    if (!onPage || line.index < 0) continue;
    for (const number of [...onPage]) {
      const call = new RegExp(`(?<=${callBefore})${number}(?=\\s|$|[.,;:，。；）)])`, 'u');
      if (call.test(line.text)) {
        line.text = line.text.replace(call, `${callOpen}${labels.get(`${page}:${number}`)}${callClose}`);
        onPage.delete(number);
      }
    }
  }
  for (const [p, left] of pending) {
    for (const number of left) {
      const note = chapter.notes.find((n) => n.page === p && n.label === number);
      messages.push(message('import-007', `Unexpected note ${number} on page ${p} without a call in the text`, { file, line: lineNumber(note?.lines[0] ?? 0) }));
    }
  }

  const out: string[] = [frontMatterBlock(meta)];
  const body = [...chapter.body];
  const opening = chapter.opening;
  // The opening page's marker goes before the title: in print the title opens the page.
  const firstBody = body.find((l) => l.opensPage !== undefined);
  if (opening && firstBody?.opensPage === chapter.firstPage) {
    delete firstBody.opensPage;
    if (firstBody.index < 0) body.splice(body.indexOf(firstBody), 1);
    out.push(pageMarker(chapter.firstPage));
  }
  const authorCall = meta.authorNote ? `${callOpen}author${callClose}` : '';
  let authorCalled = false;
  if (meta.title && meta.titleSource !== 'supplied') {
    const onTitle = authorCall && !opening?.byline;
    out.push(`# ${escapeMarkdown(meta.title, { heading: true })}${onTitle ? escapeMarkdown(authorCall) : ''}`);
    authorCalled ||= Boolean(onTitle);
  }
  for (const sub of opening?.subtitleLines ?? []) out.push(`:::subtitle\n${escapeMarkdown(sub)}\n:::`);
  if (opening?.byline) {
    const text = opening.bylineCallsNote && authorCall ? opening.byline.replace(/\s*\*+\s*$/u, authorCall) : opening.byline;
    authorCalled ||= text.includes(callOpen);
    out.push(`:::byline\n${escapeMarkdown(text)}\n:::`);
  }
  const blocks: Block[] = buildBlocks(body, { cjk, news: meta.kind === 'news', typicalWidth });
  for (const block of blocks) {
    const heading = block.type === 'heading';
    let text = inlineText(block, (t) => escapeMarkdown(t, { heading }), pageMarker);
    if (!authorCalled && authorCall && block.type === 'paragraph') {
      // No title and no byline to carry the author note: the first paragraph calls it, on the
      // opening page (before the paragraph runs on to the next page, if it does).
      const call = escapeMarkdown(authorCall);
      const nextPage = text.search(/ ?:page\[\d+\]/u);
      text = nextPage > 0 ? `${text.slice(0, nextPage)}${call}${text.slice(nextPage)}` : `${text}${call}`;
      authorCalled = true;
    }
    if (block.type === 'heading') {
      // A page that opens with a heading: the marker stands on its own line before it.
      const markers = /^(?::page\[\d+\])+/u.exec(text)?.[0] ?? '';
      if (markers) out.push(markers);
      out.push(`${'#'.repeat(block.depth ?? 2)} ${text.slice(markers.length)}`);
    } else out.push(text);
  }
  const definitions: string[] = [];
  if (meta.authorNote) definitions.push(`[^author]: ${escapeMarkdown(meta.authorNote)}`);
  for (const note of chapter.notes) {
    definitions.push(`[^${labels.get(`${note.page}:${note.label}`)}]: ${escapeMarkdown(note.text.replace(/\s{2,}/gu, ' '))}`);
  }
  return `${out.join('\n\n')}\n${definitions.length > 0 ? `\n${definitions.join('\n\n')}\n` : ''}`;
}
