/**
 * PDF against the original: PDF page N holds the text of printed page N, with the same first
 * and last words, every word present and nothing extra beyond the running head, the folio and
 * footnote calls; the folio it prints and its page label are N; the page count is the issue's.
 *
 * Running heads and folios are told from page text by two facts together: what they say (a
 * number, or phrases of the issue's metadata: journal, issue, titles, short titles, authors)
 * and where they stand (the band at the top or bottom of the page where such lines recur).
 */
import type { IssueMeta } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import type { StagePage, StageSummary } from './report.js';
import { comparePage, listWords, wordsMessage, type Originals } from './pages.js';
import type { PdfPage } from './pdf-text.js';
import { joinLines, readPdfPages, startReadingPdf, type PdfReading } from './pdf-reading.js';

export { startReadingPdf };

/**
 * Characters a reader's copy or search trips on, as a viewer's text layer gives them (no
 * normalisation): a soft hyphen inside a word, a private-use code point (a glyph without
 * Unicode), a presentation-form ligature (`ﬁ`, which a search for "fi" does not find) and the
 * replacement character.
 */
const unreadable = /[\u00AD\uE000-\uF8FF\uFB00-\uFB06\uFFFD]|[\u{F0000}-\u{10FFFF}]/u;

function describeCharacter(ch: string): string {
  const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '\u00AD') return `${code} (a soft hyphen)`;
  if (ch === '\uFFFD') return `${code} (the replacement character)`;
  if (/[\uFB00-\uFB06]/u.test(ch)) return `${code} (a ligature)`;
  return `${code} (a private-use character)`;
}

/** The words of each page's text layer a reader could not copy or search as they read: `check-012`. */
export function readerTextProblems(text: readonly PdfPage[], file: string, placeOf: (index: number) => Message['place']): Message[] {
  const messages: Message[] = [];
  for (const page of text) {
    const bad = page.lines.flatMap((line) => line.words.map((w) => w.text)).filter((word) => unreadable.test(word));
    const first = bad[0];
    if (first === undefined) continue;
    const ch = unreadable.exec(first)?.[0] ?? '';
    const shown = bad.slice(0, 3).map((word) => `\`${word.replace(/\u00AD/gu, '\\u00AD')}\``).join(', ');
    messages.push(
      message('check-012', `Unexpected ${describeCharacter(ch)} in the text layer of PDF page ${page.index} (${shown}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''}), expected words a reader can copy and search as printed`, placeOf(page.index) ?? { file }),
    );
  }
  return messages;
}

/** Drops call digits from the end of a word list: a call mark is not where a page's text ends. */
function trimCalls(ws: readonly string[], calls: ReadonlySet<string>): string[] {
  const out = [...ws];
  while (out.length > 0 && calls.has(out[out.length - 1] ?? '')) out.pop();
  return out;
}

/** Drops the editor's words (a title the source lacks) from the start of the page. */
function trimEditorial(ws: readonly string[], editorial: readonly string[]): string[] {
  let k = 0;
  while (k < editorial.length && k < ws.length && ws[k] === editorial[k]) k += 1;
  return k === editorial.length ? ws.slice(k) : [...ws];
}

