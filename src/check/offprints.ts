/**
 * The offprints against the issue PDF they were cut from, read by other readers than the ones
 * that made them: each `articles/<slug>.pdf` has exactly its chapter's printed pages, labelled
 * with their folios (as `qpdf --json` reads the labels), each page's text as pdftotext reads it
 * word for word the issue PDF's page of that folio (nothing lost, nothing added); its title,
 * authors, journal, issue and page range in its metadata, its outline, a structure tree whose
 * every page reference is a page of the offprint; and both qpdf (`--check`) and Ghostscript read
 * it without a complaint. Each article's EPUB (`articles/<slug>.epub`) has a page-list of exactly
 * its chapter's printed pages. A file that is not there is not reported: the outputs may be
 * turned off, or not built yet.
 */
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, type PDFObject, PDFRef } from 'pdf-lib';
import { chapterEdition, offprintChapters, offprintFile, type Chapter, type Manuscript } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import { inLanes } from '../session/lanes.js';
import { checkEditionPageList } from './epub.js';
import { readPdfText, type PdfPage } from './pdf-text.js';

const run = promisify(execFile);

/** The issue PDF as the check read it: its text page by page and its page labels. */
export interface IssuePdfReading {
  file: string;
  text: readonly PdfPage[];
  labels: readonly string[] | undefined;
}

/** The outcome of a tool run: its exit code and what it said. A missing tool throws. */
async function tool(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 1 << 28, encoding: 'utf8' });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw new Error(`\`${command}\` could not be run (${failed.message.split('\n')[0]}); scripts/install-system.sh installs it`);
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The words of a page in pdftotext's reading order. */
function pageWords(page: PdfPage | undefined): string[] {
  return page?.lines.flatMap((line) => line.words.map((word) => word.text)) ?? [];
}

/** The words of `a` that `b` lacks, counted (a multiset difference), in `a`'s order. */
function missingFrom(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const w of b) left.set(w, (left.get(w) ?? 0) + 1);
  return a.filter((w) => {
    const n = left.get(w) ?? 0;
    if (n === 0) return true;
    left.set(w, n - 1);
    return false;
  });
}

/** A page label as qpdf's JSON gives it (`{"/S": "/D", "/St": 13}`), as the text a viewer shows; decimal labels only. */
function labelText(label: unknown): string {
  if (!label || typeof label !== 'object') return '';
  const entries = label as Record<string, unknown>;
  const prefix = typeof entries['/P'] === 'string' ? entries['/P'].replace(/^[ub]:/u, '') : '';
  const start = typeof entries['/St'] === 'number' ? entries['/St'] : 1;
  const style = entries['/S'];
  if (style === undefined) return prefix;
  return style === '/D' ? `${prefix}${start}` : `${prefix}${String(style)}${start}`;
}

/** What `qpdf --json` says of an offprint: its pages' labels and its outline's top items. */
interface QpdfReading {
  labels: string[];
  /** A bookmark's 1-based page; null when it points at no page of the file. */
  outlines: { title: string; page: number | null; kids: { title: string; page: number | null }[] }[];
}

async function readWithQpdf(file: string): Promise<QpdfReading> {
  const { code, output } = await tool('qpdf', ['--json=2', '--json-key=pages', '--json-key=outlines', file]);
  if (code !== 0 && code !== 3) throw new Error(`qpdf --json could not read it: ${output.trim().split('\n')[0] ?? ''}`);
  const json = JSON.parse(output.slice(output.indexOf('{'))) as {
    pages: { label?: unknown }[];
    outlines: { title: string; destpageposfrom1: number | null; kids: { title: string; destpageposfrom1: number | null }[] }[];
  };
  return {
    labels: json.pages.map((page) => labelText(page.label)),
    outlines: json.outlines.map((o) => ({ title: o.title, page: o.destpageposfrom1, kids: o.kids.map((k) => ({ title: k.title, page: k.destpageposfrom1 })) })),
  };
}

