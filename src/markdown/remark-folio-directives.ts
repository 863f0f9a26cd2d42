/**
 * remark plugin: turns the manuscript's directives into Folio nodes. `:page[N]` becomes a
 * page marker, `:::byline` and `:::subtitle` become opening blocks. Any other directive is
 * reported and replaced by its text, so nothing a person wrote is lost.
 */
import type { BlockContent, Paragraph, PhrasingContent, Root, RootContent } from 'mdast';
import type { ContainerDirective, LeafDirective, TextDirective } from 'mdast-util-directive';
import { toString } from 'mdast-util-to-string';
import type { Plugin } from 'unified';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { PageMarker } from './nodes.js';

/** Options of `remarkFolioDirectives`. */
export interface Options {
  /** Names of the container directives kept as opening blocks (default: byline, subtitle). */
  openingBlocks?: ReadonlyArray<'byline' | 'subtitle'>;
}

type Directive = ContainerDirective | LeafDirective | TextDirective;

const remarkFolioDirectives: Plugin<[Options?], Root> = (options) => {
  const openingBlocks = options?.openingBlocks ?? ['byline', 'subtitle'];
  if (!Array.isArray(openingBlocks) || openingBlocks.some((name) => name !== 'byline' && name !== 'subtitle')) {
    throw new TypeError('remarkFolioDirectives: `openingBlocks` must list byline and/or subtitle');
  }
  return (tree: Root, file: VFile) => {
    visit(tree, (node, index, parent) => {
      if (parent === undefined || index === undefined) return undefined;
      if (node.type !== 'textDirective' && node.type !== 'leafDirective' && node.type !== 'containerDirective') {
        return undefined;
      }
      const directive = node as Directive;
      const replacement = replace(directive, openingBlocks, file);
      (parent.children as RootContent[]).splice(index, 1, ...(replacement as RootContent[]));
      // Visit the replacement's children: a byline holds footnote calls, an unknown
      // directive may hold known ones.
      return [SKIP, index];
    });
    hoistLonePageMarkers(tree);
  };
};

export default remarkFolioDirectives;

function replace(node: Directive, openingBlocks: ReadonlyArray<string>, file: VFile): Array<BlockContent | PhrasingContent> {
  if (node.name === 'page' && node.type !== 'containerDirective') {
    const label = toString(node).trim();
    if (/^[1-9]\d*$/.test(label)) {
      const marker: PageMarker = { type: 'pageMarker', page: Number(label) };
      if (node.position) marker.position = node.position;
      return node.type === 'leafDirective' ? [{ type: 'paragraph', children: [marker] } satisfies Paragraph] : [marker];
    }
    file.message(`Unexpected page marker label \`${label}\`, expected a printed page number such as \`:page[12]\``, {
      place: node.position,
      ruleId: 'markdown-002',
      source: 'folio',
    });
    return [];
  }
  if (node.type === 'containerDirective' && (node.name === 'byline' || node.name === 'subtitle') && openingBlocks.includes(node.name)) {
    const block = { type: node.name, children: node.children as BlockContent[] } as BlockContent;
    if (node.position) block.position = node.position;
    return [block];
  }
  file.message(`Unexpected directive \`${node.name}\`, expected \`page\`, \`byline\` or \`subtitle\`; its text is kept`, {
    place: node.position,
    ruleId: 'markdown-001',
    source: 'folio',
  });
  if (node.type === 'textDirective') {
    return node.children.length > 0 ? node.children : [{ type: 'text', value: `:${node.name}` }];
  }
  if (node.type === 'leafDirective') return node.children.length > 0 ? [{ type: 'paragraph', children: node.children }] : [];
  // A container's first paragraph may be its label (`:::name[label]`): keep it too.
  return node.children as BlockContent[];
}

/**
 * A paragraph that holds only page markers (the one before a chapter title) is not a paragraph
 * of the text: its markers stand on their own between blocks.
 */
function hoistLonePageMarkers(tree: Root): void {
  visit(tree, 'paragraph', (node, index, parent) => {
    if (parent === undefined || index === undefined) return undefined;
    const lone = node.children.every((child) => child.type === 'pageMarker' || (child.type === 'text' && child.value.trim() === ''));
    if (!lone || !node.children.some((child) => child.type === 'pageMarker')) return undefined;
    const markers = node.children.filter((child): child is PageMarker => child.type === 'pageMarker');
    (parent.children as RootContent[]).splice(index, 1, ...markers);
    return [SKIP, index + markers.length];
  });
}
