/**
 * remark plugin: a page marker stands where a page can begin, in running text. One that an
 * editor put elsewhere is moved by a stated rule, with a `manuscript-005` warning at its place:
 * - inside a heading: before the heading (a page that opens with a heading begins before it);
 * - inside a footnote: right after the footnote's call (the note is printed on the page of its call);
 * - inside a word broken at a hyphen (`major-:page[3]country`): before the whole word.
 * Runs after `remarkFolioDirectives`, on `pageMarker` nodes.
 */
import type { FootnoteDefinition, Heading, Parent, PhrasingContent, Root, RootContent, Text } from 'mdast';
import type { Plugin } from 'unified';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { PageMarker } from './nodes.js';

/** Options of `remarkPageMarkerPlacement`: none; the type keeps the plugin shape uniform. */
export type Options = Record<string, never>;

function warn(file: VFile, marker: PageMarker, reason: string): void {
  file.message(reason, { place: marker.position, ruleId: 'manuscript-005', source: 'folio' });
}

/** Takes every page marker out of a subtree, in order. */
function takeMarkers(node: Parent): PageMarker[] {
  const taken: PageMarker[] = [];
  node.children = node.children.filter((child) => {
    if (child.type === 'pageMarker') {
      taken.push(child);
      return false;
    }
    if ('children' in child) taken.push(...takeMarkers(child as Parent));
    return true;
  }) as typeof node.children;
  return taken;
}

const remarkPageMarkerPlacement: Plugin<[Options?], Root> = (options) => {
  if (options !== undefined && (typeof options !== 'object' || Object.keys(options).length > 0)) {
    throw new TypeError('remarkPageMarkerPlacement takes no options');
  }
  return (tree: Root, file: VFile) => {
    // Headings: the marker goes before the heading, in a paragraph of its own.
    const root = tree.children;
    for (let k = 0; k < root.length; k += 1) {
      const node = root[k] as RootContent;
      if (node.type !== 'heading') continue;
      const markers = takeMarkers(node as Heading);
      if (markers.length === 0) continue;
      for (const m of markers) warn(file, m, `Unexpected page marker \`:page[${m.page}]\` inside a heading, moved before the heading`);
      root.splice(k, 0, { type: 'paragraph', children: markers as unknown as PhrasingContent[] });
      k += 1;
    }
    // Footnotes: the marker goes right after the note's call.
    const moved = new Map<string, PageMarker[]>();
    for (const node of root) {
      if (node.type !== 'footnoteDefinition') continue;
      const markers = takeMarkers(node as FootnoteDefinition);
      for (const m of markers) warn(file, m, `Unexpected page marker \`:page[${m.page}]\` inside footnote \`[^${node.label ?? node.identifier}]\`, moved after the footnote's call`);
      if (markers.length > 0) moved.set(node.identifier, markers);
    }
    if (moved.size > 0) {
      visit(tree, 'footnoteReference', (node, index, parent) => {
        const markers = moved.get(node.identifier);
        if (!markers || !parent || index === undefined) return undefined;
        moved.delete(node.identifier);
        parent.children.splice(index + 1, 0, ...(markers as unknown as PhrasingContent[]));
        return index + 1 + markers.length;
      });
    }
    // Hyphenated words: the marker goes before the whole word.
    visit(tree, (node) => {
      if (!('children' in node)) return;
      const children = (node as Parent).children as PhrasingContent[];
      for (let k = 1; k + 1 < children.length; k += 1) {
        const marker = children[k] as PhrasingContent;
        const before = children[k - 1];
        const after = children[k + 1];
        if (marker.type !== 'pageMarker' || before?.type !== 'text' || after?.type !== 'text') continue;
        if (!/\p{L}-$/u.test(before.value) || !/^\p{L}/u.test(after.value)) continue;
        const wordStart = before.value.search(/\S+$/u);
        const head: Text = { type: 'text', value: before.value.slice(0, wordStart) };
        const tail: Text = { type: 'text', value: before.value.slice(wordStart) };
        children.splice(k - 1, 3, head, marker, tail, after);
        warn(file, marker as PageMarker, `Unexpected page marker \`:page[${(marker as PageMarker).page}]\` inside the hyphenated word \`${tail.value}${after.value.split(/\s/u)[0]}\`, moved before the word`);
        k += 1;
      }
    });
  };
};

export default remarkPageMarkerPlacement;
