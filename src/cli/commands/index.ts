/** The registry of subcommands, in the order `folio --help` lists them. */
import type { Command } from '../command.js';
import { articlesCommand } from './articles.js';
import { buildCommand } from './build.js';
import { catalogueCommand } from './catalogue.js';
import { importCommand } from './import.js';
import { epubCommand } from './epub.js';
import { checkCommand } from './check.js';
import { pdfCommand } from './pdf.js';
import { previewCommand } from './preview.js';
import { workerCommand } from './worker.js';

export const commands: Command[] = [importCommand, buildCommand, epubCommand, articlesCommand, checkCommand, pdfCommand, previewCommand, catalogueCommand, workerCommand];
