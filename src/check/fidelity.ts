/**
 * The fidelity facts a stage states about what it made, computed here, where the check
 * computes its own, so that the two never disagree: the page-list has every printed page once,
 * in increasing order, as many as the book's chapters carry.
 */
import { message, type Message } from '../messages.js';

/** A page-list entry as the EPUB stage made it: its page number and its label. */
export interface ListedPage {
  value: number;
  label: string;
}

/**
 * The page-list of a book, as made: each entry after the one before it, and `expected` of them
 * (the pages of `whose`: issue.yaml for the whole issue, its chapters for an edition). The
 * messages point at `file`, where the count is set.
 */
export function pageListMessages(pages: readonly ListedPage[], expected: number, whose: string, file: string): Message[] {
  const messages: Message[] = [];
  for (let index = 1; index < pages.length; index += 1) {
    const before = pages[index - 1];
    const page = pages[index];
    if (before && page && !(page.value > before.value)) {
      messages.push(message('check-006', `Unexpected page ${page.label} after page ${before.label} in the page-list, expected increasing page numbers`, { file }));
    }
  }
  if (pages.length !== expected) {
    messages.push(message('check-006', `Unexpected ${pages.length} pages in the page-list, expected the ${expected} pages of ${whose}`, { file }));
  }
  return messages;
}
