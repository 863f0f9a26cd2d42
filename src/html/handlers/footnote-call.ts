/**
 * Handler: a footnote call. For EPUB a `doc-noteref` link in `<sup>`; for print the note itself,
 * moved inline to its call as `<span class="footnote">`, which Paged.js floats to the foot of
 * the page that calls it.
 */
import type { Element, ElementContent } from 'hast';
import type { FootnoteReference } from 'mdast';
import type { State } from 'mdast-util-to-hast';
import { labelId, printedLabel, type Target } from '../target.js';

/** Makes the footnote call handler for a target. */
export function footnoteCall(target: Target) {
  return (state: State, node: FootnoteReference): Element => {
    const label = node.label ?? node.identifier;
    const id = labelId(label);
    const key = node.identifier.toUpperCase();
    const calls = (state.footnoteCounts.get(key) ?? 0) + 1;
    state.footnoteCounts.set(key, calls);
    const definition = state.footnoteById.get(key);
    let element: Element;
    if (target === 'print' && definition && calls === 1) {
      // Block children cannot sit inside a line: each paragraph of the note becomes a span.
      const paragraphs: ElementContent[] = definition.children.map((child) => ({
        type: 'element',
        tagName: 'span',
        properties: { className: ['footnote-paragraph'] },
        children: child.type === 'paragraph' ? state.all(child) : (state.all({ type: 'root', children: [child] }) as ElementContent[]),
      }));
      element = {
        type: 'element',
        tagName: 'span',
        properties: { className: ['footnote'], id: `fn-${id}`, dataNoteLabel: printedLabel(label) },
        children: paragraphs,
      };
    } else if (target === 'print') {
      // A second call of one note, or a call without a note: print the mark alone.
      element = { type: 'element', tagName: 'sup', properties: { className: ['footnote-mark'] }, children: [{ type: 'text', value: printedLabel(label) }] };
    } else {
      const link: Element = {
        type: 'element',
        tagName: 'a',
        properties: {
          id: `fnref-${id}${calls > 1 ? `-${calls}` : ''}`,
          href: `#fn-${id}`,
          role: 'doc-noteref',
          'epub:type': 'noteref',
        },
        children: [{ type: 'text', value: printedLabel(label) }],
      };
      element = { type: 'element', tagName: 'sup', properties: {}, children: [link] };
    }
    state.patch(node, element);
    return element;
  };
}
