/**
 * The Markdown stage: a manuscript chapter's text to an mdast tree with Folio nodes, and the
 * problems found on the way as messages with places.
 */
import type { Root } from 'mdast';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { message, rules, type Message, type RuleId } from '../messages.js';
// The memo module itself, not the session's index: that reaches into the stages, which import this.
import { sessionMemos } from '../session/memo.js';
import remarkFolioDirectives from './remark-folio-directives.js';
import remarkFootnoteCheck from './remark-footnote-check.js';
import remarkPageMarkerPlacement from './remark-page-marker-placement.js';
import './nodes.js';

/** The remark plugins every output shares, in order: parse, front matter, GFM, directives, marker placement, checks. */
export function markdownProcessor() {
  return unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm).use(remarkDirective).use(remarkFolioDirectives).use(remarkPageMarkerPlacement).use(remarkFootnoteCheck);
}

/**
 * Parses one chapter file's text (front matter included, so lines are the file's lines), with
 * every plugin of `markdownProcessor` run. Made once per text of each file in a session (its
 * memos, src/session): the caller gets a copy of its own, free to change.
 */
export function parseMarkdown(markdown: string, file: string): { tree: Root; messages: Message[] } {
  return sessionMemos().parsedChapters.get(file, markdown, () => parse(markdown, file));
}

function parse(markdown: string, file: string): { tree: Root; messages: Message[] } {
  const vfile = new VFile({ path: file, value: markdown });
  const processor = markdownProcessor();
  const tree = processor.runSync(processor.parse(vfile), vfile);
  return { tree, messages: messagesOf(vfile) };
}

/** Turns the vfile messages our plugins left into catalogue messages with places. */
export function messagesOf(vfile: VFile): Message[] {
  return vfile.messages.map((m) => {
    const ruleId = (m.ruleId !== undefined && m.ruleId in rules ? m.ruleId : 'markdown-001') as RuleId;
    const place: { file: string; line?: number; column?: number } = { file: vfile.path };
    if (m.line !== undefined) place.line = m.line;
    if (m.column !== undefined) place.column = m.column;
    return message(ruleId, m.reason, place);
  });
}
