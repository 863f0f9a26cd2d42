/**
 * A last look at what goes into the EPUB: raw HTML was sanitised once, in the HTML stage; this
 * confirms that nothing executable or remote survived, whatever a later change to that stage.
 */
import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';

const urlAttributes = ['href', 'src', 'srcSet', 'poster', 'cite', 'action', 'formAction', 'data', 'xlinkHref'];
const executableElements = new Set(['script', 'iframe', 'object', 'embed', 'frame', 'frameset', 'applet', 'form', 'base', 'meta', 'link', 'style']);

/** Describes each unsafe thing found in a rendered chapter; empty when it is safe. */
export function unsafeContent(tree: Root): string[] {
  const found: string[] = [];
  visit(tree, 'element', (node: Element) => {
    if (executableElements.has(node.tagName)) found.push(`a <${node.tagName}> element`);
    for (const [name, value] of Object.entries(node.properties)) {
      if (/^on/i.test(name)) found.push(`an event handler \`${name}\` on <${node.tagName}>`);
      if (!urlAttributes.includes(name) || value === undefined || value === null) continue;
      const url = String(Array.isArray(value) ? value.join(' ') : value).trim();
      if (/^\s*(javascript|vbscript):/i.test(url)) found.push(`a script URL in \`${name}\` on <${node.tagName}>`);
      // Links may point out of the book; nothing the reading system loads by itself may.
      else if (name !== 'href' && name !== 'cite' && /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(url) && !/^data:/i.test(url)) {
        found.push(`a remote resource \`${url}\` in \`${name}\` on <${node.tagName}>`);
      }
    }
  });
  return found;
}
