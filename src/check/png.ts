/**
 * PNG images made from the PPM pdftoppm writes. pdftoppm's own PNG writer compresses at its
 * highest level: encoding took seven times as long as drawing the page. Here each row is
 * stored unfiltered and deflated at zlib's default level, on zlib's threads, which makes
 * smaller files of these pages of text in a tenth of the time.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** A PPM image as pdftoppm writes it: binary (`P6`), 8 bits per channel. */
export interface Ppm {
  width: number;
  height: number;
  /** RGB triplets, row by row, top to bottom. */
  pixels: Buffer;
}

/** Reads a binary PPM: `P6`, width, height and maximum value separated by white space, then the pixels. */
export function readPpm(data: Buffer): Ppm {
  const fields: string[] = [];
  let at = 0;
  const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
  while (fields.length < 4 && at < data.length) {
    while (isSpace(data[at])) at += 1;
    if (data[at] === 0x23) {
      // A comment runs to the end of its line.
      while (at < data.length && data[at] !== 0x0a) at += 1;
      continue;
    }
    const start = at;
    while (at < data.length && !isSpace(data[at])) at += 1;
    fields.push(data.toString('latin1', start, at));
  }
  at += 1;
  const [magic, width, height, max] = [fields[0], Number(fields[1]), Number(fields[2]), Number(fields[3])];
  if (magic !== 'P6' || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || max !== 255) {
    throw new Error(`Unexpected image header \`${fields.join(' ')}\`, expected a binary 8-bit PPM (P6 … 255)`);
  }
  const size = width * height * 3;
  if (data.length - at < size) throw new Error(`Unexpected PPM of ${data.length - at} bytes of pixels, expected ${size} (${width}×${height})`);
  return { width, height, pixels: data.subarray(at, at + size) };
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The CRC-32 of PNG chunks (ISO 3309, as zlib computes it). */
function crc32(...parts: Buffer[]): number {
  let c = 0xffffffff;
  for (const part of parts) for (let i = 0; i < part.length; i += 1) c = (crcTable[(c ^ (part[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, tail]);
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encodes an RGB image as PNG: 8-bit truecolour, rows unfiltered, deflated at zlib's default level. */
export async function encodePng(image: Ppm): Promise<Buffer> {
  const stride = image.width * 3;
  const rows = Buffer.alloc((stride + 1) * image.height);
  for (let y = 0; y < image.height; y += 1) image.pixels.copy(rows, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.width, 0);
  header.writeUInt32BE(image.height, 4);
  // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering (each row says none), no interlace.
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', await deflateAsync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
