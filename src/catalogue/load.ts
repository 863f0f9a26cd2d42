/**
 * Reading catalogue.yaml: validated against the schema (problems at file, line and column), its
 * paths resolved against its folder once, so that a worker on any machine gets absolute paths
 * and nothing is resolved again downstream.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { validateYaml } from '../manuscript/validate.js';
import { message, type Message } from '../messages.js';
import { catalogue as catalogueSchema } from './schema.js';

/** One issue with every path absolute: what a worker is handed. */
export interface CatalogueEntry {
  name: string;
  /** The manuscript folder to build, or where the import writes it (inside the output). */
  manuscript?: string;
  source?: string;
  editorial?: string;
  pages?: number;
  out: string;
  /** Where the issue stands in catalogue.yaml, for messages about it. */
  place: { file: string; line: number; column: number };
}

/** A catalogue ready to build. */
export interface ResolvedCatalogue {
  name: string;
  file: string;
  report: string;
  issues: CatalogueEntry[];
}

/** Loads and checks `file`: the value when it can be built, and the messages (catalogue-001, -002). */
export async function loadCatalogue(file: string): Promise<{ catalogue?: ResolvedCatalogue; messages: Message[] }> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    return { messages: [message('catalogue-002', `Unexpected unreadable catalogue (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), expected a catalogue.yaml`, { file: absolute })] };
  }
  const validated = validateYaml(text, absolute, catalogueSchema, 0, 'catalogue-001');
  if (!validated.value) return { messages: validated.messages };
  const value = validated.value;
  const dir = path.dirname(absolute);
  const places = issuePlaces(text, absolute);
  const messages: Message[] = [];
  const issues = value.issues.map((issue, index): CatalogueEntry => {
    const place = places[index] ?? { file: absolute, line: 1, column: 1 };
    const resolve = (p: string): string => path.resolve(dir, p);
    const entry: CatalogueEntry = { name: issue.name, out: resolve(issue.out), place };
    if (issue.manuscript !== undefined) entry.manuscript = resolve(issue.manuscript);
    if (issue.source !== undefined) entry.source = resolve(issue.source);
    if (issue.editorial !== undefined) entry.editorial = resolve(issue.editorial);
    if (issue.pages !== undefined) entry.pages = issue.pages;
    for (const [key, input] of [['manuscript', entry.manuscript], ['source', entry.source], ['editorial', entry.editorial]] as const) {
      if (input !== undefined && !existsSync(input)) messages.push(message('catalogue-002', `Unexpected missing ${key} \`${input}\` of issue \`${issue.name}\`, expected it to exist`, place));
    }
    return entry;
  });
  if (messages.length > 0) return { messages };
  return {
    catalogue: { name: value.name ?? path.basename(absolute, path.extname(absolute)), file: absolute, report: path.resolve(dir, value.report ?? 'catalogue-report'), issues },
    messages: validated.messages,
  };
}

/** The line and column of every item of `issues:`, in order. */
function issuePlaces(text: string, file: string): Array<{ file: string; line: number; column: number }> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const issues = doc.get('issues', true);
  const items = issues && typeof issues === 'object' && 'items' in issues ? (issues.items as unknown[]) : [];
  return items.map((item) => {
    const offset = isNode(item) && item.range ? item.range[0] : 0;
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  });
}
