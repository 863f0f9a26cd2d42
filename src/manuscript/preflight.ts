/**
 * The manuscript as every command reads it before it makes anything: loaded against the
 * schema, its page markers in order, unique and complete, and every chapter parsed once for
 * the errors a stage would otherwise find only half-way (a footnote call without a note, a
 * page marker without a number). A command stops on any error here, so that no PDF or EPUB is
 * made of a manuscript that is wrong.
 */
import { parseMarkdown } from '../markdown/processor.js';
import { hasErrors, type Message } from '../messages.js';
import { loadManuscript, type Manuscript } from './load.js';
import { checkPageMarkers } from './markers.js';

/** A manuscript checked before a build; `messages` holds errors only when there are any. */
export interface CheckedManuscript {
  manuscript?: Manuscript;
  messages: Message[];
  /** True when the manuscript has an error: nothing is to be made of it. */
  failed: boolean;
}

/**
 * Loads and checks a manuscript folder. When it fails, `messages` are its errors (and the
 * loader's warnings); when it passes, the loader's messages only: the chapters' warnings are
 * the stages' to report, once.
 */
export async function loadCheckedManuscript(dir: string): Promise<CheckedManuscript> {
  const loaded = await loadManuscript(dir);
  if (!loaded.manuscript || hasErrors(loaded.messages)) return { ...loaded, failed: true };
  const manuscript = loaded.manuscript;
  const errors = preflightErrors(manuscript);
  if (hasErrors(errors)) return { manuscript, messages: [...loaded.messages, ...errors], failed: true };
  return { manuscript, messages: loaded.messages, failed: false };
}

/** The errors of a loaded manuscript that would make a stage fail half-way: a chapter that does not parse, page markers out of order, repeated or missing. */
export function preflightErrors(manuscript: Manuscript): Message[] {
  return [
    ...manuscript.chapters.flatMap((chapter) => parseMarkdown(chapter.markdown, chapter.path).messages.filter((m) => m.severity === 'error')),
    ...checkPageMarkers(manuscript),
  ].filter((m) => m.severity === 'error');
}
