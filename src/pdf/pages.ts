/**
 * What the layout says about the pages, as messages: PDF page N must hold printed page N and
 * nothing else, and a message about a printed page points at the line of the chapter where it
 * starts.
 */
import path from 'node:path';
import type { Manuscript } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import type { PageFacts } from './layout.js';
import type { RenderedIssue } from './print-document.js';

/** PDF page N must hold printed page N and nothing else; the count must be the issue's. */
export function checkPages(facts: readonly PageFacts[], manuscript: Manuscript, issue: RenderedIssue): Message[] {
  const messages: Message[] = [];
  if (facts.length !== manuscript.issue.pages) {
    messages.push(message('pdf-009', `Unexpected ${facts.length} PDF pages, expected ${manuscript.issue.pages} as issue.yaml says`, { file: path.join(manuscript.dir, 'issue.yaml') }));
  }
  for (const page of facts) {
    const foreign = page.folios.filter((folio) => folio !== page.index);
    if (foreign.length > 0 || (page.folios.length > 0 && !page.starts.includes(page.index))) {
      messages.push(pageMessage('pdf-009', `Unexpected text of printed page ${foreign.join(', ') || '?'} on PDF page ${page.index}, expected printed page ${page.index}`, page.index, issue));
    }
  }
  return messages;
}

/** A message about a printed page, placed at the line of the chapter where that page starts. */
export function pageMessage(ruleId: 'pdf-004' | 'pdf-005' | 'pdf-009', reason: string, folio: number, issue: RenderedIssue): Message {
  const chapter = issue.chapters.find((c) => folio >= c.firstPage && folio <= c.lastPage);
  if (!chapter) return message(ruleId, reason);
  let line: number | undefined;
  const walk = (node: RenderedIssue['chapters'][number]['hast'] | RenderedIssue['chapters'][number]['hast']['children'][number]): void => {
    if (line !== undefined) return;
    if (node.type === 'element' && Number(node.properties.dataFolioStart) === folio && node.properties.dataSourceLine !== undefined) {
      line = Number(node.properties.dataSourceLine);
    }
    if ('children' in node) for (const child of node.children) walk(child);
  };
  walk(chapter.hast);
  return message(ruleId, reason, line === undefined ? { file: chapter.file } : { file: chapter.file, line });
}
