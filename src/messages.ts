/**
 * Problems are messages with places. Every stage reports through these types and never prints;
 * the command line decides how to show them. Rule ids are stable: retire an id, never reuse it.
 */

export type Severity = 'error' | 'warning' | 'info';

/** Whom an error blames: the input (the manuscript, the source, an output: exit 1) or the tool and its environment (exit 2). */
export type Blame = 'input' | 'tool';

/** A place a person can open: a file and, where known, a 1-based line and column. */
export interface Place {
  file: string;
  line?: number;
  column?: number;
}

/** One problem found by a stage. */
export interface Message {
  ruleId: RuleId;
  severity: Severity;
  reason: string;
  place?: Place;
}

/** A catalogue entry: its severity, whom an error of it blames, one line of documentation. */
interface Rule {
  severity: Severity;
  blame: Blame;
  doc: string;
  /** Set on a rule nothing reports any more: why, and what reports it now. Its id is never reused. */
  retired?: string;
}

/**
 * The catalogue of every rule id, its severity, whom it blames (which decides the exit code, see
 * `exitCode`) and one line of documentation; retired rules stay, marked `retired`.
 */
export const rules = {
  'import-001': { severity: 'error', blame: 'input', doc: 'The source is not valid UTF-8.' },
  'import-002': { severity: 'error', blame: 'input', doc: 'The source is empty.' },
  'import-003': { severity: 'error', blame: 'input', doc: 'No printed pages could be recognised in the source.' },
  'import-004': { severity: 'error', blame: 'input', doc: 'A printed folio disagrees with the restored page numbering.' },
  'import-005': { severity: 'warning', blame: 'input', doc: 'A chapter has no title in the text and no editorial override.' },
  'import-006': { severity: 'warning', blame: 'input', doc: 'A control character, form feed or Unicode noncharacter was removed from the source.' },
  'import-007': { severity: 'warning', blame: 'input', doc: 'A footnote call has no note on its page, or a note is never called.' },
  'import-008': { severity: 'warning', blame: 'input', doc: 'A page was restored with low confidence.' },
  'import-009': { severity: 'warning', blame: 'input', doc: 'No printed folio anchors were found; every page is inferred from layout alone, with low confidence.' },
  'import-010': { severity: 'error', blame: 'input', doc: 'The editorial file is invalid.' },
  'import-011': { severity: 'warning', blame: 'input', doc: 'An editorial override names a chapter that does not exist.' },
  'import-012': { severity: 'warning', blame: 'input', doc: 'A zero-width character was found in the source (kept).' },
  'import-013': { severity: 'error', blame: 'input', doc: 'The evidence in the source cannot fix the page count, or no layout holds the count given: give it with --pages or `pages:`.' },
  'import-014': { severity: 'warning', blame: 'input', doc: 'A structure rule could not decide (a section label or a heading, a byline or a title): the import says what it chose.' },
  'import-015': { severity: 'warning', blame: 'input', doc: 'A private-use character was found in the source (kept): no bundled font draws it.' },
  'manuscript-001': { severity: 'error', blame: 'input', doc: 'issue.yaml or a chapter front matter does not match the schema.' },
  'manuscript-002': { severity: 'error', blame: 'input', doc: 'A chapter file named in issue.yaml is missing.' },
  'manuscript-003': { severity: 'error', blame: 'input', doc: 'Page markers are duplicated, missing or out of order.' },
  'manuscript-004': { severity: 'error', blame: 'input', doc: 'A footnote call has no note: GFM would print it as literal text.' },
  'manuscript-005': { severity: 'warning', blame: 'input', doc: 'A page marker sits inside a heading or footnote and was moved.' },
  'manuscript-006': { severity: 'warning', blame: 'input', doc: 'Unsafe raw HTML was removed from the manuscript.' },
  'manuscript-007': { severity: 'error', blame: 'input', doc: 'A local image referenced by the manuscript is missing.' },
  'pdf-001': { severity: 'error', blame: 'tool', doc: 'Chromium could not be found or started.' },
  'pdf-002': { severity: 'error', blame: 'tool', doc: 'A rendering stage timed out.' },
  'pdf-003': { severity: 'error', blame: 'input', doc: 'Paged.js reported an error or could not lay out an element.' },
  'pdf-004': { severity: 'error', blame: 'input', doc: 'The text of a printed page does not fit its PDF page.' },
  'pdf-005': { severity: 'info', blame: 'input', doc: 'A page was copyfitted (tighter spacing or smaller type) to hold its text.' },
  'pdf-006': { severity: 'error', blame: 'input', doc: 'An element overflows its page box.', retired: 'an overflow is pdf-004 (a printed page that does not fit); a blocked request, briefly reported here, is pdf-010' },
  'pdf-007': { severity: 'error', blame: 'input', doc: 'A character has no glyph in the bundled fonts.' },
  'pdf-008': { severity: 'error', blame: 'tool', doc: 'The PDF could not be written.' },
  'epub-001': { severity: 'error', blame: 'input', doc: 'EPUBCheck reported an error or warning.' },
  'epub-002': { severity: 'error', blame: 'input', doc: 'Ace by DAISY reported an accessibility violation.' },
  'epub-003': { severity: 'error', blame: 'tool', doc: 'The EPUB could not be written.' },
  'check-001': { severity: 'error', blame: 'input', doc: 'A page of the output does not hold the text of the printed page.' },
  'check-002': { severity: 'error', blame: 'input', doc: 'A folio or page label disagrees with the printed page number.' },
  'check-003': { severity: 'error', blame: 'input', doc: 'Pages are missing or extra in the output.' },
  'check-004': { severity: 'error', blame: 'input', doc: 'A word of the source is lost or duplicated in the output.' },
  'check-005': { severity: 'error', blame: 'input', doc: 'A footnote reference does not resolve.' },
  'check-006': { severity: 'error', blame: 'input', doc: 'The page-list of the EPUB (all printed pages), of an edition (the pages of its chapters) or of an article\'s EPUB (the pages of its chapter) is incomplete or out of order.' },
  'cli-001': { severity: 'error', blame: 'tool', doc: 'The command line is invalid.' },
  'cli-002': { severity: 'error', blame: 'tool', doc: 'A build stage failed unexpectedly (a tool error, not a manuscript problem).' },
  'build-001': { severity: 'error', blame: 'tool', doc: 'Another build is writing into the same output folder.' },
  'build-002': { severity: 'warning', blame: 'input', doc: 'A folder `folio build --watch` watches could not be watched; edits there need a restart.' },
  'markdown-001': { severity: 'warning', blame: 'input', doc: 'An unknown directive was found; its text is kept.' },
  'markdown-002': { severity: 'error', blame: 'input', doc: 'A page marker has no valid printed page number.' },
  'pdf-009': { severity: 'error', blame: 'input', doc: 'A printed page does not land on the PDF page of the same number.' },
  'epub-004': { severity: 'error', blame: 'tool', doc: 'A tool the EPUB build needs (Chromium, EPUBCheck, Ace) could not be run.' },
  'epub-005': { severity: 'error', blame: 'input', doc: 'Unsafe content (a script, an event handler, a javascript: link or a remote resource) reached the EPUB.' },
  'check-007': { severity: 'error', blame: 'input', doc: 'A page marker of the manuscript is missing, repeated or out of order.' },
  'check-008': { severity: 'error', blame: 'input', doc: 'The first or last word of an output page is not the original page\'s: text moved across a page break.' },
  'check-009': { severity: 'error', blame: 'tool', doc: 'The check could not run: an input is missing or unreadable, or a tool it needs (pdftotext, pdftoppm) failed.' },
  'check-010': { severity: 'error', blame: 'tool', doc: 'The fidelity report or the proof could not be written.' },
  'pdf-010': { severity: 'warning', blame: 'input', doc: 'The print page asked for a resource outside the build folder; the request was blocked.' },
  'epub-006': { severity: 'error', blame: 'input', doc: 'A local image is of a type EPUB reading systems need not support (not PNG, JPEG, GIF or SVG).' },
  'cli-003': { severity: 'error', blame: 'tool', doc: 'A command failed unexpectedly (a bug or a broken environment); the stack trace follows the message.' },
  'preview-001': { severity: 'error', blame: 'tool', doc: 'The preview server could not listen: the port is in use, or not a port number.' },
  'manuscript-008': { severity: 'warning', blame: 'input', doc: 'A footnote is never called, or a second note has the label of another (GFM drops it).' },
  'manuscript-009': { severity: 'error', blame: 'input', doc: 'A chapter file or issue.yaml is not valid UTF-8.' },
  'cli-004': { severity: 'error', blame: 'tool', doc: 'An output path cannot be made: it is a folder (or a file where a folder is wanted), on /proc or /sys, or in a read-only or unwritable folder.' },
  'build-003': { severity: 'error', blame: 'tool', doc: 'A build stage did not finish within its watchdog time and was abandoned.' },
  'build-004': { severity: 'error', blame: 'input', doc: 'A stage was handed a manuscript that failed its checks (`resolve()` reported why); nothing is made of it.' },
  'epub-007': { severity: 'info', blame: 'input', doc: 'The EPUB failed validation: it was kept for inspection as `<name>.invalid.epub`, never at the output path.' },
  'check-011': { severity: 'info', blame: 'input', doc: 'An output failed the check in `folio build`: it was kept for inspection as `<name>.invalid.<ext>`, never at the output path.' },
  'check-012': { severity: 'error', blame: 'input', doc: "A word of the PDF's text layer is not what a reader's copy or search needs: a soft hyphen, a private-use character, a ligature or U+FFFD in it." },
  'preview-002': { severity: 'warning', blame: 'input', doc: 'A folder the preview watches for changes could not be watched; edits there need a restart.' },
  'articles-001': { severity: 'warning', blame: 'input', doc: 'An article holds a Markdown element JATS is not made for here (a table, an image, raw HTML): its text is written as a plain paragraph.' },
  'articles-002': { severity: 'error', blame: 'input', doc: 'A JATS or Crossref file is not well-formed XML (xmllint).' },
  'articles-003': { severity: 'error', blame: 'input', doc: 'An element of a JATS file stands where the JATS 1.3 Archiving tag library does not allow it (the nesting table in src/articles/nesting.ts).' },
  'articles-004': { severity: 'error', blame: 'input', doc: 'pandoc reads a JATS file with words or notes other than the manuscript chapter\'s.' },
  'articles-005': { severity: 'error', blame: 'input', doc: 'The fpage, lpage or page targets of a JATS file disagree with the chapter\'s page markers.' },
  'articles-006': { severity: 'warning', blame: 'input', doc: 'The Crossref deposit cannot be deposited (an article without a DOI, no depositor): it is kept for review as `crossref.invalid.xml`, never at `crossref.xml`.' },
  'articles-007': { severity: 'error', blame: 'tool', doc: 'A tool the article outputs are checked with (xmllint, pandoc) could not be run.' },
  'articles-008': { severity: 'error', blame: 'tool', doc: 'An article output could not be written.' },
  'offprints-001': { severity: 'error', blame: 'input', doc: "A chapter's printed pages are not pages of the issue PDF, so no offprint can be cut from it." },
  'offprints-002': { severity: 'error', blame: 'tool', doc: 'An offprint could not be made or written.' },
  'check-013': { severity: 'error', blame: 'input', doc: "An offprint's pages are not the issue's: a page missing or extra, a page label that is not the printed folio, or a page whose text is not the issue PDF's page's." },
  'check-014': { severity: 'error', blame: 'input', doc: 'An offprint lacks its metadata (title, authors, journal, issue, page range), its outline or its structure tree, or qpdf --check or Ghostscript finds it damaged.' },
  'catalogue-001': { severity: 'error', blame: 'input', doc: 'catalogue.yaml does not match the catalogue schema (src/catalogue/schema.ts).' },
  'catalogue-002': { severity: 'error', blame: 'input', doc: 'catalogue.yaml cannot be read, or a manuscript, source or editorial file it names is missing.' },
  'catalogue-003': { severity: 'error', blame: 'tool', doc: 'A worker process of `folio catalogue build` died or could not start while it built an issue.' },
  'catalogue-004': { severity: 'error', blame: 'tool', doc: 'Redis could not be reached, or was lost while a worker ran: the worker retries, its finished builds stay published.' },
  'catalogue-005': { severity: 'error', blame: 'tool', doc: 'A built issue could not be published to its output folder (the rename of its staging folder failed).' },
  'catalogue-006': { severity: 'error', blame: 'tool', doc: 'The catalogue report could not be written.' },
  'catalogue-007': { severity: 'info', blame: 'input', doc: 'An issue was published already from the same inputs: it was not built again.' },
  'catalogue-008': { severity: 'error', blame: 'tool', doc: 'A job on the queue carries data this worker cannot read (another version of Folio put it there).' },
  'reader-001': { severity: 'error', blame: 'input', doc: 'An EPUB opened in the reading engine (foliate-js in Chromium) does not show a printed page where its page-list entry leads: the entry is missing, its target is not found or not in view, or the text shown does not begin with the page\'s first words.' },
  'reader-002': { severity: 'error', blame: 'input', doc: 'A note call followed in the reading engine does not show its note, or the note\'s back link does not bring the call back into view.' },
  'reader-003': { severity: 'error', blame: 'tool', doc: 'The reading engine could not be run: Chromium did not start, or foliate-js failed in it.' },
} as const satisfies Record<string, Rule>;

