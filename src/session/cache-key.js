// @ts-check
/**
 * The one key of every cache Folio keeps (the PDF's chunks, the EPUB's validations, Ace's axe
 * results, the check's stretches and page images): the SHA-256 of the parts, each prefixed by
 * its length, so that no two lists of parts share a key ("ab", "c" is not "a", "bc").
 *
 * Plain JavaScript, checked by tsc through JSDoc: Ace's worker (src/epub/ace-worker.mjs) runs
 * in a Node of its own without a TypeScript loader, and imports this very file.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/**
 * The key of a cache entry made from `parts`, as 64 hexadecimal digits.
 * @param {ReadonlyArray<string | Uint8Array>} parts
 * @returns {string}
 */
export function cacheKey(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
