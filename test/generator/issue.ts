/**
 * Generated issues for testing the import on issues it has never seen: articles re-flowed into
 * a page geometry of the generator's choosing, then written out in the extraction's conventions
 * (a surviving folio as a block of its own with the running head, a leading space on the first
 * line of a page whose start survives, notes at the foot of their page, an opening page's title
 * and byline after its text, Chinese lines double-spaced). The truth (where every page starts,
 * which chapter opens where) comes from the generator, never from the import.
 */
import { CALL, type Article } from './content.js';

export interface Measure {
  /** Lines of text a full page holds (blank lines between paragraphs included, for Latin). */
  linesPerPage: number;
  /** The longest line, in characters (CJK characters for Chinese). */
  charsPerLine: number;
}

export interface IssueOptions {
  seed: number;
  journal: string;
  issue: string;
  latin: Measure;
  cjk: Measure;
  /** How many folios survive, on pages chosen at random (page 1's never does). */
  folios: number;
  /** The share of the other pages whose first line keeps its leading space. */
  marked: number;
  /** Where an opening page's title block stands in the text: after its body (as the extraction has it) or before. */
  titleStyle: 'after-body' | 'before-body';
  /** Indexes (into the chosen articles) printed without a title. */
  untitled: number[];
  /** Where added note calls stand: glued to a word (`power1`) or after punctuation (`enemies,1`). */
  noteCalls: 'word' | 'punctuation';
  /** Notes added to each English article, at calls chosen at random. */
  extraNotes: number;
}

export interface PageTruth {
  page: number;
  /** The source line (1-based) of the page's first line of text. */
  line: number;
  /** The first words of that line. */
  first: string;
  folio: boolean;
  marked: boolean;
}

export interface ChapterTruth {
  title: string;
  printedTitle: boolean;
  language: 'en' | 'zh';
  firstPage: number;
  lastPage: number;
}

export interface GeneratedIssue {
  text: string;
  pages: number;
  pageStarts: PageTruth[];
  chapters: ChapterTruth[];
  options: IssueOptions;
}

