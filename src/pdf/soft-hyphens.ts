/**
 * The text layer of Chromium's PDF, cleaned once per layout (before its pages go into the
 * cache): the soft hyphens no line broke at taken out, ligatures cut between two text nodes read
 * as the font maps them.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { repairSplitLigatures } from './ligature-text.js';
import { pdfLoadOptions } from './join.js';

/**
 * Chromium's PDF of a layout as the pages are kept: with the unused soft hyphens taken
 * out of its text layer (`dropUnusedSoftHyphens`), and ligatures cut between two text nodes
 * read as the font maps them (`repairSplitLigatures`). Done once per layout, before the pages go
 * into the cache, so that a build joining cached pages does not do it again for every page.
 */
export async function cleanPrintedPdf(bytes: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, pdfLoadOptions);
  dropUnusedSoftHyphens(doc);
  repairSplitLigatures(doc);
  return doc.save({ useObjectStreams: false, objectsPerTick: Infinity });
}

/**
 * Chromium draws every soft hyphen: one a line broke at as a visible hyphen, one it did not as
 * an invisible zero-width glyph, both marked `ActualText U+00AD`. The unused ones then sit
 * inside words of the text layer ("co\u00ADop\u00ADer\u00ADa\u00ADtion"), and search and copy
 * suffer. An unused one is known by its glyph: the one a zero move (`0 0 Td`) follows, in the
 * font of the moment. Those glyphs are dropped; the page looks the same, used hyphens stay.
 * A soft hyphen inside a ligature ("signif\u00ADicant", shaped through the hyphen as one `fi`
 * glyph) has no glyph of its own: it sits in the `ActualText` of the ligature's span
 * (`<FEFF006600AD0069>`), and is taken out of that text.
 */
export function dropUnusedSoftHyphens(doc: PDFDocument): number {
  // An ActualText of two or more UTF-16 units one of which is U+00AD.
  const ligatureText = /\/ActualText <FEFF((?:[0-9A-Fa-f]{4})*00[Aa][Dd](?:[0-9A-Fa-f]{4})*)>/g;
  const span = /\/Span<<\/ActualText <FEFF00AD> >> BDC\n(-?[\d.]+ -?[\d.]+ Td) <([0-9A-Fa-f]+)> Tj\nEMC\n/g;
  const font = /\/(\S+) -?[\d.]+ Tf/g;
  let dropped = 0;
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    const filter = object.dict.get(PDFName.of('Filter'));
    if (filter !== undefined && filter !== PDFName.of('FlateDecode')) continue;
    // Node's zlib, not pdf-lib's JavaScript inflate and deflate: a few times faster on an issue.
    const plain = filter === undefined || object.dict.has(PDFName.of('DecodeParms')) ? decodePDFRawStream(object).decode() : inflateSync(object.contents);
    const text = Buffer.from(plain).toString('latin1');
    const inLigature = ligatureText.test(text);
    ligatureText.lastIndex = 0;
    if (!text.includes('/ActualText <FEFF00AD>') && !inLigature) continue;
    // The font in force at each offset, from the Tf operators before it.
    const fonts = [...text.matchAll(font)].map((m) => ({ at: m.index ?? 0, name: m[1] as string }));
    const fontAt = (at: number) => fonts.filter((f) => f.at < at).at(-1)?.name ?? '';
    const invisible = new Set<string>();
    for (const m of text.matchAll(span)) {
      const end = (m.index ?? 0) + m[0].length;
      if (text.startsWith('0 0 Td ', end)) invisible.add(`${fontAt(m.index ?? 0)} ${m[2]}`);
    }
    const cleaned = text
      .replace(span, (whole: string, move: string, glyph: string, at: number) => {
        if (!invisible.has(`${fontAt(at)} ${glyph}`)) return whole;
        dropped += 1;
        return `${move}\n`;
      })
      .replace(ligatureText, (whole: string, units: string) => {
        const kept = (units.match(/.{4}/gu) ?? []).filter((unit) => unit.toUpperCase() !== '00AD');
        if (kept.length === units.length / 4 || kept.length === 0) return whole;
        dropped += 1;
        return `/ActualText <FEFF${kept.join('')}>`;
      });
    const stream = doc.context.stream(deflateSync(Buffer.from(cleaned, 'latin1')), { Filter: 'FlateDecode' });
    for (const [key, value] of object.dict.entries()) {
      if (key !== PDFName.of('Length') && key !== PDFName.of('Filter') && key !== PDFName.of('DecodeParms')) stream.dict.set(key, value);
    }
    doc.context.assign(ref, stream);
  }
  return dropped;
}
