/**
 * The editions of an issue by language, built one after another beside the whole book with the
 * same `buildEpub` (one at a time: they share two cores and any tools a watch session keeps).
 */
import type { Manuscript } from '../manuscript/index.js';
import { buildEpub, type BuildEpubOptions, type BuildEpubResult } from './build.js';
import { plannedEditions } from './editions.js';

/** One edition built: its language and what `buildEpub` reported. */
export interface EditionResult extends BuildEpubResult {
  language: string;
  /** Where the edition was to be written. */
  file: string;
}

/**
 * Builds every edition of a manuscript beside the whole book at `options.out`; none for a
 * one-language issue or one whose `outputs.editions` is false. Nothing is printed.
 */
export async function buildEditions(manuscript: Manuscript, options: BuildEpubOptions): Promise<EditionResult[]> {
  const results: EditionResult[] = [];
  for (const planned of plannedEditions(manuscript, options.out)) {
    // The check waits on the whole book's writing, not an edition's, so an edition tells no one.
    const { onWritten, ...rest } = options;
    void onWritten;
    const result = await buildEpub({ ...rest, out: planned.out, edition: planned.edition });
    results.push({ ...result, language: planned.edition.language, file: planned.out });
  }
  return results;
}