/** Every rule id of the catalogue, retired ones too. */
export type CatalogueId = keyof typeof rules;

/** The rule ids a message may carry: the catalogue's, less the retired ones. */
export type RuleId = { [Id in CatalogueId]: (typeof rules)[Id] extends { retired: string } ? never : Id }[CatalogueId];

/** Makes a message with the catalogue's severity for its rule. */
export function message(ruleId: RuleId, reason: string, place?: Place): Message {
  const made: Message = { ruleId, severity: rules[ruleId].severity, reason };
  if (place) made.place = place;
  return made;
}

/** `file:line:column: message [rule-id]`, the form editors and terminals link. */
export function formatMessage(m: Message): string {
  const where = m.place
    ? `${m.place.file}${m.place.line !== undefined ? `:${m.place.line}` : ''}${m.place.column !== undefined ? `:${m.place.column}` : ''}: `
    : '';
  return `${where}${m.severity}: ${m.reason} [${m.ruleId}]`;
}

/** An error that carries the messages that made a stage give up. */
export class FolioError extends Error {
  readonly messages: Message[];
  constructor(messages: Message[]) {
    super(messages.map(formatMessage).join('\n'));
    this.name = 'FolioError';
    this.messages = messages;
  }
}

/** Why `error` happened, in one line to quote inside another message: a FolioError's own reason, not its formatted message. */
export function reasonOf(error: unknown): string {
  if (error instanceof FolioError && error.messages[0]) return error.messages[0].reason;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** True when any message is an error. */
export function hasErrors(messages: readonly Message[]): boolean {
  return messages.some((m) => m.severity === 'error');
}

/**
 * The exit code of a run, from its messages alone, the same in every command: 2 when an error
 * blames the tool (or its environment), else 1 when any error blames the input, else 0.
 * Warnings and notes never change it.
 */
export function exitCode(messages: readonly Message[]): 0 | 1 | 2 {
  let code: 0 | 1 | 2 = 0;
  for (const m of messages) {
    if (m.severity !== 'error') continue;
    if (rules[m.ruleId].blame === 'tool') return 2;
    code = 1;
  }
  return code;
}
