/**
 * Rebuilds headings and paragraphs from a chapter's stream of lines: blank lines separate
 * blocks in single-spaced text, a short line that ends a sentence ends a paragraph, stray
 * blank lines inside a paragraph are closed up, and page starts are kept as markers.
 */
import type { BodyLine } from './structure.js';
import { displayWidth } from './source.js';
import { headingStyle, isCjkText, joinLines, normaliseSpaces, numeralAlone, sentenceEnd, titleCaseShare } from './text.js';

/** A piece of inline text, or a page marker between pieces. */
export type Inline = { type: 'text'; value: string; line: number } | { type: 'page'; page: number };

export interface Block {
  type: 'heading' | 'paragraph' | 'marker';
  /** Heading depth, 2 and deeper (the chapter title is depth 1). */
  depth?: number;
  style?: string;
  content: Inline[];
}

function lastText(block: Block): string {
  for (let k = block.content.length - 1; k >= 0; k -= 1) {
    const c = block.content[k];
    if (c?.type === 'text') return c.value;
  }
  return '';
}

function firstText(block: Block): string {
  for (const c of block.content) if (c.type === 'text') return c.value;
  return '';
}

function textLines(block: Block): string[] {
  return block.content.flatMap((c) => (c.type === 'text' ? [c.value] : []));
}

const joiningWords = new Set(['a', 'an', 'the', 'of', 'and', 'or', 'in', 'on', 'at', 'to', 'for', 'by', 'with', 'from', 'as', 'amid', 'into', 'over', 'via']);

/**
 * A title ends on a capitalised word, or on a joining word when it goes on (`… Anniversary of`);
 * a text that ends on another lowercase word (`co-hosted`) is a sentence cut short.
 */
