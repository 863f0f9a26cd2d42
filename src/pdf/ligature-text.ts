/**
 * A ligature split between two text nodes keeps only the first node's letters in its text.
 *
 * Chromium shapes a paragraph's text across its nodes: where Paged.js cuts a text node inside
 * a ligature (a page that opens with `fi|nancial`), the `fi` glyph is drawn once with the
 * letters of the node it starts in, and the `i` belongs to no glyph: a reader's copy and
 * search get `fnancial`. Which of the two texts Chromium puts where depends on which use of
 * the glyph it met first: the font's ToUnicode says `fi` and the cut glyph's span says `f`, or
 * the ToUnicode says `f` and every whole use carries a span saying `fi`. Either way the glyph
 * draws `fi`: its map is set to the longest of its texts, and the spans that say no more are
 * taken off.
 */
import { decodePDFRawStream, PDFArray, PDFDict, PDFName, PDFRawStream, PDFRef, type PDFDocument, type PDFObject } from 'pdf-lib';
import { deflateSync, inflateSync } from 'node:zlib';

/** A span around one run of glyphs, with the font settings and position that may precede them. */
const span = /\/Span<<\/ActualText (\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f]*>) >> BDC\n((?:(?:\/\S+ -?[\d.]+ Tf|-?[\d.]+(?: -?[\d.]+){1,5} T[md])[ \n]){0,3})<([0-9A-Fa-f]+)> Tj\nEMC\n/g;
const fontSetting = /\/(\S+) -?[\d.]+ Tf/g;

function utf16(hex: string): string {
  let out = '';
  for (let k = 0; k + 4 <= hex.length; k += 4) out += String.fromCharCode(Number.parseInt(hex.slice(k, k + 4), 16));
  return out;
}

/** The text of a PDF string operand: `(f)` or `<FEFF0066>`. */
function stringText(operand: string): string {
  if (operand.startsWith('<')) {
    const hex = operand.slice(1, -1);
    return /^FEFF/iu.test(hex) ? utf16(hex.slice(4)) : utf16(hex);
  }
  return operand.slice(1, -1).replace(/\\([()\\])/gu, '$1');
}

/** A font's ToUnicode map: glyph code (four hex digits, as the content writes it) to text. */
function readToUnicode(doc: PDFDocument, font: PDFDict): Map<string, string> {
  const map = new Map<string, string>();
  const stream = doc.context.lookup(font.get(PDFName.of('ToUnicode')));
  if (!(stream instanceof PDFRawStream)) return map;
  const text = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/gu)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>/gu)) map.set((m[1] ?? '').toUpperCase().padStart(4, '0'), utf16(m[2] ?? ''));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/gu)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])/gu)) {
      const lo = Number.parseInt(m[1] ?? '0', 16);
      const hi = Number.parseInt(m[2] ?? '0', 16);
      const target = m[3] ?? '';
      for (let code = lo; code <= hi && code - lo < 65536; code += 1) {
        const key = code.toString(16).toUpperCase().padStart(4, '0');
        if (target.startsWith('[')) {
          const item = [...target.matchAll(/<([0-9A-Fa-f]*)>/gu)][code - lo]?.[1];
          if (item !== undefined) map.set(key, utf16(item));
        } else {
          const base = target.slice(1, -1);
          // The last UTF-16 unit counts up through the range.
          const head = base.slice(0, -4);
          const last = Number.parseInt(base.slice(-4) || '0', 16) + (code - lo);
          map.set(key, utf16(`${head}${last.toString(16).padStart(4, '0')}`));
        }
      }
    }
  }
  return map;
}

function contentStreams(doc: PDFDocument, contents: PDFObject | undefined): PDFRawStream[] {
  const resolved = contents === undefined ? undefined : doc.context.lookup(contents);
  if (resolved instanceof PDFRawStream) return [resolved];
  if (resolved instanceof PDFArray) return resolved.asArray().flatMap((item) => contentStreams(doc, item));
  return [];
}

interface Stream {
  stream: PDFRawStream;
  text: string;
  /** The font in force at an offset: its resource name on this page. */
  fontAt: (at: number) => string | undefined;
  fonts: PDFDict;
}

function readStreams(doc: PDFDocument): Stream[] {
  const out: Stream[] = [];
  for (const page of doc.getPages()) {
    const fonts = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    if (!fonts) continue;
    for (const stream of contentStreams(doc, page.node.get(PDFName.of('Contents')))) {
      const filter = stream.dict.get(PDFName.of('Filter'));
      if (filter !== undefined && filter !== PDFName.of('FlateDecode')) continue;
      const plain = filter === undefined || stream.dict.has(PDFName.of('DecodeParms')) ? decodePDFRawStream(stream).decode() : inflateSync(stream.contents);
      const text = Buffer.from(plain).toString('latin1');
      const settings = [...text.matchAll(fontSetting)].map((m) => ({ at: m.index ?? 0, name: m[1] ?? '' }));
      out.push({ stream, text, fonts, fontAt: (at) => settings.filter((x) => x.at < at).at(-1)?.name });
    }
  }
  return out;
}

