/**
 * The registry of subcommands, in the order `folio --help` lists them. Each entry names its
 * command and loads its module only when that command runs: `folio pdf` then loads the PDF
 * stage and what it imports, not the EPUB's validators, the check or the catalogue's queue
 * (bin/folio.js bundles with esbuild's code splitting, so a module loaded here is a file of its
 * own with its own packages). The summary is the command's own (test/cli.test.ts holds them equal).
 */
import type { Command } from '../command.js';

/** A subcommand as `folio --help` lists it; `load` gives the command itself. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'import', summary: 'restore a raw issue text into a Markdown manuscript', load: async () => (await import('./import.js')).importCommand },
  { name: 'build', summary: 'build the PDF and the EPUB of the issue, then check them against the original', load: async () => (await import('./build.js')).buildCommand },
  { name: 'epub', summary: 'Build the EPUB 3 of the issue and check it (EPUBCheck, Ace)', load: async () => (await import('./epub.js')).epubCommand },
  { name: 'articles', summary: 'Write one JATS file and landing page per article, and the Crossref deposit', load: async () => (await import('./articles.js')).articlesCommand },
  { name: 'check', summary: 'Check page-number fidelity of the manuscript, PDF and EPUB against the original', load: async () => (await import('./check.js')).checkCommand },
  { name: 'pdf', summary: 'Typeset the issue as a PDF, page for page with the original (Paged.js in Chromium)', load: async () => (await import('./pdf.js')).pdfCommand },
  { name: 'preview', summary: 'Serve a live preview on this machine: the issue paginated (Paged.js) and its EPUB chapters', load: async () => (await import('./preview.js')).previewCommand },
  { name: 'catalogue', summary: 'build many issues at once: a local pool of workers, or a BullMQ queue on Redis', load: async () => (await import('./catalogue.js')).catalogueCommand },
  { name: 'worker', summary: 'build the issues a `folio catalogue enqueue` put on a BullMQ queue', load: async () => (await import('./worker.js')).workerCommand },
];