/** A small seeded generator (mulberry32): the same seed, the same issue. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cjkChar = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef“”‘’《》…—]/u;
const noBreakBefore = /^[，。、；：！？）》」』”’…]/u;

/** Latin text wrapped at `width` characters, breaking at spaces or after a hyphen. */
function wrapLatin(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      const hyphen = word.lastIndexOf('-', width - line.length - 2);
      if (hyphen > 0 && hyphen < word.length - 1) {
        lines.push(`${line} ${word.slice(0, hyphen + 1)}`);
        line = word.slice(hyphen + 1);
      } else {
        lines.push(line);
        line = word;
      }
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Chinese text wrapped at `width` characters; closing punctuation never opens a line. */
function wrapCjk(text: string, width: number): string[] {
  const chars = [...text];
  const lines: string[] = [];
  let k = 0;
  while (k < chars.length) {
    let end = Math.min(chars.length, k + width);
    // A run of Latin letters or digits is half as wide: let the line take a few more.
    const latin = chars.slice(k, end).filter((c) => !cjkChar.test(c)).length;
    end = Math.min(chars.length, end + Math.floor(latin / 2));
    while (end < chars.length && noBreakBefore.test(chars[end] ?? '')) end += 1;
    // A run of Latin letters or digits (`2021`, `IPCC`) is never split.
    while (end < chars.length && /[\p{L}\p{N}.%]/u.test(chars[end] ?? '') && !cjkChar.test(chars[end] ?? '') && /[\p{L}\p{N}]/u.test(chars[end - 1] ?? '') && !cjkChar.test(chars[end - 1] ?? '')) end += 1;
    // A note call (`\ue000id\ue000`) is never split, and stays on the line of the character it follows.
    const inside = chars.slice(k, end).filter((c) => c === '\ue000').length % 2 === 1;
    if (inside || chars[end] === '\ue000') {
      const close = chars.indexOf('\ue000', inside ? end : end + 1);
      end = close < 0 ? chars.length : close + 1;
    }
    lines.push(chars.slice(k, end).join(''));
    k = end;
  }
  return lines;
}

interface Line {
  text: string;
  /** Ids of the notes called on this line. */
  calls: string[];
  kind: 'text' | 'blank' | 'heading';
}

const noteTexts = [
  'See the joint statement issued by the two sides after the talks, published the same day.',
  'The figures are those of the national statistics office for the year, as revised in its annual report.',
  'Quoted from the speech delivered at the opening ceremony, as released by the organisers.',
  'For the full text of the declaration, see the official website of the ministry concerned.',
  'The conference was attended by delegates of more than forty countries and regional organisations.',
];

/** Adds `count` notes to an English article, called after a word or after a comma. */
function addNotes(article: Article, count: number, style: IssueOptions['noteCalls'], rand: () => number): Article {
  const blocks = article.blocks.map((b) => ({ ...b }));
  const notes = new Map(article.notes);
  const paragraphs = blocks.filter((b) => b.kind === 'paragraph' && !CALL.test(b.text));
  CALL.lastIndex = 0;
  for (let n = 0; n < count && paragraphs.length > 0; n += 1) {
    const block = paragraphs.splice(Math.floor(rand() * paragraphs.length), 1)[0];
    if (!block) break;
    const tokens = block.text.split(' ');
    const fits = tokens.map((t, i) => i).filter((i) => i > 2 && i < tokens.length - 2 && (style === 'punctuation' ? /\p{L},$/u.test(tokens[i] ?? '') : /\p{L}{3,}$/u.test(tokens[i] ?? '')));
    if (fits.length === 0) continue;
    const at = fits[Math.floor(rand() * fits.length)] ?? 0;
    const id = `g${n}`;
    tokens[at] = `${tokens[at] ?? ''}\ue000${id}\ue000`;
    block.text = tokens.join(' ');
    notes.set(id, noteTexts[Math.floor(rand() * noteTexts.length)] ?? '');
  }
  return { ...article, blocks, notes };
}

/** Lines of an article's body, with its calls numbered in print order from 1. */
function bodyLines(article: Article, measure: Measure): { lines: Line[]; numbers: Map<string, number> } {
  const numbers = new Map<string, number>();
  const lines: Line[] = [];
  const cjk = article.language === 'zh';
  const wrap = (text: string): string[] => (cjk ? wrapCjk(text, measure.charsPerLine) : wrapLatin(text, measure.charsPerLine));
  article.blocks.forEach((block, k) => {
    const printed = block.text.replace(CALL, (_, id: string) => {
      if (!numbers.has(id)) numbers.set(id, numbers.size + 1);
      return `\ue000${id}\ue000`;
    });
    if (k > 0 && !cjk) lines.push({ text: '', calls: [], kind: 'blank' });
    if (block.kind === 'heading') {
      if (k > 0 && !cjk) lines.push({ text: '', calls: [], kind: 'blank' });
      for (const t of wrap(printed)) lines.push({ text: t, calls: [], kind: 'heading' });
      if (!cjk) lines.push({ text: '', calls: [], kind: 'blank' });
      return;
    }
    for (const t of wrap(printed)) {
      const calls = [...t.matchAll(CALL)].map((m) => m[1] ?? '');
      lines.push({ text: t.replace(CALL, (_, id: string) => String(numbers.get(id))), calls, kind: 'text' });
    }
  });
  // A call is never split across two lines: Latin ids hold no spaces, and wrapCjk keeps a call whole.
  return { lines: lines.filter((l, i) => !(l.kind === 'blank' && lines[i - 1]?.kind === 'blank')), numbers };
}

/**
 * Sets `articles` (in the order given) into pages and writes the issue's source text.
 * Every article opens a page.
 */
export function generateIssue(articles: readonly Article[], options: IssueOptions): GeneratedIssue {
  const rand = random(options.seed);
  const head = `${options.journal}·${options.issue}`;
  interface Page {
    lines: Line[];
    notes: string[];
    opening?: { title: string[]; byline?: string; authorNote?: string; cjk: boolean; first: boolean };
    cjk: boolean;
  }
  const pages: Page[] = [];
  const chapters: ChapterTruth[] = [];
  articles.forEach((source, index) => {
    const article = source.language === 'en' && options.extraNotes > 0 && source.kind === 'article' ? addNotes(source, options.extraNotes, options.noteCalls, rand) : source;
    const cjk = article.language === 'zh';
    const measure = cjk ? options.cjk : options.latin;
    // Only an article can lose its title in the text; a section label or a back page keeps it.
    const printedTitle = article.kind !== 'article' || !options.untitled.includes(index);
    // A back page's title stands first, as the extraction has it; an article's or a section's as the issue's style has it.
    const titleFirst = options.titleStyle === 'before-body' || (article.kind !== 'article' && article.kind !== 'news');
    const { lines, numbers } = bodyLines(article, measure);
    const titleWidth = Math.round(measure.charsPerLine * 0.75);
    const title = printedTitle ? (cjk ? wrapCjk(article.title, titleWidth) : wrapLatin(article.title, titleWidth)) : [];
    const byline = article.byline ? `${article.byline}${article.authorNote && !cjk ? '*' : ''}` : undefined;
    const authorNote = article.authorNote && !cjk ? `*  ${article.authorNote}` : undefined;
    const firstPage = pages.length + 1;
    let k = 0;
    let first = true;
    while (k < lines.length) {
      const page: Page = { lines: [], notes: [], cjk };
      // The title block takes the top of the opening page.
      let room = measure.linesPerPage - (first ? Math.max(3, title.length * 2 + (byline ? 2 : 0) + (authorNote ? 2 : 0)) : 0);
      if (first) page.opening = { title, ...(byline ? { byline } : {}), ...(authorNote ? { authorNote } : {}), cjk, first: titleFirst };
      while (k < lines.length && (lines[k]?.kind === 'blank')) k += 1;
      while (k < lines.length) {
        const line = lines[k];
        if (!line) break;
        const noteLines = line.calls.flatMap((id) => wrapNote(numbers.get(id) ?? 0, article.notes.get(id) ?? '', cjk, measure));
        const cost = 1 + noteLines.length + (noteLines.length > 0 && page.notes.length === 0 ? 1 : 0);
        if (cost > room && page.lines.length > 0) break;
        // A heading never ends a page, nor breaks across two: it goes over with its first line of text.
        if (line.kind === 'heading' && lines[k - 1]?.kind !== 'heading' && page.lines.length > 0) {
          let h = 0;
          while (lines[k + h]?.kind === 'heading') h += 1;
          if (h + 2 > room) break;
        }
        page.lines.push(line);
        page.notes.push(...noteLines);
        room -= cost;
        k += 1;
      }
      while (page.lines.at(-1)?.kind === 'blank') page.lines.pop();
      pages.push(page);
      first = false;
    }
    chapters.push({ title: article.title, printedTitle, language: article.language, firstPage, lastPage: pages.length });
  });

  // The folios that survive and the page starts that keep their leading space.
  const candidates = pages.map((_, i) => i + 1).filter((p) => p > 1);
  const folios = new Set<number>();
  while (folios.size < Math.min(options.folios, candidates.length)) {
    folios.add(candidates[Math.floor(rand() * candidates.length)] ?? 2);
  }
  const out: string[] = [];
  const pageStarts: PageTruth[] = [];
  pages.forEach((page, i) => {
    const p = i + 1;
    const folio = folios.has(p);
    const marked = !folio && p > 1 && rand() < options.marked;
    if (folio) out.push('', '', '', String(p), '', head, '');
    const body: string[] = [];
    const push = (text: string): void => {
      body.push(text);
      if (page.cjk) body.push('');
    };
    const opening = page.opening;
    const titleBlock = (): void => {
      if (!opening) return;
      if (opening.title.length > 0) {
        if (!page.cjk) for (const t of opening.title) body.push(`${t} `);
        else for (const t of opening.title) push(t);
      }
      if (opening.byline) push(opening.byline);
    };
    if (opening?.first) {
      titleBlock();
      if (!page.cjk) body.push('');
    }
    const firstText = body.length;
    for (const line of page.lines) {
      if (line.kind === 'blank') body.push('');
      else push(page.cjk ? line.text : `${line.text} `);
    }
    if (page.notes.length > 0) {
      body.push('');
      for (const n of page.notes) push(n);
    }
    if (opening?.authorNote) body.push('', opening.authorNote, '');
    if (opening && !opening.first) {
      if (!page.cjk) body.push('');
      titleBlock();
      if (!page.cjk) body.push('', '', '');
    }
    const start = opening?.first ? 0 : firstText;
    if (marked) body[start] = ` ${body[start] ?? ''}`;
    pageStarts.push({ page: p, line: out.length + start + 1, first: (body[start] ?? '').trim(), folio, marked });
    while (!page.cjk && body.at(-1) === '' && pages[i + 1] && folios.has(p + 1)) body.pop();
    out.push(...body);
  });
  return { text: `${out.join('\n')}\n`, pages: pages.length, pageStarts, chapters, options };
}

function wrapNote(number: number, text: string, cjk: boolean, measure: Measure): string[] {
  const lines = cjk ? wrapCjk(`${number}  ${text}`, measure.charsPerLine) : wrapLatin(`${number}  ${text}`, measure.charsPerLine);
  return lines.map((l, i) => (cjk || i === lines.length - 1 ? l : `${l} `));
}
