/** What an HTML rendering is for: Paged.js print or an EPUB content document. */
export type Target = 'print' | 'epub';

/** The printed form of a footnote label: the author note prints as `*`, numbers as they are. */
export function printedLabel(label: string): string {
  return label.toLowerCase() === 'author' ? '*' : label;
}

/** The id-safe form of a footnote label, shared by the call (`fnref-…`) and the note (`fn-…`). */
export function labelId(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
}
