/**
 * Handler: a byline or subtitle directive becomes a classed block. One paragraph inside gives
 * `<p class="byline">`; several give a `<div class="byline">` of paragraphs.
 */
import type { Element, ElementContent } from 'hast';
import type { State } from 'mdast-util-to-hast';
import type { Byline, Subtitle } from '../../markdown/nodes.js';

/** Makes the handler for one kind of opening block. */
export function openingBlock(kind: 'byline' | 'subtitle') {
  return (state: State, node: Byline | Subtitle): Element => {
    const properties: Element['properties'] = { className: [kind] };
    if (kind === 'subtitle') properties.role = 'doc-subtitle';
    const only = node.children.length === 1 ? node.children[0] : undefined;
    const element: Element =
      only?.type === 'paragraph'
        ? { type: 'element', tagName: 'p', properties, children: state.all(only) }
        : { type: 'element', tagName: 'div', properties, children: state.wrap(state.all(node) as ElementContent[], true) };
    state.patch(node, element);
    return element;
  };
}
