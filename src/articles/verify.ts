/**
 * Checks a written JATS file with real readers, as a person's tools would meet it: xmllint says
 * whether it is well-formed, the nesting table whether each element stands where the tag
 * library allows, and pandoc reads it back: every word of the manuscript chapter must come out,
 * and every note call must still point at its note. The pages it claims (fpage, lpage, one
 * `<target>` per printed page) must be the chapter's page markers.
 */
import { execFile } from 'node:child_process';
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { RootContent } from 'mdast';
import { words, wordDifference } from '../check/words.js';
import { message, type Message } from '../messages.js';
import { bylineRole, type Article } from './article.js';
import { footnoteId, pageTargetId } from './jats.js';
import { checkNesting } from './nesting.js';

/** What a run of a tool gave: its exit code (undefined when it could not start), its output. */
interface ToolRun {
  code: number | undefined;
  stdout: string;
  stderr: string;
  error?: string;
}

function runTool(command: string, args: readonly string[]): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') resolve({ code: undefined, stdout, stderr, error: `${error.code}: ${error.message}` });
      else if (error && error.killed) resolve({ code: undefined, stdout, stderr, error: `\`${command}\` timed out` });
      else resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `xmllint --noout` on a file: its problems as `articles-002` at their lines, or `articles-007` when xmllint cannot run. */
export async function checkWellFormed(file: string): Promise<Message[]> {
  const run = await runTool('xmllint', ['--noout', '--nonet', file]);
  if (run.code === undefined) return [message('articles-007', `Unexpected failure running xmllint (${run.error}), expected Debian's libxml2-utils (npm run setup installs it)`, { file })];
  if (run.code === 0) return [];
  const found: Message[] = [];
  for (const line of run.stderr.split('\n')) {
    const m = /^(.*?):(\d+): (?:parser )?error ?: (.*)$/u.exec(line);
    if (m) found.push(message('articles-002', `Unexpected XML that is not well-formed: ${(m[3] ?? '').trim()}`, { file, line: Number(m[2]) }));
  }
  return found.length > 0 ? found : [message('articles-002', `Unexpected XML that xmllint rejects: ${run.stderr.trim().split('\n')[0] ?? ''}`, { file })];
}

/** The words of the manuscript chapter as an article's reader must find them (see the README). */
export function expectedWords(article: Article): string[] {
  const found: string[] = [];
  let titled = false;
  let bylined = false;
  const walk = (node: RootContent): void => {
    if (node.type === 'yaml' || node.type === 'pageMarker') return;
    if (node.type === 'footnoteReference') {
      // The call prints its number; the author note's `*` is no word.
      if (node.identifier !== 'author') found.push(...words((node.label ?? node.identifier).replace(/-\d+$/u, '')));
      return;
    }
    if (node.type === 'heading' && node.depth === 1 && !titled) titled = true;
    if (node.type === 'byline') {
      bylined = true;
      // `By` and the `and` between names are print furniture: the names are the contributors,
      // what stands beside them is the author note (when the chapter has no other).
      found.push(...article.contributors.flatMap((c) => words(c.name)));
      found.push(...words(bylineRole(node.children.map(textOf).join(' '), article.chapter.authors) ?? ''));
      return;
    }
    if ('value' in node && typeof node.value === 'string') found.push(...words(node.value));
    if ('children' in node) for (const child of node.children as RootContent[]) walk(child);
  };
  for (const node of article.tree.children) walk(node);
  if (!titled) found.push(...words(article.title));
  // Without a byline in the text, the names come from the front matter alone.
  if (!bylined) for (const c of article.contributors) found.push(...words(c.name));
  return found;
}

function textOf(node: RootContent): string {
  if (node.type === 'footnoteReference') return '';
  if ('value' in node && typeof node.value === 'string') return node.value;
  return 'children' in node ? (node.children as RootContent[]).map(textOf).join('') : '';
}

/** What pandoc's JSON holds of a document: its text, its notes and its links to notes. */
interface PandocReading {
  text: string;
  notes: number;
  noteLinks: string[];
}

