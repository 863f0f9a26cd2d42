/**
 * Source against manuscript: every folio that survived in the raw source names the page it
 * stands on, the manuscript's page markers run 1..N once each and in order, and the text
 * between marker N and marker N+1 is the source page's text, word for word.
 */
import type { Manuscript } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import type { StagePage, StageSummary } from './report.js';
import { comparePage, problemsOf, wordsMessage, type Originals } from './pages.js';

/** Checks the manuscript against the source it was imported from. */
export function checkManuscript(manuscript: Manuscript, originals: Originals): { pages: Map<number, StagePage>; summary: StageSummary; messages: Message[] } {
  const messages: Message[] = [];
  const pages = new Map<number, StagePage>();
  const total = manuscript.issue.pages;
  const general: string[] = [];

  // Markers: 1..N, once each, in reading order.
  const seen = new Map<number, { file: string; line: number }>();
  let previous = 0;
  for (const m of originals.order) {
    const place = { file: m.file, line: m.line };
    if (!Number.isInteger(m.page) || m.page < 1 || m.page > total) {
      const reason = `Unexpected page marker \`${m.page}\`, expected a page from 1 to ${total}`;
      messages.push(message('check-007', reason, place));
      general.push(reason);
      continue;
    }
    const first = seen.get(m.page);
    if (first) {
      const reason = `Unexpected second marker of page ${m.page}, expected each page once (first at line ${first.line})`;
      messages.push(message('check-007', reason, place));
      problemsOf(pages, m.page).push(reason);
    } else if (m.page !== previous + 1) {
      const reason = `Unexpected marker of page ${m.page} after page ${previous}, expected page ${previous + 1}`;
      messages.push(message('check-007', reason, place));
      problemsOf(pages, m.page).push(reason);
    }
    if (!first) seen.set(m.page, place);
    previous = Math.max(previous, m.page);
  }
  for (let n = 1; n <= total; n += 1) {
    if (seen.has(n)) continue;
    const reason = `Unexpected missing marker of page ${n}, expected \`:page[${n}]\` in the manuscript`;
    messages.push(message('check-007', reason, { file: manuscript.dir }));
    problemsOf(pages, n).push(reason);
  }

  // Folios that survived in the source: each stands on the page it numbers.
  const source = originals.source;
  if (source) {
    for (const f of source.folios) {
      const range = source.report.pages.find((p) => f.line >= p.startLine && f.line <= p.endLine);
      if (!range) {
        const reason = `Unexpected folio ${f.folio} outside every restored page`;
        messages.push(message('check-002', reason, { file: source.file, line: f.line }));
        general.push(reason);
        continue;
      }
      if (range.page !== f.folio) {
        const reason = `Unexpected printed folio ${f.folio} on page ${range.page}, expected ${range.page}`;
        messages.push(message('check-002', reason, { file: source.file, line: f.line }));
        problemsOf(pages, range.page).push(reason);
      }
    }
  }

  // Words: the manuscript page against the source page.
  let lostTotal = 0;
  let addedTotal = 0;
  for (const o of originals.pages) {
    const m = originals.manuscript.get(o.page);
    const actual = m?.words ?? [];
    const { lost, added } = source ? comparePage(o.words, actual) : { lost: [], added: [] };
    const page = pages.get(o.page) ?? { faithful: true, lost: [], added: [], problems: [] };
    page.lost = lost;
    page.added = added;
    page.faithful = lost.length === 0 && added.length === 0 && page.problems.length === 0;
    pages.set(o.page, page);
    lostTotal += lost.length;
    addedTotal += added.length;
    if (lost.length > 0 || added.length > 0) {
      messages.push(wordsMessage('manuscript', o.page, lost, added, o.manuscript ?? { file: manuscript.dir }));
    }
  }
  const faithful = [...pages.values()].filter((p) => p.faithful).length;
  return {
    pages,
    summary: { file: manuscript.dir, pagesChecked: total, pagesFaithful: faithful, wordsLost: lostTotal, wordsAdded: addedTotal, problems: general },
    messages,
  };
}
