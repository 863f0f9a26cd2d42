/** Small, pure rules about the text of a line: what ends a sentence, what looks like a title. */
import { cjkShare, displayWidth } from './source.js';

/** Ends a sentence or a paragraph, closing quotes and brackets allowed after it. */
export const sentenceEnd = /[.!?。！？…:;：；]["”’」』)）]*$/u;

/** A section numeral alone on a line: `I`, `Ⅱ`, `iv`, `一`. */
export const numeralAlone = /^\s*(?:[IVXLC]{1,6}|[ivx]{1,6}|[\u2160-\u216F]{1,3}|[一二三四五六七八九十]{1,3})\s*$/u;

/** Numbered heading styles, in the order they are tried. */
export const headingStyles: { name: string; pattern: RegExp }[] = [
  { name: 'numeral', pattern: numeralAlone },
  { name: 'roman-dot', pattern: /^(?:[IVXLC]{1,6}|[\u2160-\u216F]{1,3})\.\s+\S/u },
  { name: 'arabic-dot', pattern: /^\d{1,2}\.\s+\S/u },
  { name: 'lower-roman-dot', pattern: /^[ivx]{1,6}\.\s+\S/u },
  { name: 'cjk-comma', pattern: /^[一二三四五六七八九十]{1,3}、/u },
  { name: 'cjk-paren', pattern: /^（[一二三四五六七八九十]{1,3}）/u },
];

/** The numbering style of a heading line, if it has one. */
export function headingStyle(text: string): string | undefined {
  return headingStyles.find((s) => s.pattern.test(text.trim()))?.name;
}

const minorWords = new Set(['a', 'an', 'the', 'of', 'and', 'or', 'in', 'on', 'at', 'to', 'for', 'by', 'with', 'from', 'as', 'amid', 'into', 'over', 'via', 'vs', '&']);

/** Share of a line's words that are capitalised, minor words aside: titles score high. */
export function titleCaseShare(text: string): number {
  const words = text
    .split(/\s+/)
    .map((w) => w.replace(/^[“"‘(]+|[”"’),]+$/gu, ''))
    .filter((w) => w.length > 0 && !minorWords.has(w.toLowerCase()));
  if (words.length === 0) return 0;
  return words.filter((w) => /^[\p{Lu}\d]/u.test(w)).length / words.length;
}

/** True when a text is mostly CJK. */
export function isCjkText(text: string): boolean {
  return cjkShare(text) > 0.5;
}

/** Joins two lines of one paragraph: English with a space (none after a hyphen), CJK with none. */
export function joinLines(left: string, right: string): string {
  const a = left.replace(/\s+$/u, '');
  const b = right.replace(/^\s+/u, '');
  if (a === '') return b;
  if (b === '') return a;
  if (/[^\s-]-$/u.test(a)) return a + b;
  const last = a.slice(-1);
  const first = b.slice(0, 1);
  if (cjkShare(last) > 0 || cjkShare(first) > 0) return a + b;
  return `${a} ${b}`;
}

/** Collapses runs of spaces inside a line (extraction artefacts), keeping the words. */
export function normaliseSpaces(text: string): string {
  return text.trim().replace(/\s{2,}/gu, ' ');
}

export { displayWidth };