function readPandoc(value: unknown, into: PandocReading): void {
  if (Array.isArray(value)) {
    for (const v of value) readPandoc(v, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as { t?: string; c?: unknown };
  if (node.t === 'Str' && typeof node.c === 'string') into.text += node.c;
  else if (node.t === 'Code' && Array.isArray(node.c)) into.text += ` ${String(node.c[1])} `;
  else if (node.t === 'Space' || node.t === 'SoftBreak' || node.t === 'LineBreak') into.text += ' ';
  else if (node.t === 'Note') into.notes += 1;
  else if (node.t === 'Link') {
    // [attr [id, classes, [[key, value]]], inlines, [url, title]]
    const [attr, , targetOf] = node.c as [[string, string[], [string, string][]], unknown, [string, string]];
    if (attr[2].some(([k, v]) => k === 'ref-type' && v === 'fn')) into.noteLinks.push(targetOf[0].replace(/^#/u, ''));
  }
  // Notes, links, blocks and the items of a metadata list are read apart from the words around them.
  const apart = node.t === 'Note' || node.t === 'Link' || node.t === 'Para' || node.t === 'Plain' || node.t === 'Header' || node.t === 'MetaInlines';
  if (apart) into.text += ' ';
  if (node.t === undefined) for (const v of Object.values(node)) readPandoc(v, into);
  else readPandoc(node.c, into);
  if (apart) into.text += ' ';
}

function sample(list: readonly string[]): string {
  return list.slice(0, 8).map((w) => `\`${w}\``).join(', ') + (list.length > 8 ? ` and ${list.length - 8} more` : '');
}

/**
 * Reads a JATS file back with pandoc (`-f jats -t json`): its words against the chapter's
 * (`articles-004` for each word lost or added), its calls against the chapter's notes. Debian's
 * pandoc (2.17) reads `<xref ref-type="fn">` as a link to the note and the `<fn-group>` as
 * paragraphs, and the author note of `<author-notes>` as a Note on its author: those are counted.
 */
export async function readBackWithPandoc(file: string, article: Article): Promise<Message[]> {
  const run = await runTool('pandoc', ['-f', 'jats', '-t', 'json', '--standalone', file]);
  if (run.code !== 0) return [message('articles-007', `Unexpected failure running pandoc (${run.error ?? run.stderr.trim()}), expected Debian's pandoc (npm run setup installs it)`, { file })];
  const doc = JSON.parse(run.stdout) as { meta: Record<string, unknown>; blocks: unknown[] };
  const reading: PandocReading = { text: '', notes: 0, noteLinks: [] };
  for (const key of ['title', 'subtitle', 'author']) {
    readPandoc(doc.meta[key], reading);
    reading.text += ' ';
  }
  readPandoc(doc.blocks, reading);
  const problems: Message[] = [];
  const { lost, added } = wordDifference(expectedWords(article), words(reading.text));
  if (lost.length > 0) problems.push(message('articles-004', `Unexpected ${lost.length} words of the chapter that pandoc does not read in the JATS file: ${sample(lost)}; expected every word`, { file }));
  if (added.length > 0) problems.push(message('articles-004', `Unexpected ${added.length} words pandoc reads in the JATS file that the chapter lacks: ${sample(added)}; expected the chapter's words only`, { file }));
  const calls: string[] = [];
  const visit = (node: RootContent): void => {
    if (node.type === 'footnoteReference' && node.identifier !== 'author') calls.push(footnoteId(node.identifier));
    if ('children' in node) for (const child of node.children as RootContent[]) visit(child);
  };
  for (const node of article.tree.children) visit(node);
  if (reading.noteLinks.join(' ') !== calls.join(' ')) {
    problems.push(message('articles-004', `Unexpected note calls as pandoc reads them (${reading.noteLinks.length}: ${reading.noteLinks.join(', ') || 'none'}), expected the chapter's ${calls.length} (${calls.join(', ') || 'none'})`, { file }));
  }
  // pandoc hangs the one note of <author-notes> on the contributors that call it, once.
  const authorNotes = article.authorNote !== undefined && article.contributors.length > 0 ? 1 : 0;
  if (reading.notes !== authorNotes) problems.push(message('articles-004', `Unexpected ${reading.notes} author notes as pandoc reads them, expected ${authorNotes}`, { file }));
  return problems;
}

/** The printed pages of a chapter, from its page markers in the syntax tree. */
function markedPages(article: Article): number[] {
  const pages: number[] = [];
  const visit = (node: RootContent): void => {
    if (node.type === 'pageMarker') pages.push(node.page);
    if ('children' in node) for (const child of node.children as RootContent[]) visit(child);
  };
  for (const node of article.tree.children) visit(node);
  return pages;
}

/** Parses the file with a real XML parser and checks its nesting and its pages. */
export function checkStructure(file: string, xml: string, article: Article): Message[] {
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(xml, 'text/xml');
  const root = document.documentElement;
  if (errors.length > 0 || !root) return [message('articles-002', `Unexpected XML that does not parse: ${errors[0] ?? 'no root element'}`, { file })];
  const problems: Message[] = checkNesting(root).map((p) => message('articles-003', `${p.reason} (at ${p.path})`, { file, ...(p.line !== undefined ? { line: p.line } : {}), ...(p.column !== undefined ? { column: p.column } : {}) }));
  const pages = markedPages(article);
  const first = pages[0];
  const last = pages[pages.length - 1];
  const textOfFirst = (name: string): string | undefined => (root.getElementsByTagName(name)[0] as Element | undefined)?.textContent ?? undefined;
  for (const [name, expected] of [
    ['fpage', first],
    ['lpage', last],
  ] as const) {
    const found = textOfFirst(name);
    if (expected !== undefined && found !== String(expected)) problems.push(message('articles-005', `Unexpected <${name}> ${found ?? 'missing'}, expected ${expected} (the chapter's ${name === 'fpage' ? 'first' : 'last'} page marker)`, { file }));
  }
  const targets = Array.from(root.getElementsByTagName('target')).filter((t) => t.getAttribute('target-type') === 'page').map((t) => t.getAttribute('id') ?? '');
  const wanted = pages.map(pageTargetId);
  if (targets.join(' ') !== wanted.join(' ')) problems.push(message('articles-005', `Unexpected page targets ${targets.join(', ') || 'none'}, expected ${wanted.join(', ')} (one per page marker, in order)`, { file }));
  return problems;
}

/** Every check of one written JATS file: well-formed, nested as the tag library says, its pages, and read back by pandoc. */
export async function verifyJats(file: string, xml: string, article: Article): Promise<Message[]> {
  const wellFormed = await checkWellFormed(file);
  if (wellFormed.length > 0) return wellFormed;
  return [...checkStructure(file, xml, article), ...(await readBackWithPandoc(file, article))];
}