/**
 * Makes every ligature glyph read as the letters it draws: the longest of the texts its font's
 * ToUnicode and its spans give it, when each of the others begins it (`f` and `fi`); then takes
 * off the spans that say no more than the font now does. Returns how many glyph texts and spans
 * were set right.
 */
export function repairSplitLigatures(doc: PDFDocument): number {
  const streams = readStreams(doc).filter((s) => s.text.includes('/ActualText'));
  if (streams.length === 0) return 0;
  // What each glyph of each font is said to be, by its ToUnicode and by its spans.
  const fontOf = (s: Stream, at: number): PDFDict | undefined => {
    const name = s.fontAt(at);
    return name === undefined ? undefined : s.fonts.lookupMaybe(PDFName.of(name), PDFDict);
  };
  const maps = new Map<PDFDict, Map<string, string>>();
  const mapOf = (font: PDFDict): Map<string, string> => {
    let map = maps.get(font);
    if (!map) {
      map = readToUnicode(doc, font);
      maps.set(font, map);
    }
    return map;
  };
  const said = new Map<PDFDict, Map<string, Set<string>>>();
  for (const s of streams) {
    for (const m of s.text.matchAll(span)) {
      const glyph = (m[3] ?? '').toUpperCase();
      const font = fontOf(s, (m.index ?? 0) + m[0].length);
      if (!font || glyph.length !== 4) continue;
      const byGlyph = said.get(font) ?? new Map<string, Set<string>>();
      said.set(font, byGlyph);
      const texts = byGlyph.get(glyph) ?? new Set<string>();
      byGlyph.set(glyph, texts);
      texts.add(stringText(m[1] ?? ''));
    }
  }
  // The glyphs whose font map says less than a span does: the map takes the longer text.
  let repaired = 0;
  const letters = /^\p{L}+$/u;
  for (const [font, byGlyph] of said) {
    const map = mapOf(font);
    const fixes = new Map<string, string>();
    for (const [glyph, texts] of byGlyph) {
      const mapped = map.get(glyph) ?? '';
      const all = [...texts, mapped].filter((t) => t !== '');
      const longest = all.reduce((a, b) => (b.length > a.length ? b : a), '');
      if (longest.length < 2 || !letters.test(longest) || !all.every((t) => longest.startsWith(t))) continue;
      if (longest !== mapped) fixes.set(glyph, longest);
      map.set(glyph, longest);
    }
    if (fixes.size > 0) {
      rewriteToUnicode(doc, font, fixes);
      repaired += fixes.size;
    }
  }
  // The spans that now say no more than the glyph's map, or less: taken off.
  for (const s of streams) {
    let changed = 0;
    const cleaned = s.text.replace(span, (whole: string, actual: string, between: string, glyphs: string, at: number) => {
      const font = fontOf(s, at + whole.length);
      if (!font || glyphs.length !== 4) return whole;
      const mapped = mapOf(font).get(glyphs.toUpperCase()) ?? '';
      const text = stringText(actual);
      if (text === '' || mapped.length < 2 || !letters.test(mapped) || !mapped.startsWith(text)) return whole;
      changed += 1;
      return `${between}<${glyphs}> Tj\n`;
    });
    if (changed === 0) continue;
    repaired += changed;
    const replacement = doc.context.stream(deflateSync(Buffer.from(cleaned, 'latin1')), { Filter: 'FlateDecode' });
    for (const [key, value] of s.stream.dict.entries()) {
      if (key !== PDFName.of('Length') && key !== PDFName.of('Filter') && key !== PDFName.of('DecodeParms')) replacement.dict.set(key, value);
    }
    const ref = doc.context.getObjectRef(s.stream);
    if (ref) doc.context.assign(ref, replacement);
  }
  return repaired;
}

/** Adds mappings to a font's ToUnicode CMap, after its own (a later mapping of a code wins). */
function rewriteToUnicode(doc: PDFDocument, font: PDFDict, fixes: ReadonlyMap<string, string>): void {
  const ref = font.get(PDFName.of('ToUnicode'));
  const stream = doc.context.lookup(ref);
  if (!(stream instanceof PDFRawStream) || !(ref instanceof PDFRef)) return;
  const text = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
  const hex = (t: string): string => [...t].map((c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')).join('');
  const block = `${fixes.size} beginbfchar\n${[...fixes].map(([glyph, t]) => `<${glyph}> <${hex(t)}>`).join('\n')}\nendbfchar\n`;
  const at = text.lastIndexOf('endcmap');
  if (at < 0) return;
  const cmap = `${text.slice(0, at)}${block}${text.slice(at)}`;
  doc.context.assign(ref, doc.context.stream(deflateSync(Buffer.from(cmap, 'latin1')), { Filter: 'FlateDecode' }));
}
