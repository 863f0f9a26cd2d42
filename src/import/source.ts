/**
 * Reads the raw source text into numbered lines: strict UTF-8, BOM and line endings
 * normalised, control characters removed with a warning. Line numbers are always those of
 * the original file, so every later message can point back at it.
 */
import { message, FolioError, type Message } from '../messages.js';

/** One line of the source as the importer sees it. */
export interface SourceLine {
  /** 1-based line number in the original file. */
  n: number;
  /** The line without its line ending and without trailing white space. */
  text: string;
  blank: boolean;
  /** Starts with exactly one space then a non-space: the extraction's usual mark of a page start. */
  indented: boolean;
}

// Control characters are what this pattern is for.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const zeroWidth = /[\u200B-\u200D\u2060\uFEFF]/;
/** Unicode noncharacters: never text, and what the import itself uses as internal marks. */
const noncharacters = /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;
/** Private-use characters: their meaning is the extraction's own, and no bundled font draws them. */
const privateUse = /[\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]/u;

/** Decodes and splits a source file; throws FolioError on input it cannot read. */
export function readSource(bytes: Uint8Array, file: string): { lines: SourceLine[]; messages: Message[] } {
  const messages: Message[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const { line, column, byte } = locateInvalidUtf8(bytes);
    throw new FolioError([
      message('import-001', `Unexpected byte 0x${byte.toString(16).padStart(2, '0').toUpperCase()}, expected UTF-8 text`, {
        file,
        line,
        column,
      }),
    ]);
  }
  if (text.trim() === '') throw new FolioError([message('import-002', 'Unexpected empty source, expected the text of an issue', { file })]);
  const rawLines = text.split(/\r\n|\r|\n/);
  if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines.pop();
  const lines: SourceLine[] = rawLines.map((raw, index) => {
    const n = index + 1;
    let cleaned = raw;
    if (controlCharacters.test(raw)) {
      controlCharacters.lastIndex = 0;
      cleaned = raw.replace(controlCharacters, (c) => (c === '\f' || c === '\v' ? ' ' : ''));
      messages.push(message('import-006', 'Unexpected control character, removed', { file, line: n }));
    }
    controlCharacters.lastIndex = 0;
    const nonchar = cleaned.match(noncharacters);
    if (nonchar) {
      cleaned = cleaned.replace(noncharacters, '');
      messages.push(message('import-006', `Unexpected noncharacter ${codePoint(nonchar[0])}, removed: it is not text`, { file, line: n }));
    }
    const pua = privateUse.exec(raw);
    if (pua) {
      messages.push(
        message('import-015', `Unexpected private-use character ${codePoint(pua[0])}, kept as it is: its meaning is the extraction's own, and the PDF stage stops if no bundled font draws it`, {
          file,
          line: n,
          column: [...raw.slice(0, pua.index)].length + 1,
        }),
      );
    }
    if (zeroWidth.test(cleaned)) messages.push(message('import-012', 'Unexpected zero-width character, kept as it is', { file, line: n }));
    const trimmed = cleaned.replace(/[\s\u3000]+$/u, '');
    return { n, text: trimmed, blank: trimmed.trim() === '', indented: /^ \S/.test(trimmed) };
  });
  return { lines, messages };
}

/** U+XXXX for a character. */
function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Finds the first invalid UTF-8 sequence: its line, column (in bytes) and first byte. */
function locateInvalidUtf8(bytes: Uint8Array): { line: number; column: number; byte: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    if (b === 0x0a) {
      line += 1;
      lineStart = i + 1;
      i += 1;
      continue;
    }
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k += 1) ok = ((bytes[i + k] ?? 0) & 0xc0) === 0x80;
    if (ok && length === 3) {
      const b1 = bytes[i + 1] ?? 0;
      if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f)) ok = false;
    }
    if (ok && length === 4) {
      const b1 = bytes[i + 1] ?? 0;
      if ((b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) ok = false;
    }
    if (!ok) return { line, column: i - lineStart + 1, byte: b };
    i += length;
  }
  return { line, column: 1, byte: 0 };
}

/** True for characters of the CJK scripts (Han, kana, CJK punctuation, full-width forms). */
export function isCjk(ch: string): boolean {
  return /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]/u.test(ch);
}

/** The share of a text's letters that are CJK. */
export function cjkShare(text: string): number {
  let cjk = 0;
  let letters = 0;
  for (const ch of text) {
    if (/\s/.test(ch)) continue;
    letters += 1;
    if (isCjk(ch)) cjk += 1;
  }
  return letters === 0 ? 0 : cjk / letters;
}

/** Display width of a line: a CJK character counts two, like on a printed measure. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isCjk(ch) ? 2 : 1;
  return width;
}