/** Checks a PDF against the original pages; `reading` is the PDF's reading when it was started earlier. */
export async function checkPdf(file: string, issue: IssueMeta, originals: Originals, reading: PdfReading = startReadingPdf(file)): Promise<{ pages: Map<number, StagePage>; summary: StageSummary; messages: Message[] }> {
  const read = await readPdfPages(reading, issue, originals.pages);
  const total = issue.pages;
  const messages: Message[] = [];
  const general: string[] = [];
  const pages = new Map<number, StagePage>();
  if (read.count !== total) {
    const reason = `Unexpected ${read.count} pages in the PDF, expected the ${total} printed pages of issue.yaml`;
    messages.push(message('check-003', reason, { file }));
    general.push(reason);
  }
  if (read.labels === undefined) {
    const reason = 'Unexpected PDF without page labels, expected each page labelled with its printed page number';
    messages.push(message('check-002', reason, { file }));
    general.push(reason);
  }
  messages.push(...readerTextProblems(read.text, file, (index) => originals.pages[index - 1]?.manuscript ?? { file }));
  let lostTotal = 0;
  let addedTotal = 0;
  for (const o of originals.pages) {
    const place = o.manuscript ?? o.source ?? { file };
    const at = read.pages[o.page - 1];
    const problems: string[] = [];
    const fail = (ruleId: 'check-002' | 'check-003' | 'check-008', reason: string): void => {
      problems.push(reason);
      messages.push(message(ruleId, reason, place));
    };
    if (!at) {
      fail('check-003', `Unexpected missing PDF page ${o.page}, expected the text of printed page ${o.page}`);
      pages.set(o.page, { faithful: false, lost: [...o.words], added: [], problems, folio: null, label: null });
      lostTotal += o.words.length;
      continue;
    }
    // Calls may be printed twice (the call and the note's number): forgive the repeats.
    const allowed = [...o.editorial, ...o.calls, ...o.calls];
    const { lost, added } = comparePage(o.words, at.words, allowed);
    let holdsOther = false;
    if (at.folio === null) fail('check-002', `Unexpected PDF page ${o.page} without a printed folio, expected ${o.page}`);
    else if (at.folio !== o.page) {
      // Say whose text the page holds when it is another page's, whole: a page dropped or moved.
      // That one message then stands for the page; its words and first and last words follow.
      const other = originals.pages[at.folio - 1];
      // Hyphenated words are rejoined by the words of the page they belong to: read it again so.
      const reread = other && joinLines(at.lines, new Set(other.words));
      const whole = other && reread && comparePage(other.words, reread, [...other.editorial, ...other.calls, ...other.calls]);
      holdsOther = whole !== undefined && whole.lost.length === 0 && whole.added.length === 0;
      fail('check-002', `Unexpected folio ${at.folio} printed on PDF page ${o.page}, expected ${o.page}${holdsOther ? ` (it holds the text of printed page ${at.folio})` : ''}`);
    }
    const label = read.labels?.[o.page - 1] ?? null;
    if (read.labels !== undefined && label !== String(o.page)) fail('check-002', `Unexpected page label \`${label ?? ''}\` on PDF page ${o.page}, expected \`${o.page}\``);
    const calls = new Set(o.calls);
    const body = trimEditorial(at.body, o.editorial);
    const expectedFirst = o.body[0];
    const actualFirst = body[0];
    if (!holdsOther && expectedFirst !== undefined && actualFirst !== expectedFirst) {
      fail('check-008', `Unexpected first word \`${actualFirst ?? ''}\` on PDF page ${o.page}, expected \`${expectedFirst}\``);
    }
    const expectedLast = trimCalls(o.body, calls).at(-1);
    const actualLast = trimCalls(body, calls).at(-1);
    if (!holdsOther && expectedLast !== undefined && actualLast !== expectedLast) {
      fail('check-008', `Unexpected last word \`${actualLast ?? ''}\` on PDF page ${o.page}, expected \`${expectedLast}\``);
    }
    if (!holdsOther && (lost.length > 0 || added.length > 0)) messages.push(wordsMessage('PDF', o.page, lost, added, place));
    lostTotal += lost.length;
    addedTotal += added.length;
    pages.set(o.page, {
      faithful: lost.length === 0 && added.length === 0 && problems.length === 0,
      lost,
      added,
      problems,
      text: at.words.join(' '),
      folio: at.folio,
      label,
    });
  }
  for (const extra of read.pages.slice(total)) {
    const reason = `Unexpected extra PDF page ${extra.index} (${listWords(extra.words)}), expected ${total} pages`;
    messages.push(message('check-003', reason, { file }));
    general.push(reason);
    addedTotal += extra.words.length;
  }
  const faithful = [...pages.values()].filter((p) => p.faithful).length;
  return {
    pages,
    summary: { file, pagesChecked: total, pagesFaithful: faithful, wordsLost: lostTotal, wordsAdded: addedTotal, problems: general },
    messages,
  };
}
