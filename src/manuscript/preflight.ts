/**
 * The checks every run makes of a loaded manuscript before it makes anything (`resolve()`
 * runs them): its page markers in order, unique and complete, and every chapter parsed once
 * for the errors a stage would otherwise find only half-way (a footnote call without a note,
 * a page marker without a number). A run stops on any error here, so that no PDF or EPUB is
 * made of a manuscript that is wrong.
 */
import { parseMarkdown } from '../markdown/processor.js';
import type { Message } from '../messages.js';
import type { Manuscript } from './load.js';
import { checkPageMarkers } from './markers.js';

/** The errors of a loaded manuscript that would make a stage fail half-way: a chapter that does not parse, page markers out of order, repeated or missing. */
export function preflightErrors(manuscript: Manuscript): Message[] {
  return [
    ...manuscript.chapters.flatMap((chapter) => parseMarkdown(chapter.markdown, chapter.path).messages),
    ...checkPageMarkers(manuscript),
  ].filter((m) => m.severity === 'error');
}