/** What is wrong with the offprint's structure tree: none, a missing one, or page references outside it. */
function structureProblems(doc: PDFDocument): string[] {
  const context = doc.context;
  const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  if (!root) return ['no structure tree (StructTreeRoot)'];
  const problems: string[] = [];
  const marked = doc.catalog.lookupMaybe(PDFName.of('MarkInfo'), PDFDict)?.get(PDFName.of('Marked'));
  if (marked?.toString() !== 'true') problems.push('MarkInfo /Marked is not true');
  const pages = new Set(doc.getPages().map((page) => page.ref));
  let outside = 0;
  const seen = new Set<PDFObject>();
  const walk = (node: PDFObject | undefined): void => {
    const value = node instanceof PDFRef ? context.lookup(node) : node;
    if (!value || seen.has(value)) return;
    seen.add(value);
    if (value instanceof PDFArray) {
      for (const kid of value.asArray()) walk(kid);
      return;
    }
    if (!(value instanceof PDFDict)) return;
    const pg = value.get(PDFName.of('Pg'));
    if (pg instanceof PDFRef && !pages.has(pg)) outside += 1;
    walk(value.get(PDFName.of('K')));
  };
  walk(root.get(PDFName.of('K')));
  if (outside > 0) problems.push(`${outside} structure elements on pages the offprint does not have`);
  const nums = root.lookupMaybe(PDFName.of('ParentTree'), PDFDict)?.lookupMaybe(PDFName.of('Nums'), PDFArray);
  const keys = new Set<number>();
  for (let index = 0; nums && index < nums.size(); index += 2) {
    const key = nums.lookup(index);
    if (key instanceof PDFNumber) keys.add(key.asNumber());
  }
  const unkeyed = doc.getPages().filter((page) => {
    const key = page.node.get(PDFName.of('StructParents'));
    return !(key instanceof PDFNumber) || !keys.has(key.asNumber());
  }).length;
  if (unkeyed > 0) problems.push(`${unkeyed} pages without an entry in the structure tree's ParentTree`);
  return problems;
}

/** What is missing from the offprint's document information: title, authors, journal, issue, page range. */
function metadataProblems(doc: PDFDocument, chapter: Chapter, manuscript: Manuscript): string[] {
  const problems: string[] = [];
  if (doc.getTitle() !== chapter.title) problems.push(`title ${JSON.stringify(doc.getTitle() ?? '')} (expected ${JSON.stringify(chapter.title)})`);
  const author = doc.getAuthor() ?? '';
  for (const name of chapter.authors) if (!author.includes(name)) problems.push(`author ${JSON.stringify(name)} missing`);
  const subject = doc.getSubject() ?? '';
  const range = chapter.firstPage === chapter.lastPage ? `${chapter.firstPage}` : `${chapter.firstPage}–${chapter.lastPage}`;
  for (const [what, text] of [
    ['journal', manuscript.issue.journal],
    ['issue', manuscript.issue.issue],
    ['page range', range],
  ] as const) {
    if (!subject.includes(text)) problems.push(`${what} ${JSON.stringify(text)} missing from the subject`);
  }
  return problems;
}

