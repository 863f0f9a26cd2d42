import type { Root } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import type { EpubcheckTool } from '../epub/epubcheck-tool.js';
import type { RenderedChapter } from '../html/render.js';
import type { Message } from '../messages.js';

/**
 * The last value made for each key, kept while what it was made from stays the same: a process
 * that builds again and again (`folio build --watch`, the preview) makes again only what an
 * edit changed. Each caller gets a copy of its own, free to change.
 */
export class LastMade<T> {
  private readonly made = new Map<string, { input: string; value: T }>();

  /**
   * @param limit Keys remembered at most (the oldest are forgotten first).
   * @param copy Makes a caller's copy of a remembered value.
   */
  constructor(
    private readonly limit: number,
    private readonly copy: (value: T) => T,
  ) {}

  /** The value for `key` made from `input`: remembered, or made by `make` now. */
  get(key: string, input: string, make: () => T): T {
    const last = this.made.get(key);
    if (last?.input === input) return this.copy(last.value);
    const value = make();
    this.made.delete(key);
    this.made.set(key, { input, value: this.copy(value) });
    if (this.made.size > this.limit) this.made.delete(this.made.keys().next().value as string);
    return value;
  }
}

/**
 * The memos of this process, behind one boundary: a stage asks here for the last value it made
 * and keeps none in its own module. They live as long as the process, not a build, on purpose:
 * in one build the PDF and the EPUB render the same chapters, and in a watch session (or the
 * preview) each build after an edit makes again only what the edit changed.
 */
export const memos = {
  /**
   * The last parse of each chapter file (`parseMarkdown` in src/markdown/processor.ts): the
   * manuscript's check, the articles, the print and the EPUB renderings all start from it, so a
   * build parses each chapter once.
   */
  parsedChapters: new LastMade<{ tree: MdastRoot; messages: Message[] }>(256, (parsed) => structuredClone(parsed)),
  /** The last rendering of each chapter file for each target (`renderChapter` in src/html/render.ts). */
  renderedChapters: new LastMade<RenderedChapter>(256, (result) => ({ html: result.html, hast: structuredClone(result.hast), messages: structuredClone(result.messages) })),
  /** The last hyphenated print rendering of each chapter file and language (src/pdf/print-document.ts). */
  hyphenatedChapters: new LastMade<{ hast: Root; messages: Message[] }>(256, (made) => structuredClone(made)),
  /** The EPUBCheck each jar and PATH name, each kept a minute (`epubcheckTool` in src/epub/epubcheck-tool.ts). */
  epubcheckTools: new Map<string, Promise<EpubcheckTool | undefined>>(),
};
