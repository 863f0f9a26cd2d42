/**
 * Re-zips an EPUB deterministically: `mimetype` first and stored, every other file deflated,
 * in a fixed order, all stamped with one given instant. The same files give the same bytes.
 */
import JSZip from 'jszip';

/** The files of an EPUB, by path inside the container. */
export type EpubFiles = Map<string, Buffer>;

/** Reads every file (not folder) of a zip. */
export async function readZip(data: Buffer): Promise<EpubFiles> {
  const zip = await JSZip.loadAsync(data);
  const files: EpubFiles = new Map();
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    files.set(entry.name, await entry.async('nodebuffer'));
  }
  return files;
}

/** Container files first, as readers look for them, then the rest by code point. */
function fileOrder(a: string, b: string): number {
  const rank = (name: string) => (name === 'mimetype' ? 0 : name.startsWith('META-INF/') ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Writes the files as an EPUB zip with fixed order and timestamps. */
export async function writeEpubZip(files: EpubFiles, timestamp: Date): Promise<Buffer> {
  const zip = new JSZip();
  const mimetype = files.get('mimetype') ?? Buffer.from('application/epub+zip');
  zip.file('mimetype', mimetype, { compression: 'STORE', date: timestamp, createFolders: false, binary: true });
  for (const name of [...files.keys()].sort(fileOrder)) {
    if (name === 'mimetype') continue;
    const data = files.get(name) ?? Buffer.alloc(0);
    zip.file(name, data, { compression: 'DEFLATE', compressionOptions: { level: 9 }, date: timestamp, createFolders: false, binary: true });
  }
  return zip.generateAsync({ type: 'nodebuffer', platform: 'DOS', mimeType: 'application/epub+zip' });
}