/** Checks one offprint against the issue PDF; every problem names the offprint and, where it is one page's, the page. */
async function checkOffprint(file: string, chapter: Chapter, manuscript: Manuscript, issue: IssuePdfReading): Promise<Message[]> {
  const name = path.basename(file);
  const messages: Message[] = [];
  const pageProblem = (reason: string) => messages.push(message('check-013', reason, { file }));
  const fileProblem = (reason: string) => messages.push(message('check-014', reason, { file }));
  const [qpdfCheck, ghostscript, qpdf, text, bytes] = await Promise.all([
    tool('qpdf', ['--check', file]),
    tool('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=nullpage', file]),
    readWithQpdf(file),
    readPdfText(file),
    readFile(file),
  ]);
  if (qpdfCheck.code !== 0) fileProblem(`Unexpected \`qpdf --check\` ${qpdfCheck.code === 3 ? 'warnings' : 'errors'} on \`${name}\`: ${firstLines(qpdfCheck.output)}, expected a clean PDF`);
  if (ghostscript.code !== 0 || /error/iu.test(ghostscript.output)) fileProblem(`Unexpected Ghostscript ${ghostscript.code !== 0 ? `exit ${ghostscript.code}` : 'complaint'} reading \`${name}\`: ${firstLines(ghostscript.output)}, expected it to read every page`);

  // Pages: exactly the chapter's printed pages, each labelled with its folio, each the issue's page of that folio.
  const expected = chapter.lastPage - chapter.firstPage + 1;
  if (qpdf.labels.length !== expected) {
    pageProblem(`Unexpected ${qpdf.labels.length} pages in \`${name}\`, expected the ${expected} printed pages ${chapter.firstPage}–${chapter.lastPage} of its chapter`);
  }
  const present = new Set<number>();
  const mislabelled: string[] = [];
  qpdf.labels.forEach((label, index) => {
    const own = chapter.firstPage + index;
    if (label !== String(own)) mislabelled.push(`page ${index + 1} labelled ${JSON.stringify(label)}, not ${own}`);
    // A page is held against the issue's page of its label when that is a folio of the chapter, else of its place.
    const folio = /^\d+$/u.test(label) && Number(label) >= chapter.firstPage && Number(label) <= chapter.lastPage ? Number(label) : own;
    present.add(folio);
    const issueIndex = issue.labels ? issue.labels.indexOf(String(folio)) : folio - 1;
    const want = pageWords(issue.text[issueIndex]);
    const got = pageWords(text[index]);
    if (want.length === got.length && want.every((w, i) => w === got[i])) return;
    const lost = missingFrom(want, got);
    const added = missingFrom(got, want);
    const sample = (list: string[]) => (list.length > 0 ? ` (${list.slice(0, 5).join(' ')}${list.length > 5 ? ' …' : ''})` : '');
    pageProblem(
      `Unexpected text on page ${index + 1} of \`${name}\` (printed page ${folio}): ${lost.length} words of the issue PDF's page lost${sample(lost)}, ${added.length} added${sample(added)}${lost.length + added.length === 0 ? ', in another order' : ''}, expected the text of page ${folio} of \`${path.basename(issue.file)}\``,
    );
  });
  for (let folio = chapter.firstPage; folio <= chapter.lastPage; folio += 1) {
    if (!present.has(folio)) pageProblem(`Unexpected offprint \`${name}\` without printed page ${folio}, expected every page of ${chapter.firstPage}–${chapter.lastPage}`);
  }
  // One message for the labels: a page dropped shifts every label after it.
  if (mislabelled.length > 0) {
    const shown = mislabelled.slice(0, 4).join('; ');
    pageProblem(`Unexpected page labels in \`${name}\`: ${shown}${mislabelled.length > 4 ? `; and ${mislabelled.length - 4} more` : ''}, expected page labels equal to the printed folios ${chapter.firstPage}–${chapter.lastPage}`);
  }

  // What it says about itself, and what a reader finds in it.
  const top = qpdf.outlines[0];
  if (!top) fileProblem(`Unexpected offprint \`${name}\` without an outline, expected its chapter's bookmark`);
  else if (top.title !== chapter.title || top.page !== 1) fileProblem(`Unexpected first bookmark ${JSON.stringify(top.title)} on page ${top.page} of \`${name}\`, expected ${JSON.stringify(chapter.title)} on page 1`);
  for (const kid of top?.kids ?? []) {
    if (kid.page === null || kid.page < 1 || kid.page > qpdf.labels.length) fileProblem(`Unexpected bookmark ${JSON.stringify(kid.title)} of \`${name}\` to ${kid.page === null ? 'no page of it' : `page ${kid.page}`}, expected a page of the offprint`);
  }
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const metadata = metadataProblems(doc, chapter, manuscript);
  if (metadata.length > 0) fileProblem(`Unexpected metadata of \`${name}\`: ${metadata.join('; ')}, expected its title, authors, journal, issue and page range`);
  const structure = structureProblems(doc);
  if (structure.length > 0) fileProblem(`Unexpected structure tree of \`${name}\`: ${structure.join('; ')}, expected a tagged PDF of its own pages`);
  return messages;
}

/** The first lines a tool printed, on one line. */
function firstLines(output: string): string {
  const lines = output.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length === 0 ? 'no output' : lines.slice(0, 3).join(' / ');
}

/**
 * Checks every offprint and article EPUB found under `<outDir>/articles/` against the issue PDF
 * and the chapters. A tool missing (qpdf, Ghostscript, pdftotext) or an unreadable file is a
 * `check-009`: the check could not run.
 */
export async function checkOffprints(manuscript: Manuscript, outDir: string, issue: IssuePdfReading | undefined): Promise<Message[]> {
  const chapters = offprintChapters(manuscript);
  // Two at a time: each is mostly child processes (qpdf, Ghostscript, pdftotext), one per core.
  return (await inLanes(chapters, 2, (chapter) => checkChapterFiles(chapter, manuscript, outDir, issue))).flat();
}

/** The offprint and the EPUB of one chapter, each when it is there. */
async function checkChapterFiles(chapter: Chapter, manuscript: Manuscript, outDir: string, issue: IssuePdfReading | undefined): Promise<Message[]> {
  const messages: Message[] = [];
  const pdf = offprintFile(outDir, chapter, '.pdf');
  if (issue && (await exists(pdf))) {
    try {
      messages.push(...(await checkOffprint(pdf, chapter, manuscript, issue)));
    } catch (error) {
      messages.push(message('check-009', `Unexpected failure checking the offprint \`${path.basename(pdf)}\`: ${(error as Error).message}`, { file: pdf }));
    }
  }
  const epub = offprintFile(outDir, chapter, '.epub');
  if (await exists(epub)) {
    try {
      messages.push(...(await checkEditionPageList(epub, chapterEdition(manuscript, chapter.slug).pages)));
    } catch (error) {
      messages.push(message('check-009', `Unexpected failure reading the EPUB \`${path.basename(epub)}\`: ${(error as Error).message}`, { file: epub }));
    }
  }
  return messages;
}
