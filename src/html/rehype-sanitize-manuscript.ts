/**
 * rehype plugin: sanitises the chapter once, block by block, with Folio's schema. A block that
 * the schema changes held unsafe raw HTML (script, event handler, `javascript:` link, iframe,
 * base, remote image…): it is replaced by its safe form and reported as `manuscript-006` at its
 * line.
 */
import type { Element, Root, RootContent } from 'hast';
import { sanitize, type Schema } from 'hast-util-sanitize';
import { toHtml } from 'hast-util-to-html';
import type { Plugin } from 'unified';
import type { VFile } from 'vfile';

/** Options of `rehypeSanitizeManuscript`. */
export interface Options {
  /** The hast-util-sanitize schema. */
  schema: Schema;
}

const rehypeSanitizeManuscript: Plugin<[Options], Root> = (options) => {
  if (typeof options?.schema !== 'object' || options.schema === null) {
    throw new TypeError('rehypeSanitizeManuscript: expected `schema`, a hast-util-sanitize schema');
  }
  const { schema } = options;
  return (tree: Root, file: VFile) => {
    const children: RootContent[] = [];
    for (const child of tree.children) {
      const before = toHtml(child);
      const clean = sanitize(child, schema);
      const kept = withoutSourcelessImages(clean.type === 'root' ? clean.children : [clean as RootContent]);
      children.push(...kept);
      if (kept.map((node) => toHtml(node)).join('') !== before) {
        const first = child.position?.start;
        file.message(`Unexpected unsafe HTML in \`${shorten(before)}\`, expected plain Markdown; the unsafe part was removed`, {
          place: first,
          ruleId: 'manuscript-006',
          source: 'folio',
        });
      }
    }
    tree.children = children;
  };
};

export default rehypeSanitizeManuscript;

/**
 * An image whose only source was remote (or a script URL) has no `src` left once sanitised: it
 * goes too, as an `<img>` without `src` is invalid XHTML (EPUBCheck RSC-005) and a broken
 * picture in print. The removal is reported with the rest of the block's unsafe HTML.
 */
function withoutSourcelessImages<T extends RootContent>(nodes: T[]): T[] {
  const kept = nodes.filter((node) => !(node.type === 'element' && node.tagName === 'img' && (node.properties.src === undefined || node.properties.src === '')));
  for (const node of kept) if (node.type === 'element') (node as Element).children = withoutSourcelessImages((node as Element).children);
  return kept;
}

function shorten(html: string): string {
  const line = html.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
