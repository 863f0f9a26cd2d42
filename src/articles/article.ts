/**
 * What the article outputs know of one article: which chapters are articles, their people,
 * pages, DOI and language, and the parts of the opening (subtitle, byline, author note) read
 * from the chapter's syntax tree. JATS, the Crossref deposit and the landing page all start here.
 */
import type { FootnoteDefinition, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Chapter, IssueMeta, Manuscript } from '../manuscript/index.js';
import { parseMarkdown } from '../markdown/processor.js';
import type { Message } from '../messages.js';

/** One author as the metadata formats want them: the name as printed and its parts. */
export interface Contributor {
  /** The name as the manuscript writes it (`Wang Yi`, `王毅`). */
  name: string;
  surname: string;
  given?: string;
  /** JATS `name-style`: eastern names are written family name first. */
  style: 'eastern' | 'western';
}

/** An article as every article output needs it. */
export interface Article {
  chapter: Chapter;
  tree: Root;
  title: string;
  subtitle?: string;
  contributors: Contributor[];
  /**
   * The author note, as text: the `[^author]` note (printed `*`) of the English articles, or
   * what the byline prints beside the name in the Chinese ones (the author's title).
   */
  authorNote?: string;
  /** The chapter this one translates, when it is a translation. */
  original?: Chapter;
  /** The first paragraph of the running text: the landing page's abstract. */
  firstParagraph?: string;
}

/**
 * The chapters that are articles: every chapter of kind `article`, in both languages. The news
 * section is a run of unsigned items and the back page is the publisher's, so neither is an
 * article anyone cites or deposits.
 */
export function articleChapters(manuscript: Manuscript): Chapter[] {
  return manuscript.chapters.filter((chapter) => chapter.kind === 'article');
}

const han = /\p{Script=Han}/u;

/**
 * Splits a name into its parts. A name in Han script is family name first, the family name one
 * character (the common case; a two-character family name such as 欧阳 is not told apart); a
 * name in Latin script follows the issue's `nameOrder`.
 */
export function contributorOf(name: string, order: IssueMeta['nameOrder']): Contributor {
  const trimmed = name.trim().replace(/\s+/gu, ' ');
  if (han.test(trimmed)) {
    const letters = [...trimmed.replace(/\s/gu, '')];
    const given = letters.slice(1).join('');
    return { name: trimmed, surname: letters[0] ?? trimmed, ...(given ? { given } : {}), style: 'eastern' };
  }
  const parts = trimmed.split(' ');
  if (parts.length === 1) return { name: trimmed, surname: trimmed, style: order === 'family-first' ? 'eastern' : 'western' };
  if (order === 'family-first') return { name: trimmed, surname: parts[0] as string, given: parts.slice(1).join(' '), style: 'eastern' };
  return { name: trimmed, surname: parts[parts.length - 1] as string, given: parts.slice(0, -1).join(' '), style: 'western' };
}

/** A name as a pattern that matches it however the byline spaces it out (`孙  劲`, `Wang Yi`). */
function spacedName(name: string): RegExp {
  const letters = [...name.replace(/\s/gu, '')].map((c) => c.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
  return new RegExp(letters.join('\\s*'), 'u');
}

/**
 * What a byline prints beside the names: nothing in the English articles (`By Wang Yi`), the
 * author's title in the Chinese ones (`孙  劲  外交部气候变化谈判特别代表`).
 */
export function bylineRole(byline: string, authors: readonly string[]): string | undefined {
  let rest = byline.replace(/^\s*By\s+/u, '');
  for (const author of authors) rest = rest.replace(spacedName(author), ' ');
  // What joined the names (`and`, a comma, 、) is no part of what stands beside them.
  rest = rest.replace(/^(?:\s|,|、|and(?=\s|$))+/u, '').replace(/\s+/gu, ' ').trim();
  return rest === '' ? undefined : rest;
}

/** The text of a node without its footnote calls (a byline's `[^author]`). */
function textWithoutCalls(node: RootContent): string {
  if (node.type === 'footnoteReference') return '';
  if ('children' in node) return (node.children as RootContent[]).map(textWithoutCalls).join('');
  return toString(node);
}

/** Reads one article chapter: its tree (through the project's Markdown stage) and its opening. */
export function readArticle(chapter: Chapter, manuscript: Manuscript): { article: Article; messages: Message[] } {
  const { tree, messages } = parseMarkdown(chapter.markdown, chapter.path);
  const article: Article = { chapter, tree, title: chapter.title, contributors: chapter.authors.map((a) => contributorOf(a, manuscript.issue.nameOrder)) };
  let role: string | undefined;
  for (const node of tree.children) {
    if (node.type === 'subtitle' && article.subtitle === undefined) article.subtitle = textWithoutCalls(node).trim();
    if (node.type === 'byline') role ??= bylineRole(textWithoutCalls(node), chapter.authors);
    if (node.type === 'paragraph' && article.firstParagraph === undefined) {
      const text = textWithoutCalls(node).trim();
      if (text !== '') article.firstParagraph = text;
    }
  }
  const note = tree.children.find((n): n is FootnoteDefinition => n.type === 'footnoteDefinition' && n.identifier === 'author');
  const authorNote = note ? note.children.map(textWithoutCalls).join(' ').trim() : (chapter.authorNote ?? role);
  if (authorNote) article.authorNote = authorNote;
  const original = chapter.translationOf ? manuscript.chapters.find((c) => c.slug === chapter.translationOf) : undefined;
  if (original) article.original = original;
  return { article, messages };
}

/** The issue date as its parts, for the formats that want them apart. */
export function dateParts(date: string | undefined): { year: string; month: string; day: string } | undefined {
  const match = date ? /^(\d{4})-(\d{2})-(\d{2})$/u.exec(date) : null;
  return match ? { year: match[1] as string, month: match[2] as string, day: match[3] as string } : undefined;
}
