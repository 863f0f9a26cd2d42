/**
 * Local images of the manuscript: each `<img>` with a relative source is given a place in the
 * EPUB's images/ folder and its `src` rewritten to it; a missing file or a type reading systems
 * need not support is reported. Remote images never get here: the HTML stage removed them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';
import { message, type Message } from '../messages.js';

/** One image file to put in the EPUB. */
export interface EpubImage {
  /** Absolute path of the file in the manuscript. */
  source: string;
  /** Path inside the package folder, such as `images/figures/map.png`. */
  href: string;
  mediaType: string;
}

/** EPUB 3.2 core media types for images. */
const mediaTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
};

/**
 * Moves the local images of one rendered chapter into `images` (shared by the whole book, so
 * one file is packed once) and rewrites their `src`. Images that cannot be packed are removed.
 */
export function collectImages(tree: Root, chapterPath: string, manuscriptDir: string, images: Map<string, EpubImage>, messages: Message[]): void {
  const removals: { parent: Root | Element; node: Element }[] = [];
  visit(tree, 'element', (node: Element, _index, parent) => {
    if (node.tagName !== 'img' || !parent) return;
    const src = typeof node.properties.src === 'string' ? node.properties.src : '';
    if (/^data:/i.test(src)) return;
    const place = node.position ? { file: chapterPath, line: node.position.start.line, column: node.position.start.column } : { file: chapterPath };
    const source = path.resolve(path.dirname(chapterPath), decodeURI(src.split(/[?#]/)[0] ?? ''));
    const mediaType = mediaTypes[path.extname(source).toLowerCase()];
    if (src === '' || !existsSync(source)) {
      messages.push(message('manuscript-007', `Unexpected missing image \`${src}\`, expected a file beside the chapter`, place));
      removals.push({ parent: parent as Root | Element, node });
      return;
    }
    if (mediaType === undefined) {
      messages.push(message('epub-006', `Unexpected image type \`${path.extname(source)}\` for \`${src}\`, expected PNG, JPEG, GIF or SVG`, place));
      removals.push({ parent: parent as Root | Element, node });
      return;
    }
    let image = images.get(source);
    if (!image) {
      const relative = path.relative(manuscriptDir, source).split(path.sep).join('/');
      const safe = relative.replace(/^(\.\.\/)+/, '').replace(/[^A-Za-z0-9._/-]/g, '-');
      let href = `images/${safe}`;
      const hrefs = new Set([...images.values()].map((i) => i.href));
      for (let n = 2; hrefs.has(href); n += 1) href = `images/${n}-${safe}`;
      image = { source, href, mediaType };
      images.set(source, image);
    }
    node.properties.src = image.href;
  });
  for (const { parent, node } of removals) parent.children = parent.children.filter((child) => child !== node) as typeof parent.children;
}
