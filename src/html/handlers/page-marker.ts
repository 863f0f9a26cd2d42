/** Handler: a page marker becomes an empty page-break span named after its printed page. */
import type { Element } from 'hast';
import type { State } from 'mdast-util-to-hast';
import type { PageMarker } from '../../markdown/nodes.js';
import type { Target } from '../target.js';

/** `<span id="page-N" role="doc-pagebreak" aria-label="N">` (plus `epub:type` for EPUB). */
export function pageMarker(target: Target) {
  return (state: State, node: PageMarker): Element => {
    const properties: Element['properties'] = { id: `page-${node.page}`, role: 'doc-pagebreak', ariaLabel: String(node.page) };
    if (target === 'epub') properties['epub:type'] = 'pagebreak';
    const span: Element = { type: 'element', tagName: 'span', properties, children: [] };
    state.patch(node, span);
    return span;
  };
}
