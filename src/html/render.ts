/**
 * The HTML stage: one chapter's Markdown to an XHTML-compatible body fragment, for print
 * (Paged.js) or for an EPUB content document. Raw HTML is parsed and sanitised here, once.
 */
import type { Root } from 'hast';
import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { VFile } from 'vfile';
import type { Chapter } from '../manuscript/index.js';
import { messagesOf, parseMarkdown } from '../markdown/index.js';
import { sessionMemos } from '../session/index.js';
import type { Message } from '../messages.js';
import { createHandlers } from './handlers/index.js';
import rehypePageBreakBlocks from './rehype-page-break-blocks.js';
import rehypeSanitizeManuscript from './rehype-sanitize-manuscript.js';
import { folioSchema } from './schema.js';
import type { Target } from './target.js';

/** Options of `renderChapter`. */
export interface RenderChapterOptions {
  target: Target;
}

/** A chapter rendered to HTML: the serialised fragment, its tree and the problems found. */
export interface RenderedChapter {
  /** The body fragment, well-formed XML (XHTML-compatible). */
  html: string;
  /** The same fragment as a hast tree. */
  hast: Root;
  messages: Message[];
}

/** Serialiser settings under which HTML is also well-formed XML. */
export const xhtmlSerialization = {
  closeSelfClosing: true,
  closeEmptyElements: false,
  tightSelfClosing: false,
  collapseEmptyAttributes: false,
  omitOptionalTags: false,
  preferUnquoted: false,
  quote: '"',
  quoteSmart: false,
  allowDangerousHtml: false,
  allowDangerousCharacters: false,
  characterReferences: { useNamedReferences: false },
} as const;

/** Renders one chapter (the whole file, front matter included) for a target. */
export function renderChapter(chapter: Pick<Chapter, 'path' | 'markdown'>, options: RenderChapterOptions): RenderedChapter {
  const { target } = options;
  if (target !== 'print' && target !== 'epub') throw new TypeError(`renderChapter: unexpected target \`${String(target)}\`, expected print or epub`);
  return sessionMemos().renderedChapters.get(`${target}\0${chapter.path}`, chapter.markdown, () => render(chapter, target));
}

/**
 * The chapter's parse (shared by every target and stage: `parseMarkdown`), then the tree to HTML
 * for `target`; the parse's messages come first, as when one processor ran both.
 */
function render(chapter: Pick<Chapter, 'path' | 'markdown'>, target: Target): RenderedChapter {
  const parsed = parseMarkdown(chapter.markdown, chapter.path);
  const file = new VFile({ path: chapter.path, value: chapter.markdown });
  const processor = unified()
    .use(remarkRehype, { handlers: createHandlers(target), allowDangerousHtml: true, clobberPrefix: '' })
    .use(rehypeRaw)
    .use(rehypeSanitizeManuscript, { schema: folioSchema })
    .use(target === 'print' ? [rehypePageBreakBlocks] : [])
    .use(rehypeStringify, xhtmlSerialization);
  const hast = processor.runSync(parsed.tree, file);
  const html = processor.stringify(hast, file);
  return { html: String(html).trim(), hast, messages: [...parsed.messages, ...messagesOf(file)] };
}
