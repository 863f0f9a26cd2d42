/**
 * The names of an issue's files, in one place: the build, the stages and every command take
 * their default paths from here, so `folio epub` and `folio build` never name one issue's file
 * two ways.
 */
import path from 'node:path';
import type { Manuscript } from './load.js';

/** The slug of an issue's files: journal and issue, lowercase, accents folded (NFKD), words joined by hyphens. */
export function issueSlug(manuscript: Pick<Manuscript, 'issue'>): string {
  return `${manuscript.issue.journal} ${manuscript.issue.issue}`
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Where an issue's file ending in `suffix` (`.pdf`, `.epub`, `.print.html`) goes in `dir`, as an
 * absolute path; `issue` stands for the slug when the manuscript could not be read (its problems
 * are the stage's to report) or gives none.
 */
export function issueFile(manuscript: Pick<Manuscript, 'issue'> | undefined, dir: string, suffix: string): string {
  return path.resolve(dir, `${(manuscript && issueSlug(manuscript)) || 'issue'}${suffix}`);
}
