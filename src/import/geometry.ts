/**
 * The page geometry of the printed original, measured in the source: how many lines a full
 * page holds and how many characters a full line holds, per script. The print stage derives
 * its page from it, so that a full original page fits one PDF page.
 */
import type { MeasuredGeometry, ScriptMeasure } from '../manuscript/schema.js';
import type { Layout } from './layout.js';
import { cjkShare, type SourceLine } from './source.js';

/**
 * A full line is one of the long lines of the running text: justified lines vary by a few
 * characters, and paragraph ends, headings and notes are shorter. The lines at least this
 * share of the longest lines' length (their high percentile) are taken as full.
 */
const FULL_LINE_SHARE = 0.8;
/** The percentile that stands for the longest lines (a few overlong lines aside). */
const LONG_LINE_PERCENTILE = 0.95;
/** Fewer full lines than this in a script say nothing about its measure. */
const MIN_LINES = 20;

function charsPerLine(lengths: number[]): number | undefined {
  if (lengths.length < MIN_LINES) return undefined;
  const sorted = [...lengths].sort((a, b) => a - b);
  const long = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * LONG_LINE_PERCENTILE))] ?? 0;
  const full = sorted.filter((n) => n >= long * FULL_LINE_SHARE);
  return full[Math.floor(full.length / 2)];
}

/** Measures the geometry of the restored pages: the layout's line budget and the lines' lengths. */
export function measureGeometry(lines: readonly SourceLine[], layout: Layout): MeasuredGeometry {
  const latin: number[] = [];
  const cjk: number[] = [];
  lines.forEach((line, i) => {
    if (line.blank || layout.furniture[i]) return;
    const text = line.text.trim();
    (cjkShare(text) > 0.5 ? cjk : latin).push([...text].length);
  });
  const measure = (lengths: number[], linesPerPage: number): ScriptMeasure | undefined => {
    const chars = charsPerLine(lengths);
    return chars === undefined ? undefined : { linesPerPage, charsPerLine: chars };
  };
  const geometry: MeasuredGeometry = {};
  const l = measure(latin, layout.budget.latin);
  const c = measure(cjk, layout.budget.cjk);
  if (l) geometry.latin = l;
  if (c) geometry.cjk = c;
  return geometry;
}
