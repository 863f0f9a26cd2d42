/**
 * A small XML tree and its serialisation, for the article outputs (JATS, the Crossref deposit):
 * every text and attribute value is escaped here, in one place, so no caller builds markup by
 * joining strings.
 */

/** An XML element: its name, attributes (an undefined value is left out) and children. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string | number | undefined>;
  children: XmlChild[];
}

/** What an element holds: elements or text. */
export type XmlChild = XmlElement | string;

/** Makes an element; children that are undefined or false are left out, so optional parts read inline. */
export function el(name: string, attributes: Record<string, string | number | undefined> = {}, ...children: Array<XmlChild | undefined | false | Array<XmlChild | undefined | false>>): XmlElement {
  const kept: XmlChild[] = [];
  for (const child of children.flat()) if (child !== undefined && child !== false) kept.push(child);
  return { name, attributes, children: kept };
}

// XML 1.0 allows tab, line feed, carriage return and the characters from U+0020 on, less the
// surrogates and U+FFFE/U+FFFF; anything else makes the file unreadable for every parser.
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text content: `&`, `<` and `>` (the last so that `]]>` never appears); characters XML cannot hold are dropped. */
export function escapeText(text: string): string {
  return text.replace(notXmlChar, '').replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

/** Escapes an attribute value, which is always written in double quotes; white space characters stay as character references so a parser keeps them. */
export function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/gu, '&quot;').replace(/\t/gu, '&#9;').replace(/\n/gu, '&#10;').replace(/\r/gu, '&#13;');
}

function openTag(node: XmlElement): string {
  const attributes = Object.entries(node.attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`)
    .join('');
  return `<${node.name}${attributes}`;
}

/** True when an element holds text directly: mixed content, written on one line, where white space is content. */
function mixed(node: XmlElement): boolean {
  return node.children.some((child) => typeof child === 'string');
}

function serialise(node: XmlElement, depth: number, inline: boolean): string {
  const open = openTag(node);
  if (node.children.length === 0) return `${open}/>`;
  if (inline || mixed(node)) return `${open}>${node.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialise(c, depth, true))).join('')}</${node.name}>`;
  // Element content only: indenting it adds white space no reader counts as text.
  const pad = '  '.repeat(depth + 1);
  const inner = node.children.map((c) => `${pad}${serialise(c as XmlElement, depth + 1, false)}`).join('\n');
  return `${open}>\n${inner}\n${'  '.repeat(depth)}</${node.name}>`;
}

/** The whole document: the XML declaration, an optional DOCTYPE, the root element, a final newline. */
export function xmlDocument(root: XmlElement, doctype?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${doctype ? `${doctype}\n` : ''}${serialise(root, 0, false)}\n`;
}

/** The text an element holds, in document order. */
export function textOf(node: XmlChild): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}