function endsInLowercaseWord(text: string): boolean {
  const last = /(\p{L}[\p{L}'’-]*)[^\p{L}]*$/u.exec(text.trim())?.[1] ?? '';
  return /^\p{Ll}/u.test(last) && !joiningWords.has(last.toLowerCase());
}

/** Builds blocks from body lines. `typicalWidth` is the display width of a full line. */
export function buildBlocks(body: readonly BodyLine[], options: { cjk: boolean; news: boolean; typicalWidth: number }): Block[] {
  const { cjk, typicalWidth } = options;
  const raw: Block[] = [];
  let current: Block | undefined;
  let pendingPages: number[] = [];
  const flushPages = (into: Block): void => {
    for (const page of pendingPages) into.content.push({ type: 'page', page });
    pendingPages = [];
  };
  for (const line of body) {
    if (line.index < 0) {
      // A page without running text: its marker waits for the next text.
      if (line.opensPage !== undefined) pendingPages.push(line.opensPage);
      continue;
    }
    const t = line.text.trim();
    const prev = current ? lastText(current) : '';
    // Full width is the block's own measure where it has one: opening pages are set narrower.
    const recent = current ? textLines(current).slice(-6, -1).map(displayWidth) : [];
    const measure = recent.length >= 2 ? Math.max(...recent) : typicalWidth;
    const short = displayWidth(prev) < measure * (cjk ? 0.9 : 0.8);
    const startsBlock =
      !current ||
      (!cjk && line.blankBefore) ||
      (prev !== '' && sentenceEnd.test(prev) && short) ||
      (cjk && headingStyle(t) !== undefined) ||
      // A numbered CJK line ends its block when it is short: a heading, not a run-in paragraph.
      (cjk && headingStyle(prev) !== undefined && displayWidth(prev) < measure * 0.9) ||
      // A short CJK line alone, that ends no sentence, after a paragraph ended: a heading.
      (cjk && current !== undefined && textLines(current).length === 1 && displayWidth(prev) < typicalWidth * 0.7 && !/[。！？；，、：]$/u.test(prev)) ||
      (!cjk && numeralAlone.test(prev)) ||
      (!cjk && /^[—]/u.test(t) && sentenceEnd.test(prev));
    if (startsBlock) {
      current = { type: 'paragraph', content: [] };
      raw.push(current);
    }
    const block = current as Block;
    if (line.opensPage !== undefined) pendingPages.push(line.opensPage);
    flushPages(block);
    block.content.push({ type: 'text', value: t, line: line.index });
  }
  if (pendingPages.length > 0) {
    const tail: Block = { type: 'marker', content: [] };
    flushPages(tail);
    raw.push(tail);
  }

  // Classify: headings are short blocks that end no sentence, after a paragraph has ended.
  const isHeading = (block: Block, previous: Block | undefined): string | undefined => {
    const lines = textLines(block);
    if (lines.length === 0) return undefined;
    const whole = lines.join(' ');
    const first = lines[0] as string;
    const style = headingStyle(first);
    const prevEnded = !previous || previous.type === 'heading' || sentenceEnd.test(lastText(previous)) || previous.type === 'marker';
    if (!prevEnded) return undefined;
    if (style === 'numeral' && lines.length === 1) return style;
    const allShort = lines.every((l) => displayWidth(l) < typicalWidth * (isCjkText(l) ? 0.9 : 0.85));
    const lastLine = lines[lines.length - 1] as string;
    if (style && lines.length <= 2) {
      if (isCjkText(first)) return lines.length === 1 && displayWidth(first) < typicalWidth * 0.9 && !/[。；，]$/u.test(lastLine) && !/。./u.test(lastLine) ? style : undefined;
      if (/[;,]$/u.test(lastLine) || (lines.length === 2 && sentenceEnd.test(first))) return undefined;
      return style;
    }
    // A comma before a lowercase word reads as a sentence (`On May 5, the forum`); a title's
    // commas part capitalised phrases (`Reviewing Historical Moments, Upholding Equity`).
    if (lines.length > 3 || !allShort || sentenceEnd.test(lastLine) || /，/u.test(whole) || /,\s+\p{Ll}/u.test(whole)) return undefined;
    // A line wholly in brackets is an aside (a source note, a date), not a heading.
    if (/^[（(［[【].*[）)］\]】]$/u.test(whole.trim())) return undefined;
    if (isCjkText(whole)) return lines.length === 1 && displayWidth(whole) < typicalWidth * 0.7 ? 'unnumbered' : undefined;
    if (!/^[\p{Lu}\d“"‘(]/u.test(first)) return undefined;
    if (endsInLowercaseWord(whole)) return undefined;
    return titleCaseShare(whole) >= 0.75 ? 'unnumbered' : undefined;
  };

  const blocks: Block[] = [];
  for (const block of raw) {
    const previous = blocks[blocks.length - 1];
    if (block.type === 'marker') {
      blocks.push(block);
      continue;
    }
    // A title broken by a stray blank line may go on in lowercase (`… of` / `the Lawful Seat`).
    if (previous?.type === 'heading' && previous.style === 'unnumbered' && !isCjkText(firstText(block))) {
      const lines = textLines(block);
      const titleGoesOn =
        !sentenceEnd.test(lastText(previous)) &&
        /^\p{Ll}/u.test(firstText(block)) &&
        lines.length <= 2 &&
        lines.every((l) => displayWidth(l) < typicalWidth * 0.85 && !sentenceEnd.test(l)) &&
        !/,\s+\p{Ll}/u.test(lines.join(' ')) &&
        !endsInLowercaseWord(lines.join(' '));
      if (titleGoesOn) {
        previous.content.push(...block.content);
        continue;
      }
    }
    // A paragraph that stopped mid-sentence at a stray blank line runs on.
    if (previous?.type === 'paragraph') {
      const before = lastText(previous);
      const next = firstText(block);
      // A paragraph that ends no sentence runs on past a stray blank line, whatever its width.
      const runsOn = /^\p{Ll}/u.test(next) || !sentenceEnd.test(before) || /[^\s-]-$/u.test(before);
      if (runsOn && isHeading(block, previous) === undefined) {
        previous.content.push(...block.content);
        continue;
      }
    }
    const style = isHeading(block, previous);
    if (style) {
      // A title broken by a stray blank line continues in the next short block.
      if (previous?.type === 'heading' && previous.style === 'unnumbered' && style === 'unnumbered' && !isCjkText(firstText(block))) {
        previous.content.push(...block.content);
        continue;
      }
      blocks.push({ type: 'heading', style, content: block.content });
    } else {
      blocks.push({ type: 'paragraph', content: block.content });
    }
  }

  // Heading depth follows the order in which numbering styles first appear.
  // A heading never skips a level below the one before it.
  const order: string[] = [];
  let previousDepth = 1;
  for (const b of blocks) {
    if (b.type !== 'heading' || !b.style) continue;
    if (!order.includes(b.style)) order.push(b.style);
    b.depth = Math.min(4, 2 + order.indexOf(b.style), previousDepth + 1);
    previousDepth = b.depth;
  }
  return blocks;
}

/** Joins a block's text, placing markers where pages start. */
export function inlineText(block: Block, render: (text: string) => string, marker: (page: number) => string): string {
  let out = '';
  let pendingMarkers = '';
  for (const c of block.content) {
    if (c.type === 'page') {
      pendingMarkers += marker(c.page);
      continue;
    }
    const piece = render(normaliseSpaces(c.value));
    if (out === '') out = pendingMarkers + piece;
    else if (pendingMarkers !== '') {
      // A marker before the rest of a word broken at a line-end hyphen moves before the whole word.
      if (/[^\s-]-$/u.test(out)) {
        const wordStart = out.search(/\S+$/u);
        out = `${out.slice(0, wordStart)}${pendingMarkers}${out.slice(wordStart)}${piece}`;
      } else {
        const joined = joinLines(out, piece);
        const separator = joined.length > out.length + piece.length ? ' ' : '';
        out = `${out}${separator}${pendingMarkers}${piece}`;
      }
    } else out = joinLines(out, piece);
    pendingMarkers = '';
  }
  return out + pendingMarkers;
}
