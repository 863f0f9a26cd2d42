/**
 * The print geometry of an issue: the PDF's trim, margins and type, derived from what a full
 * page of the original holds (`geometry.measured`, as the import measures it in the source),
 * so that every original page fits one PDF page without copyfitting.
 */
import type { Geometry, MeasuredGeometry, PrintGeometry, ScriptMeasure, ScriptType } from './schema.js';

/**
 * The house geometry, the design of the bundled issue: trim 185 × 260 mm, a text block of
 * 130 × 215.9 mm (34 lines of 18 pt), English 11/18 pt with notes 8.5/12, Chinese 10.5/18 pt
 * with notes 8.5/13. An issue without a geometry is set in it.
 */
export const houseGeometry: PrintGeometry = Object.freeze({
  trim: Object.freeze({ width: 185, height: 260 }),
  margins: Object.freeze({ top: 22, bottom: 22.1, inner: 24, outer: 31 }),
  latin: Object.freeze({ size: 11, leading: 18, noteSize: 8.5, noteLeading: 12 }),
  cjk: Object.freeze({ size: 10.5, leading: 18, noteSize: 8.5, noteLeading: 13 }),
}) as PrintGeometry;

/**
 * What a full page of the bundled issue holds, measured in its source the way the import
 * measures (src/import/geometry.ts): 31 source lines a full page, blank lines included, in
 * both scripts; characters per full line the median of the lines at least 80 % as long as the
 * 95th percentile of line lengths: Latin 62 (95th percentile 67, 90th 66), Chinese 35 (95th
 * percentile 38; a full line of running text is 35 characters). The house geometry holds such
 * pages without copyfitting (none of the 167 pages is), so it is the reference the derivation
 * scales from.
 */
export const houseMeasured: Readonly<{ latin: ScriptMeasure; cjk: ScriptMeasure }> = Object.freeze({
  latin: Object.freeze({ linesPerPage: 31, charsPerLine: 62 }),
  cjk: Object.freeze({ linesPerPage: 31, charsPerLine: 35 }),
});

/**
 * The range of type a script may be set in: sizes in points, leadings as a share of their type
 * size (`size`, `leading`, `noteSize`, `noteLeading` the least; `maxSize`, `maxLeading` the most).
 */
export interface TypeLimits {
  size: number;
  leading: number;
  noteSize: number;
  noteLeading: number;
  maxSize: number;
  maxLeading: number;
}

/**
 * The smallest type the derivation sets, and the least leading as a share of the type size:
 * below them a denser original gets a larger page instead of smaller type. The largest type and
 * leading it sets for a sparser original: above them the page keeps white at its foot.
 */
export const typeLimits: Readonly<Record<'latin' | 'cjk', Readonly<TypeLimits>>> = Object.freeze({
  latin: Object.freeze({ size: 8, leading: 1.25, noteSize: 6.5, noteLeading: 1.2, maxSize: 13, maxLeading: 1.8 }),
  cjk: Object.freeze({ size: 8, leading: 1.4, noteSize: 6.5, noteLeading: 1.3, maxSize: 12.5, maxLeading: 1.9 }),
});

/** The text block of a page: its measure (width) and height, in millimetres. */
export function textBlock(print: PrintGeometry): { measure: number; height: number } {
  return { measure: round(print.trim.width - print.margins.inner - print.margins.outer, 100), height: round(print.trim.height - print.margins.top - print.margins.bottom, 100) };
}

/**
 * Derives the print geometry from the measured one, so that a full original page fits one PDF
 * page without copyfitting.
 *
 * It scales the type, not the trim. The issues are of one journal, bound to one size: a denser
 * issue was set in smaller type on the same page, not printed on a larger sheet, and a facsimile
 * that keeps the trim keeps the margins, the running heads and the look of the page too. So the
 * house geometry is kept and the type of each script is scaled against the reference
 * measurement (`houseMeasured`), the page the house design is known to hold:
 *
 * - the type size by the reference's characters per line over the measured ones, so a line
 *   holds as many characters as the original's (the lines of a paragraph stay as many);
 * - the leading by the reference's lines per page over the measured ones, so the text block
 *   holds as many lines as the original's; headings, bylines and their spaces follow the body
 *   (their proportions are the stylesheet's), the notes follow size and leading alike.
 *
 * Down for a denser original and up for a sparser one, whose pages were full in print too (a
 * page of 26 lines set on the house's 34-line grid would be a third white at its foot); the
 * bundled issue's own measurement gives the house geometry exactly. Within `typeLimits`: where
 * the type would get smaller than 8 pt or the leading tighter than 1.25 (CJK 1.4) times the
 * type, the type stops there and the text block grows instead, by what the type could not give,
 * with the margins kept; a page shared by both scripts takes the larger block. Above the largest
 * type or leading, the page keeps what is left as white at its foot. Sizes are rounded down to
 * 0.05 pt, a grown trim up to 0.5 mm, so the rounding only ever adds room.
 */
