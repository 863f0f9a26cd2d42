/**
 * The editions of an issue by language, built one after another beside the whole book with the
 * same `buildEpub`, one at a time (they share two cores) and with one set of tools.
 */
import { buildEpub, type BuildEpubOptions, type BuildEpubResult } from './build.js';
import { plannedEditions } from './editions.js';
import { startWarmTools } from '../session/index.js';

/** One edition built: its language and what `buildEpub` reported. */
export interface EditionResult extends BuildEpubResult {
  language: string;
  /** Where the edition was to be written. */
  file: string;
}

/**
 * Builds every edition of the resolved manuscript beside the whole book (`options.out`, default
 * `settings.files.epub`); none for a one-language issue or one whose `outputs.editions` is
 * false. Nothing is printed.
 */
export async function buildEditions(options: BuildEpubOptions): Promise<EditionResult[]> {
  const { resolved } = options;
  const planned = plannedEditions(resolved.manuscript, options.out ?? resolved.settings.files.epub);
  if (planned.length === 0) return [];
  // A one-off build starts Chromium, EPUBCheck's JVM and Ace's worker once for all editions
  // (each start is seconds of CPU); a watch session's tools are used as they are.
  const session = options.tools ? undefined : startWarmTools({ chromePath: resolved.settings.environment.chromePath, env: resolved.env });
  const tools = options.tools ?? (session ? { browser: session.browser, epubcheck: session.epubcheck, ace: session.ace } : {});
  // The check waits on the whole book's writing, not an edition's, so an edition tells no one.
  const { onWritten, ...rest } = options;
  void onWritten;
  const results: EditionResult[] = [];
  try {
    for (const { out, edition } of planned) {
      const result = await buildEpub({ ...rest, tools, out, edition });
      results.push({ ...result, language: edition.language, file: out });
    }
  } finally {
    await session?.close();
  }
  return results;
}
