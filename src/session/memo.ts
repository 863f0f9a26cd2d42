import { AsyncLocalStorage } from 'node:async_hooks';
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
 * The memos of one session, behind one boundary: a stage asks here for the last value it made
 * and keeps none in its own module. A session owns them: a run of a command, one `build()`
 * (its PDF and EPUB render the same chapters), a watch session (each build after an edit makes
 * again only what the edit changed: `folio build --watch` hands one set to every build), the preview server. Two issues built
 * in one process (the catalogue's workers) keep apart.
 */
export interface Memos {
  /**
   * The last parse of each chapter file (`parseMarkdown` in src/markdown/processor.ts): the
   * manuscript's check, the articles, the print and the EPUB renderings all start from it, so a
   * build parses each chapter once.
   */
  parsedChapters: LastMade<{ tree: MdastRoot; messages: Message[] }>;
  /** The last rendering of each chapter file for each target (`renderChapter` in src/html/render.ts). */
  renderedChapters: LastMade<RenderedChapter>;
  /** The last hyphenated print rendering of each chapter file and language (src/pdf/print-document.ts). */
  hyphenatedChapters: LastMade<{ hast: Root; messages: Message[] }>;
  /** The EPUBCheck each jar and PATH name, each kept a minute (`epubcheckTool` in src/epub/epubcheck-tool.ts). */
  epubcheckTools: Map<string, Promise<EpubcheckTool | undefined>>;
}

/** A session's memos, empty; `chapters` bounds each chapter memo (default 256 files). */
export function createMemos(chapters = 256): Memos {
  return {
    parsedChapters: new LastMade(chapters, (parsed) => structuredClone(parsed)),
    renderedChapters: new LastMade(chapters, (result) => ({ html: result.html, hast: structuredClone(result.hast), messages: structuredClone(result.messages) })),
    hyphenatedChapters: new LastMade(chapters, (made) => structuredClone(made)),
    epubcheckTools: new Map(),
  };
}

const current = new AsyncLocalStorage<Memos>();

/** Runs `work`, and all it starts, in the session whose memos are `memos`. */
export function withMemos<T>(memos: Memos, work: () => T): T {
  return current.run(memos, work);
}

/**
 * The memos of the session the caller runs in (`withMemos`). Outside any session (a test, a
 * caller of one function of the API), a set of its own for this call alone: nothing is kept.
 */
export function sessionMemos(): Memos {
  return current.getStore() ?? createMemos();
}