export function derivePrintGeometry(measured: MeasuredGeometry): PrintGeometry {
  const house = houseGeometry;
  const block = textBlock(house);
  let measure = block.measure;
  let height = block.height;
  const scripts = {} as Record<'latin' | 'cjk', ScriptType>;
  for (const script of ['latin', 'cjk'] as const) {
    const derived = scriptType(house[script], houseMeasured[script], measured[script], typeLimits[script]);
    scripts[script] = derived.type;
    measure = Math.max(measure, block.measure * derived.widen);
    height = Math.max(height, block.height * derived.heighten);
  }
  const grow = (by: number) => Math.ceil(by * 2 - 1e-9) / 2;
  return {
    trim: { width: round(house.trim.width + grow(measure - block.measure), 10), height: round(house.trim.height + grow(height - block.height), 10) },
    margins: { ...house.margins },
    latin: scripts.latin,
    cjk: scripts.cjk,
  };
}

/**
 * One script's type, and how much wider and taller the text block must be where the limits
 * stopped the type from shrinking far enough.
 */
function scriptType(
  house: ScriptType,
  reference: ScriptMeasure,
  measured: ScriptMeasure | undefined,
  limits: Readonly<TypeLimits>,
): { type: ScriptType; widen: number; heighten: number } {
  if (!measured) return { type: { ...house }, widen: 1, heighten: 1 };
  // The shares of the house type and leading a measured page needs.
  const typeShare = reference.charsPerLine / measured.charsPerLine;
  const leadShare = reference.linesPerPage / measured.linesPerPage;
  const size = Math.min(Math.max(house.size, limits.maxSize), Math.max(Math.min(house.size, limits.size), house.size * typeShare));
  const leading = Math.min(Math.max(house.leading, size * limits.maxLeading), Math.max(size * limits.leading, house.leading * leadShare));
  // What the least type withheld, the text block gives: its width holds measure/size
  // characters, its height block/leading lines (the largest type withholds nothing: white).
  const widen = Math.max(1, size / (house.size * typeShare));
  const heighten = Math.max(1, leading / (house.leading * leadShare));
  const noteSize = Math.max(Math.min(house.noteSize, limits.noteSize), house.noteSize * (size / house.size));
  const noteLeading = Math.max(noteSize * limits.noteLeading, house.noteLeading * (leading / house.leading));
  const type: ScriptType = {
    size: points(size, house.size),
    leading: points(leading, house.leading),
    noteSize: points(noteSize, house.noteSize),
    noteLeading: points(noteLeading, house.noteLeading),
  };
  return { type, widen, heighten };
}

/** Rounds down to 0.05 pt, leaving the house value itself exact. */
function points(value: number, house: number): number {
  if (Math.abs(value - house) < 1e-9) return house;
  return round(Math.floor(value * 20 + 1e-9) / 20, 100);
}

function round(value: number, per: number): number {
  return Math.round(value * per) / per;
}

/** Where a print geometry came from: set by an editor, derived from the measurement, or the house's. */
export type GeometrySource = 'print' | 'measured' | 'house';

/**
 * The print geometry the PDF stage uses: `geometry.print` when present (an editor's or the
 * import's, taken as it is), else the derivation from `geometry.measured`, else the house
 * geometry.
 */
export function resolvePrintGeometry(geometry: Geometry | undefined): { print: PrintGeometry; source: GeometrySource } {
  if (geometry?.print) return { print: geometry.print, source: 'print' };
  if (geometry?.measured && (geometry.measured.latin || geometry.measured.cjk)) return { print: derivePrintGeometry(geometry.measured), source: 'measured' };
  return { print: houseGeometry, source: 'house' };
}
