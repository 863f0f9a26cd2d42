/**
 * Handler: a footnote call. For EPUB a `doc-noteref` link in `<sup>`; for print the printed
 * call mark (`<sup class="footnote-call">`) followed by the note itself, moved inline to its
 * call as `<span class="footnote">`, which Paged.js floats to the foot of the page that calls
 * it. The mark is ours because Paged.js numbers its own calls with a counter, and our labels
 * are the printed ones (`*` for the author note).
 */
import type { Element, ElementContent } from 'hast';
import type { FootnoteReference } from 'mdast';
import type { State } from 'mdast-util-to-hast';
import { labelId, printedLabel, type Target } from '../target.js';

/** Makes the footnote call handler for a target. */
export function footnoteCall(target: Target) {
  return (state: State, node: FootnoteReference): Element | Element[] => {
    const label = node.label ?? node.identifier;
    const id = labelId(label);
    const key = node.identifier.toUpperCase();
    const calls = (state.footnoteCounts.get(key) ?? 0) + 1;
    state.footnoteCounts.set(key, calls);
    const definition = state.footnoteById.get(key);
    if (target === 'print') {
      const mark: Element = { type: 'element', tagName: 'sup', properties: { className: ['footnote-call'] }, children: [{ type: 'text', value: printedLabel(label) }] };
      state.patch(node, mark);
      // A second call of one note, or a call without a note: the mark alone.
      if (!definition || calls > 1) return mark;
      // Block children cannot sit inside a line: each paragraph of the note becomes a span.
      const paragraphs: ElementContent[] = definition.children.map((child) => ({
        type: 'element',
        tagName: 'span',
        properties: { className: ['footnote-paragraph'] },
        children: child.type === 'paragraph' ? state.all(child) : (state.all({ type: 'root', children: [child] }) as ElementContent[]),
      }));
      const note: Element = {
        type: 'element',
        tagName: 'span',
        properties: { className: ['footnote'], id: `fn-${id}`, dataNoteLabel: printedLabel(label) },
        children: paragraphs,
      };
      state.patch(definition, note);
      return [mark, note];
    }
    const link: Element = {
      type: 'element',
      tagName: 'a',
      properties: { id: `fnref-${id}${calls > 1 ? `-${calls}` : ''}`, href: `#fn-${id}`, role: 'doc-noteref', 'epub:type': 'noteref' },
      children: [{ type: 'text', value: printedLabel(label) }],
    };
    const sup: Element = { type: 'element', tagName: 'sup', properties: {}, children: [link] };
    state.patch(node, sup);
    return sup;
  };
}
