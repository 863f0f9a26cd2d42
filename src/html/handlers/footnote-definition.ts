/**
 * Handler: a footnote definition. For EPUB a `doc-footnote` aside in place (definitions stand at
 * the chapter's end) with a link back to the call; for print nothing, as the note already went
 * inline to its call, unless the note is never called: then it prints where it stands.
 */
import type { Element, ElementContent } from 'hast';
import type { FootnoteDefinition } from 'mdast';
import type { State } from 'mdast-util-to-hast';
import { labelId, type Target } from '../target.js';

/** Makes the footnote definition handler for a target. */
export function footnoteDefinition(target: Target) {
  return (state: State, node: FootnoteDefinition): Element | undefined => {
    const label = node.label ?? node.identifier;
    const id = labelId(label);
    const called = (state.footnoteCounts.get(node.identifier.toUpperCase()) ?? 0) > 0;
    if (target === 'print' && called) return undefined;
    const children = state.wrap(state.all(node) as ElementContent[], true);
    if (target === 'epub' && called) {
      const backlink: Element = {
        type: 'element',
        tagName: 'a',
        properties: { href: `#fnref-${id}`, role: 'doc-backlink' },
        children: [{ type: 'text', value: '↩' }],
      };
      const last = children.filter((child): child is Element => child.type === 'element').at(-1);
      if (last?.tagName === 'p') last.children.push({ type: 'text', value: ' ' }, backlink);
      else children.push({ type: 'element', tagName: 'p', properties: {}, children: [backlink] });
    }
    const properties: Element['properties'] = { id: `fn-${id}`, className: ['footnote'] };
    if (target === 'epub') {
      properties.role = 'doc-footnote';
      properties['epub:type'] = 'footnote';
    }
    const aside: Element = { type: 'element', tagName: 'aside', properties, children };
    state.patch(node, aside);
    return aside;
  };
}
