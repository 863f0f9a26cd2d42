/**
 * The page markers of a whole manuscript, read in reading order: every printed page once, in
 * order, 1 to the page count. A problem names both places it involves, so an editor sees
 * which of the two markers to fix.
 */
import path from 'node:path';
import { message, type Message } from '../messages.js';
import type { Manuscript } from './load.js';

interface Found {
  page: number;
  file: string;
  line: number;
  column: number;
}

/** The other place a problem names, as an editor opens it from the manuscript folder: `chapters/01-….md:14:1`. */
const placeIn = (manuscript: Manuscript) => (m: Found): string => `${path.relative(manuscript.dir, m.file) || m.file}:${m.line}:${m.column}`;

/** Finds `:page[N]` markers outside front matter and code, with their places. */
export function findPageMarkers(manuscript: Manuscript): Found[] {
  const found: Found[] = [];
  for (const chapter of manuscript.chapters) {
    const lines = chapter.markdown.split(/\r?\n/u);
    let inFrontMatter = lines[0] === '---';
    let inFence = false;
    lines.forEach((text, k) => {
      if (inFrontMatter) {
        if (k > 0 && text === '---') inFrontMatter = false;
        return;
      }
      if (/^\s*(```|~~~)/u.test(text)) inFence = !inFence;
      if (inFence) return;
      for (const m of text.matchAll(/(?<!\\):page\[(\d+)\]/gu)) {
        found.push({ page: Number(m[1]), file: chapter.path, line: k + 1, column: (m.index ?? 0) + 1 });
      }
    });
  }
  return found;
}

/** Checks the markers: duplicates, pages out of order, pages missing, pages beyond the count. */
export function checkPageMarkers(manuscript: Manuscript): Message[] {
  const markers = findPageMarkers(manuscript);
  const where = placeIn(manuscript);
  const messages: Message[] = [];
  const seen = new Map<number, Found>();
  let previous: Found | undefined;
  for (const m of markers) {
    const first = seen.get(m.page);
    if (first) {
      messages.push(message('manuscript-003', `Unexpected second marker \`:page[${m.page}]\`, the first is at ${where(first)}`, m));
    } else if (previous && m.page < previous.page) {
      messages.push(message('manuscript-003', `Unexpected \`:page[${m.page}]\` after \`:page[${previous.page}]\` at ${where(previous)}, expected pages in order`, m));
    } else if (previous && m.page > previous.page + 1) {
      const gap = m.page - previous.page === 2 ? `page ${previous.page + 1}` : `pages ${previous.page + 1}–${m.page - 1}`;
      messages.push(message('manuscript-003', `Unexpected \`:page[${m.page}]\` right after \`:page[${previous.page}]\` at ${where(previous)}: no marker for ${gap}`, m));
    }
    if (!first) seen.set(m.page, m);
    if (!previous || m.page > previous.page) previous = m;
  }
  const firstMarker = markers[0];
  if (firstMarker && firstMarker.page !== 1 && !seen.has(1)) {
    // An issue may start at another folio; a manuscript says so with its first chapter's firstPage.
    const expected = manuscript.chapters[0]?.firstPage ?? 1;
    if (firstMarker.page !== expected) messages.push(message('manuscript-003', `Unexpected first marker \`:page[${firstMarker.page}]\`, expected \`:page[${expected}]\` (the first chapter's firstPage)`, firstMarker));
  }
  const last = markers.reduce((max, m) => Math.max(max, m.page), 0);
  const firstPage = manuscript.chapters[0]?.firstPage ?? 1;
  if (last !== firstPage + manuscript.issue.pages - 1 && markers.length > 0) {
    messages.push(message('manuscript-003', `Unexpected last marker \`:page[${last}]\`, expected the issue's ${manuscript.issue.pages} pages (issue.yaml \`pages\`)`, { file: `${manuscript.dir}/issue.yaml` }));
  }
  return messages;
}
