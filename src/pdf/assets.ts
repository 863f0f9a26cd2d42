/**
 * The files the print HTML links to, put beside it under the build folder: the print
 * stylesheet and the bundled fonts (@fontsource woff2 files with their stylesheets). Also finds
 * the Paged.js polyfill, which the package's exports map hides.
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { copyFileAtomic, makeOutputFolder } from '../session/index.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder: templates/ and styles/ live there. */
export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Our runtime in the print page (plain JavaScript, `// @ts-check`): paginates and reports page facts. */
export const runtimePath = path.join(projectDir, 'src', 'pdf', 'browser', 'print-runtime.js');

/**
 * The scripts put into a print page, by file URL: read by the browser itself rather than sent
 * over DevTools as a megabyte of text per layout.
 */
export const printScripts = (): string[] => [runtimePath, pagedPolyfillPath()];

/** The font stylesheets the print HTML uses, by @fontsource package and file. */
export const fontFaces = [
  { pkg: '@fontsource/noto-serif', css: ['400.css', '400-italic.css', '700.css', '700-italic.css'] },
  { pkg: '@fontsource/noto-serif-sc', css: ['400.css', '700.css'] },
] as const;

/**
 * The last font of every stack: DejaVu Serif (TrueType, so it embeds as a real font) for the
 * symbols neither Noto face has, such as the Roman numeral Ⅱ (U+2161), which @fontsource's
 * Noto Serif and Noto Serif SC slices both leave out. It only ever draws what they cannot.
 */
export const fallbackFaces = [
  { file: 'DejaVuSerif.ttf', weight: 400, style: 'normal' },
  { file: 'DejaVuSerif-Bold.ttf', weight: 700, style: 'normal' },
  { file: 'DejaVuSerif-Italic.ttf', weight: 400, style: 'italic' },
  { file: 'DejaVuSerif-BoldItalic.ttf', weight: 700, style: 'italic' },
] as const;

/** The font families the print HTML declares: the only ones a page may use. */
export const bundledFamilies = ['Noto Serif', 'Noto Serif SC', 'DejaVu Serif'] as const;

/** The pagedjs package folder, found through its CommonJS entry (its exports hide dist/). */
export function pagedPolyfillPath(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('pagedjs');
  let dir = path.dirname(entry);
  while (path.basename(dir) !== 'pagedjs' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'paged.polyfill.js');
}

/** What `copyPrintAssets` put in the build folder, as hrefs relative to it. */
export interface CopiedAssets {
  fontStylesheets: string[];
  printStylesheet: string;
}

/**
 * Copies the print stylesheet and the fonts under `buildDir`. Each font stylesheet keeps only
 * its woff2 sources, and only the files it names are copied (a file already there with the
 * same size is left alone).
 */
export async function copyPrintAssets(buildDir: string): Promise<CopiedAssets> {
  const require = createRequire(import.meta.url);
  await ensureWritable(buildDir);
  const fontStylesheets: string[] = [];
  for (const face of fontFaces) {
    const pkgDir = path.dirname(require.resolve(`${face.pkg}/package.json`));
    const name = path.basename(face.pkg);
    const outDir = path.join(buildDir, 'fonts', name);
    await mkdir(path.join(outDir, 'files'), { recursive: true });
    for (const css of face.css) {
      const text = await readFile(path.join(pkgDir, css), 'utf8');
      // Chromium reads woff2: drop the woff fallbacks, so only what is used is copied.
      const woff2Only = text.replace(/,\s*url\([^)]*\.woff\)\s*format\('woff'\)/g, '');
      const files = [...woff2Only.matchAll(/url\(\.\/files\/([^)]+\.woff2)\)/g)].map((m) => m[1] as string);
      for (const file of files) await copyIfChanged(path.join(pkgDir, 'files', file), path.join(outDir, 'files', file));
      await writeFile(path.join(outDir, css), woff2Only);
      fontStylesheets.push(`fonts/${name}/${css}`);
    }
  }
  const dejavuDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  await mkdir(path.join(buildDir, 'fonts', 'dejavu-serif'), { recursive: true });
  const faces: string[] = [];
  for (const face of fallbackFaces) {
    await copyIfChanged(path.join(dejavuDir, face.file), path.join(buildDir, 'fonts', 'dejavu-serif', face.file));
    faces.push(
      `@font-face {\n  font-family: 'DejaVu Serif';\n  font-style: ${face.style};\n  font-weight: ${face.weight};\n  src: url(./${face.file}) format('truetype');\n  /* Symbols only: letters and CJK come from Noto. */\n  unicode-range: U+2000-2BFF;\n}\n`,
    );
  }
  await writeFile(path.join(buildDir, 'fonts', 'dejavu-serif', 'fallback.css'), faces.join('\n'));
  fontStylesheets.push('fonts/dejavu-serif/fallback.css');
  await copyFile(path.join(projectDir, 'styles', 'print.css'), path.join(buildDir, 'print.css'));
  return { fontStylesheets, printStylesheet: 'print.css' };
}

/**
 * Makes the output folder, or says plainly why it cannot be written: a read-only file system
 * otherwise surfaces as a puzzling ENOENT from a recursive mkdir.
 */
async function ensureWritable(dir: string): Promise<void> {
  await makeOutputFolder(dir);
}

async function copyIfChanged(from: string, to: string): Promise<void> {
  const [a, b] = await Promise.all([stat(from), stat(to).catch(() => undefined)]);
  if (b && b.size === a.size) return;
  await copyFileAtomic(from, to);
}
