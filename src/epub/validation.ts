/**
 * The validation of a written EPUB: EPUBCheck and Ace side by side, each reused from the cache
 * folder when it has already validated these exact bytes with the same tool. The EPUB is
 * reproducible (the same manuscript gives the same bytes), so a rebuild with nothing changed
 * validates nothing again; a rebuild after an edit runs EPUBCheck on the whole EPUB (its checks
 * cross documents) and Ace's axe runs on the changed documents only (see `ace-worker.mjs`).
 * What is kept is what the tools found, at places inside the EPUB; the messages, with their
 * manuscript places, are made again from it at every build, so they stay right when the
 * manuscript moves lines without changing the EPUB.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Message } from '../messages.js';
import type { EpubTools } from './build.js';
import { aceIdentity, aceMessages, isAceFindings, oneShotAce, type AceFinding, type AceOptions } from './ace.js';
import { cacheKey } from '../session/index.js';
import { pruneEntries, readEntry, writeEntry } from './cache.js';
import { epubcheckMessages, epubcheckTool, isEpubcheckFindings, oneShotEpubcheck, type EpubcheckFinding } from './epubcheck.js';

/** Bumped when what an entry holds, or what it means, changes. */
const entryFormat = 'folio-validation-1';
/**
 * Entries kept per tool: the books of a few recent builds (an edit and its undo, two manuscripts),
 * each build's the whole book, its editions and every article's EPUB.
 */
const keepEntries = 96;

/** How each validator's result was come by in this build. */
export interface ValidationReuse {
  /** `reused`: these bytes were checked by the same EPUBCheck in an earlier build. */
  epubcheck: 'ran' | 'reused';
  /** `reused`: the same, for Ace; `ran` may still have taken single documents from the cache. */
  ace: 'ran' | 'reused';
  /** When Ace ran: content documents checked now, and those whose axe results were reused. */
  aceDocuments?: { checked: number; reused: number };
  /** The SHA-256 of the EPUB validated. */
  sha256: string;
}

/** Options of `validateEpub`. */
export interface ValidateOptions {
  chromePath: string | undefined;
  cacheDir: string;
  locate?: AceOptions['locate'];
  env?: NodeJS.ProcessEnv;
  /** Tools kept running between builds: a browser for Ace, EPUBCheck's JVM, Ace's worker. */
  tools?: EpubTools;
}

/** Validates the EPUB at `epub`, whose bytes are `data`. */
export async function validateEpub(epub: string, data: Uint8Array, options: ValidateOptions): Promise<{ messages: Message[]; reuse: ValidationReuse }> {
  const { cacheDir, chromePath, locate, env = process.env } = options;
  // The EPUB's own SHA-256 (reported, and comparable with sha256sum), one part of each key.
  const sha256 = createHash('sha256').update(data).digest('hex');
  const dir = path.join(cacheDir, 'validation');
  const [epubcheck, ace] = await Promise.all([epubcheckTool(env), aceIdentity(chromePath, env)]);
  // No entry without a known tool: a missing jar or Chromium is always run, and reported.
  const epubcheckEntry = epubcheck ? path.join(dir, `epubcheck-${cacheKey(entryFormat, sha256, epubcheck.identity)}.json`) : undefined;
  const aceEntry = ace ? path.join(dir, `ace-${cacheKey(entryFormat, sha256, ace)}.json`) : undefined;

  // What the tools read is the file: it is kept only if the file still has the bytes hashed.
  const unchanged = async () => createHash('sha256').update(await readFile(epub).catch(() => Buffer.alloc(0))).digest('hex') === sha256;
  const checkEpub = async (): Promise<{ messages: Message[]; reused: boolean }> => {
    const kept = epubcheckEntry ? await readEntry(epubcheckEntry, entryFormat, isEpubcheckFindings) : undefined;
    if (kept) return { messages: epubcheckMessages(kept, epub), reused: true };
    const result = await (options.tools?.epubcheck ?? oneShotEpubcheck()).validate(epub, { env, cacheDir });
    if (epubcheckEntry && result.findings && (await unchanged())) {
      await writeEntry(epubcheckEntry, entryFormat, result.findings satisfies EpubcheckFinding[]);
      await pruneEntries(dir, /^epubcheck-[0-9a-f]+\.json$/, keepEntries);
    }
    return { messages: result.messages, reused: false };
  };
  const checkAccessibility = async (): Promise<{ messages: Message[]; reused: boolean; documents?: { checked: number; reused: number } }> => {
    const kept = aceEntry ? await readEntry(aceEntry, entryFormat, isAceFindings) : undefined;
    if (kept) return { messages: aceMessages(kept, epub, locate), reused: true };
    const result = await (options.tools?.ace ?? oneShotAce()).validate(epub, { chromePath, env, cacheDir, ...(locate ? { locate } : {}), ...(options.tools?.browser ? { browser: options.tools.browser } : {}) });
    if (aceEntry && result.findings && (await unchanged())) {
      await writeEntry(aceEntry, entryFormat, result.findings satisfies AceFinding[]);
      await pruneEntries(dir, /^ace-[0-9a-f]+\.json$/, keepEntries);
    }
    return { messages: result.messages, reused: false, ...(result.documents ? { documents: result.documents } : {}) };
  };

  const [checked, accessible] = await Promise.all([checkEpub(), checkAccessibility()]);
  const reuse: ValidationReuse = { epubcheck: checked.reused ? 'reused' : 'ran', ace: accessible.reused ? 'reused' : 'ran', sha256 };
  if (accessible.documents) reuse.aceDocuments = accessible.documents;
  return { messages: [...checked.messages, ...accessible.messages], reuse };
}
