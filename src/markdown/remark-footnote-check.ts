/**
 * remark plugin: reports footnote calls without a note (`manuscript-004`, an error: GFM would
 * print the call as literal text), and notes that are never called or repeat a label
 * (`manuscript-008`, warnings), pointing at the call or the note.
 */
import type { Root } from 'mdast';
import type { Plugin } from 'unified';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';

/** Options of `remarkFootnoteCheck`: none yet; the type keeps the plugin shape uniform. */
export type Options = Record<string, never>;

const remarkFootnoteCheck: Plugin<[Options?], Root> = (options) => {
  if (options !== undefined && (typeof options !== 'object' || Object.keys(options).length > 0)) {
    throw new TypeError('remarkFootnoteCheck takes no options');
  }
  return (tree: Root, file: VFile) => {
    const called = new Set<string>();
    const defined = new Set<string>();
    const firstDefinition = new Map<string, number | undefined>();
    visit(tree, (node) => {
      if (node.type === 'footnoteReference') called.add(node.identifier.toUpperCase());
      if (node.type === 'footnoteDefinition') {
        const key = node.identifier.toUpperCase();
        defined.add(key);
        // GFM keeps the first of two notes with one label and drops the other without a word.
        if (firstDefinition.has(key)) {
          const line = firstDefinition.get(key);
          file.message(`Unexpected second footnote \`[^${node.label ?? node.identifier}]\`${line !== undefined ? ` (the first is on line ${line})` : ''}, expected one note per label`, {
            place: node.position,
            ruleId: 'manuscript-008',
            source: 'folio',
          });
        } else firstDefinition.set(key, node.position?.start.line);
      }
    });
    visit(tree, (node) => {
      if (node.type === 'footnoteReference' && !defined.has(node.identifier.toUpperCase())) {
        file.message(`Unexpected footnote call \`[^${node.label ?? node.identifier}]\` without a note, expected a definition \`[^${node.label ?? node.identifier}]: …\``, {
          place: node.position,
          ruleId: 'manuscript-004',
          source: 'folio',
        });
      }
      // GFM leaves a call without a definition as plain text: find it there.
      if (node.type === 'text') {
        for (const match of node.value.matchAll(/\[\^([^\]\s]+)\]/g)) {
          const start = node.position?.start;
          const place = start ? { line: start.line, column: start.column + (match.index ?? 0) } : undefined;
          file.message(`Unexpected footnote call \`${match[0]}\` without a note, expected a definition \`${match[0]}: …\``, {
            place,
            ruleId: 'manuscript-004',
            source: 'folio',
          });
        }
      }
      if (node.type === 'footnoteDefinition' && !called.has(node.identifier.toUpperCase())) {
        file.message(`Unexpected footnote \`[^${node.label ?? node.identifier}]\` that is never called, expected a call in the text`, {
          place: node.position,
          ruleId: 'manuscript-008',
          source: 'folio',
        });
      }
    });
  };
};

export default remarkFootnoteCheck;
