/**
 * The glyph check: every character of the issue once, in its language's font stack, and
 * Chromium asked which fonts drew it; a character drawn by a system font has no glyph in the
 * bundled fonts (pdf-007). It runs in the first page laid out in this run, once that page is
 * printed (its fonts are loaded already); only when nothing is laid out does it get a page of
 * its own. Its finding is kept in the cache folder under the key of the characters and styles.
 */
import { toString } from 'hast-util-to-string';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import type { Manuscript } from '../manuscript/index.js';
import { message, type Message } from '../messages.js';
import { cacheKey } from '../session/index.js';
import { bundledFamilies, printScripts, runtimePath } from './assets.js';
import { openPrintPage, withWatchdog } from './browser.js';
import { readJson } from './chunk-cache.js';
import { buildPrintHtml, type PrintChunk, type RenderedIssue } from './print-document.js';
import type { PrintRun } from './print-run.js';

/** A character without a glyph in the bundled fonts, and the language it is set in. */
type MissingGlyph = { char: string; lang: string };

/** The glyph check of one run: found in the cache, or made once, in the page it is given first. */
export class GlyphCheck {
  /** The characters without a glyph, once known. */
  private missing: MissingGlyph[] | undefined;
  private claimed = false;
  /** The first folio of the flow to run it in (the shortest, which ends first); any page when unset. */
  at: number | undefined;

  private constructor(
    private readonly probe: GlyphProbe,
    /** Where the finding is kept, without its extension. */
    private readonly base: string,
  ) {}

  /** The check of `issue`'s characters in the styles `shared` names, with its kept finding if there is one. */
  static async start(manuscript: Manuscript, issue: RenderedIssue, shared: string, cacheDir: string): Promise<GlyphCheck> {
    const probe = glyphProbe(manuscript, issue);
    const check = new GlyphCheck(probe, path.join(cacheDir, `glyphs-${cacheKey(shared, JSON.stringify(probe))}`));
    const kept = await readJson<MissingGlyph[]>(`${check.base}.json`);
    if (Array.isArray(kept)) check.missing = kept;
    return check;
  }

  /** Runs the check in `page` (laid out for `span`), unless it is done, under way, or meant for another flow. */
  async checkIn(run: PrintRun, page: Page, span?: PrintChunk): Promise<void> {
    if (this.missing || this.claimed || (span && this.at !== undefined && span.firstFolio !== this.at)) return;
    this.claimed = true;
    this.missing = await run.time('glyphs', () => withWatchdog('check glyph coverage', run.stageMs, () => findMissingGlyphs(page, this.probe)));
    await writeFile(`${this.base}.json`, JSON.stringify(this.missing));
  }

  /** Runs the check in a page of its own when no layout of this run did (every chunk came from the cache). */
  async finish(run: PrintRun): Promise<void> {
    if (this.missing) return;
    const html = await buildPrintHtml(run.manuscript, run.issue, run.chunkAssets, new Map(), { from: 0, to: 0, firstFolio: 1, lastFolio: 1 });
    const file = `${this.base}.html`;
    await writeFile(file, html);
    const context = await (await run.browser()).browser.createBrowserContext();
    try {
      const { page } = await openPrintPage(context, run.buildDir, printScripts());
      await withWatchdog('load the glyph check', run.stageMs, () => page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: run.stageMs }));
      await page.addScriptTag({ url: pathToFileURL(runtimePath).href });
      await this.checkIn(run, page);
    } finally {
      await context.close();
      await rm(file, { force: true });
    }
  }

  /** A pdf-007 for each character without a glyph, at its first place in the manuscript. */
  messages(manuscript: Manuscript): Message[] {
    return (this.missing ?? []).map(({ char, lang }) => {
      const code = char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? '?';
      return message('pdf-007', `Unexpected character \`${char}\` (U+${code}) without a glyph in the bundled fonts for \`${lang}\`, expected ${bundledFamilies.join(', ')} to cover it`, placeOf(char, manuscript));
    });
  }
}

type GlyphProbe = Array<{ lang: string; chars: string[] }>;

/** Every character of the issue once, grouped by the language whose font stack sets it. */
function glyphProbe(manuscript: Manuscript, issue: RenderedIssue): GlyphProbe {
  const groups = new Map<string, Set<string>>();
  const add = (lang: string, text: string) => {
    const set = groups.get(lang) ?? new Set<string>();
    for (const char of text) if (!/[\s\u00AD\p{Cc}\p{Cf}]/u.test(char)) set.add(char);
    groups.set(lang, set);
  };
  const main = manuscript.issue.languages[0] ?? 'en';
  add(main, `${manuscript.issue.journal} · ${manuscript.issue.issue} 0123456789`);
  for (const chapter of issue.chapters) {
    add(chapter.language, toString(chapter.hast));
    add(main, chapter.shortTitle);
  }
  return [...groups].map(([lang, chars]) => ({ lang, chars: [...chars] }));
}

/**
 * Finds the characters of the issue that the bundled fonts do not cover: each character is set
 * once in its language's font stack, and Chromium says which fonts drew it. A character drawn by
 * a system font (not a web font we bundle) has no glyph of ours.
 */
async function findMissingGlyphs(page: Page, list: GlyphProbe): Promise<MissingGlyph[]> {
  await page.evaluate(`window.folioPrint.addGlyphProbe(${JSON.stringify(list)})`);
  const client = await page.createCDPSession();
  await client.send('DOM.enable');
  await client.send('CSS.enable');
  const { root } = await client.send('DOM.getDocument', { depth: 0 });
  // A language's characters all at once first: only a group some system font helped to draw
  // is looked at character by character (one round trip each).
  const fontsOf = async (nodeId: number) => (await client.send('CSS.getPlatformFontsForNode', { nodeId })).fonts;
  const { nodeIds: groupIds } = await client.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '#folio-glyph-probe > section' });
  const missing: MissingGlyph[] = [];
  for (const [index, groupId] of groupIds.entries()) {
    const group = list[index];
    if (!group) continue;
    const fonts = await fontsOf(groupId);
    if (fonts.length > 0 && fonts.every((font) => font.isCustomFont)) continue;
    const { nodeIds } = await client.send('DOM.querySelectorAll', { nodeId: groupId, selector: 'span' });
    for (const [at, nodeId] of nodeIds.entries()) {
      const char = group.chars[at];
      const used = await fontsOf(nodeId);
      if (char !== undefined && (used.length === 0 || used.some((font) => !font.isCustomFont))) missing.push({ char, lang: group.lang });
    }
  }
  await client.detach();
  await page.evaluate('window.folioPrint.removeGlyphProbe()');
  return missing;
}

/** The first place a character occurs in the manuscript: chapter file and line. */
function placeOf(char: string, manuscript: Manuscript): { file: string; line?: number } {
  for (const chapter of manuscript.chapters) {
    const at = chapter.markdown.indexOf(char);
    if (at !== -1) return { file: path.relative(manuscript.dir, chapter.path), line: chapter.markdown.slice(0, at).split('\n').length };
  }
  return { file: path.join(manuscript.dir, 'issue.yaml') };
}

