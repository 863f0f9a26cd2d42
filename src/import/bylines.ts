/**
 * Bylines and author notes: the lines that open an article in the extraction (`*  Wang Yi is …`,
 * `By Ana Li*`, `王  毅  国务委员兼外交部长`), and the people they name.
 */
import { isCjkText, sentenceEnd } from './text.js';

export const authorNoteStart = /^\*{1,3}\s*\S/u;
const personName = String.raw`\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,4}`;
/** `By Wang Yi*`, `By Ana Li and Tom Roe**`, `By A. Smith, B. Jones & C. Wu`. */
export const englishByline = new RegExp(String.raw`^By\s+(${personName}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)${personName})*)\s*(\**)\s*$`, 'u');

/** The people a byline names. */
export function bylineAuthors(names: string): string[] {
  return names
    .split(/\s*,\s*|\s+and\s+|\s*&\s*/u)
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
}
/** Splits a CJK byline `王  毅  国务委员兼外交部长` into name and position. */
export function parseCjkByline(text: string): { name: string; names: string[]; position: string } | undefined {
  const t = text.trim();
  if (t.length > 48 || !isCjkText(t) || /[。，；]/u.test(t)) return undefined;
  const parts = t.split(/\s{2,}/u).filter((p) => p.length > 0);
  if (parts.length < 2 || parts.length > 4) return undefined;
  const position = parts[parts.length - 1] ?? '';
  const nameParts = parts.slice(0, -1);
  // `王  毅` is one name spaced out; `王毅  李华` are two people.
  const names = nameParts.every((p) => [...p].length === 1) ? [nameParts.join('')] : nameParts;
  if (!names.every((n) => /^[\p{Script=Han}·]{2,5}$/u.test(n)) || position.length < 2) return undefined;
  return { name: names.join('、'), names, position };
}

/**
 * A CJK byline that names its author without a position (`鲁 迅`, `王  毅`, `鲁迅`): two to four
 * Han characters, spaced out or not. Alone this shape is also a short heading's, so it counts
 * as a byline only where an opening block ends (see `isCjkNameByline`).
 */
export function parseCjkName(text: string): string | undefined {
  const t = text.trim();
  if (!/^[\p{Script=Han}·](?:\s*[\p{Script=Han}·]){1,4}$/u.test(t)) return undefined;
  const parts = t.split(/\s+/u);
  // `王毅  李华` would be two people with no position: not a shape the journal prints.
  if (parts.length > 1 && !parts.every((p) => [...p].length === 1)) return undefined;
  const name = parts.join('');
  return [...name].length <= 4 ? name : undefined;
}

/**
 * Whether a line is a name-only CJK byline: the name shape, standing last in its stretch of
 * text (the extraction moves an opening block to the foot of its page), right after a line
 * that reads as a title (short, ending no sentence), not after running text.
 */
export function isCjkNameByline(text: string, before: string | undefined, last: boolean): boolean {
  if (!last || before === undefined || parseCjkName(text) === undefined) return false;
  const b = before.trim();
  return isCjkText(b) && !sentenceEnd.test(b) && !/[，；、]$/u.test(b) && [...b].length <= 30;
}
