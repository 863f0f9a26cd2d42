/**
 * The folio blocks that survived an extraction: a printed folio beside a running head that
 * recurs. They are the hard anchors of the page restoration, and the check reads them too.
 */
import type { SourceLine } from './source.js';

/** A folio and running head that survived the extraction, with the blank lines around it. */
export interface FolioBlock {
  folio: number;
  runningHead: string;
  /** Line index of the folio itself. */
  folioIndex: number;
  /** First and last line index of the block, surrounding blank lines included. */
  first: number;
  last: number;
}

const folioPattern = /^\s*(\d{1,4})\s*$/;

/** Finds folio blocks: a folio beside a running head that recurs at least twice. */
export function findFolioBlocks(lines: readonly SourceLine[]): FolioBlock[] {
  const near = (from: number, step: 1 | -1): number | undefined => {
    for (let k = 1, i = from + step; k <= 3 && i >= 0 && i < lines.length; k += 1, i += step) {
      if (!lines[i]?.blank) return i;
    }
    return undefined;
  };
  const heads = new Map<string, number>();
  const folios: { index: number; head: number }[] = [];
  lines.forEach((line, index) => {
    if (!folioPattern.test(line.text)) return;
    for (const step of [1, -1] as const) {
      const h = near(index, step);
      const headLine = h === undefined ? undefined : lines[h];
      if (h === undefined || !headLine || folioPattern.test(headLine.text) || headLine.text.trim().length > 80) continue;
      const key = headLine.text.trim();
      heads.set(key, (heads.get(key) ?? 0) + 1);
      folios.push({ index, head: h });
    }
  });
  const blocks: FolioBlock[] = [];
  for (const { index, head } of folios) {
    const headText = lines[head]?.text.trim() ?? '';
    if ((heads.get(headText) ?? 0) < 2) continue;
    if (blocks.some((b) => b.folioIndex === index)) continue;
    let first = Math.min(index, head);
    let last = Math.max(index, head);
    while (first > 0 && lines[first - 1]?.blank) first -= 1;
    while (last + 1 < lines.length && lines[last + 1]?.blank) last += 1;
    blocks.push({ folio: Number(folioPattern.exec(lines[index]?.text ?? '')?.[1]), runningHead: headText, folioIndex: index, first, last });
  }
  return blocks.sort((a, b) => a.first - b.first);
}
