/**
 * The title a running head prints: the chapter's short title, or, when it has none and its
 * title is too long for one line of the head beside the folio, a short title derived from it
 * (the part before a colon, or the longest lead that ends before a joining word), so that a
 * running head never wraps and never runs into the folio.
 */
import { textBlock } from './geometry.js';
import type { PrintGeometry } from './schema.js';

/** The running heads' type size (print.css sets the margin boxes in it). */
export const RUNNING_HEAD_SIZE_PT = 9;
/** The mean advance of a letter of the heads' face, in ems: Latin (mixed case, spaces), CJK. */
const ADVANCE_EM = { latin: 0.55, cjk: 1 };
/** Room kept for the folio and the two em spaces before it, in ems. */
const FOLIO_ROOM_EM = 5;
/** A share of the measure held back, for titles of wider letters than the mean. */
const SAFETY = 0.85;
const MM_PER_PT = 25.4 / 72;

const cjkChar = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;
/** Words a short title does not end on. */
const joining = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'of', 'on', 'or', 'the', 'to', 'toward', 'towards', 'with']);

/** How many characters of a title one line of running head holds on this geometry. */
export function runningHeadRoom(print: PrintGeometry, cjk: boolean): number {
  const width = textBlock(print).measure;
  const em = RUNNING_HEAD_SIZE_PT * MM_PER_PT;
  return Math.floor(((width / em) * SAFETY - FOLIO_ROOM_EM) / (cjk ? ADVANCE_EM.cjk : ADVANCE_EM.latin));
}

/** Display length: a CJK character counts as two Latin ones' worth of the Latin room. */
function length(text: string, cjk: boolean): number {
  if (!cjk) return [...text].length;
  return [...text].reduce((n, c) => n + (cjkChar.test(c) ? 1 : ADVANCE_EM.latin), 0);
}

/** A title shortened to `room` characters, at the best break it has; never longer than `room`. */
export function shortenTitle(title: string, room: number, cjk: boolean): string {
  const clean = title.replace(/\s+/gu, ' ').trim();
  if (length(clean, cjk) <= room) return clean;
  // The part before a colon (or a dash) is the title proper.
  const head = /^(.+?)\s*[:：—–]\s/u.exec(clean)?.[1] ?? /^(.+?)[：]/u.exec(clean)?.[1];
  if (head && length(head, cjk) <= room && length(head, cjk) >= Math.min(12, room / 3)) return head.replace(/[,，、\s]+$/u, '');
  if (cjk) {
    // A Chinese title's parts are set apart by a space or a comma.
    const parts = clean.split(/[\s，、]+/u);
    let lead = '';
    for (const part of parts) {
      const next = lead === '' ? part : `${lead} ${part}`;
      if (length(next, cjk) > room) break;
      lead = next;
    }
    if (lead !== '') return lead;
    return `${[...clean].slice(0, Math.max(1, room - 1)).join('')}…`;
  }
  const tokens = clean.split(' ');
  let best = '';
  let lead = '';
  for (let k = 0; k < tokens.length; k += 1) {
    const next = lead === '' ? (tokens[k] ?? '') : `${lead} ${tokens[k] ?? ''}`;
    if (length(next, cjk) > room) break;
    lead = next;
    const following = (tokens[k + 1] ?? '').toLocaleLowerCase('en');
    // A lead that ends on a clause (before a joining word, or at a comma) reads as a title.
    if (k >= 2 && (joining.has(following) || /[,;]$/u.test(tokens[k] ?? '')) && !joining.has((tokens[k] ?? '').toLocaleLowerCase('en'))) best = lead;
  }
  if (best !== '') return best.replace(/[,;]$/u, '');
  // No clause fits: the words that fit, and an ellipsis for the rest.
  const words = lead.split(' ');
  while (words.length > 1 && (length(`${words.join(' ')}…`, cjk) > room || joining.has((words.at(-1) ?? '').toLocaleLowerCase('en')))) words.pop();
  return `${words.join(' ').replace(/[,;:]$/u, '')}…`;
}

/** The title a chapter's running heads print on this geometry. */
export function runningTitle(chapter: { title: string; shortTitle?: string | undefined; language: string }, print: PrintGeometry): string {
  if (chapter.shortTitle) return chapter.shortTitle;
  const cjk = chapter.language.startsWith('zh') || chapter.language.startsWith('ja');
  return shortenTitle(chapter.title, runningHeadRoom(print, cjk), cjk);
}
