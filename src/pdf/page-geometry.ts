/**
 * The print geometry as CSS: the `@page` size and margins and the custom properties of the
 * type that styles/print.css sets everything through. Written into the print document ahead of
 * the stylesheet, so that its `@page` rule (the font family, the footnote area, the drop
 * folio) is merged onto this one by Paged.js, and the stylesheet is never forked per issue.
 */
import { houseGeometry } from '../manuscript/geometry.js';
import type { PrintGeometry, ScriptType } from '../manuscript/schema.js';

/**
 * The CSS of a print geometry. `--type-scale` and `--lead-scale` are the script's body size and
 * leading over the house design's: headings, bylines and their spaces are set through them.
 */
export function pageGeometryCss(print: PrintGeometry): string {
  const { trim, margins } = print;
  return [
    `@page { size: ${mm(trim.width)} ${mm(trim.height)}; margin: ${mm(margins.top)} ${mm(margins.outer)} ${mm(margins.bottom)} ${mm(margins.inner)}; }`,
    `@page :left { margin-left: ${mm(margins.outer)}; margin-right: ${mm(margins.inner)}; }`,
    `@page :right { margin-left: ${mm(margins.inner)}; margin-right: ${mm(margins.outer)}; }`,
    `:root { ${typeProperties(print.latin, houseGeometry.latin)} }`,
    `.chapter:lang(zh), .chapter:lang(ja), .chapter:lang(ko) { ${typeProperties(print.cjk, houseGeometry.cjk)} }`,
  ].join('\n');
}

function typeProperties(type: ScriptType, house: ScriptType): string {
  return [
    `--body-size: ${pt(type.size)};`,
    `--body-leading: ${pt(type.leading)};`,
    `--note-size: ${pt(type.noteSize)};`,
    `--note-leading: ${pt(type.noteLeading)};`,
    `--type-scale: ${ratio(type.size, house.size)};`,
    `--lead-scale: ${ratio(type.leading, house.leading)};`,
  ].join(' ');
}

const mm = (value: number): string => `${value}mm`;
const pt = (value: number): string => `${value}pt`;
const ratio = (value: number, of: number): string => String(Math.round((value / of) * 1e6) / 1e6);
