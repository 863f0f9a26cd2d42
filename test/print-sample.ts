/**
 * Small pages printed by the real Chromium for the PDF tests, in the bundled Noto Serif (as a
 * data URL, named 'Test Serif'), never in a face of this machine: they lay out the same on
 * every machine.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../src/pdf/browser.js';

/** The `@font-face` rule of the bundled Noto Serif, family 'Test Serif'. */
export async function testSerifFace(): Promise<string> {
  const file = fileURLToPath(new URL('../node_modules/@fontsource/noto-serif/files/noto-serif-latin-400-normal.woff2', import.meta.url));
  return `@font-face { font-family: 'Test Serif'; src: url(data:font/woff2;base64,${(await readFile(file)).toString('base64')}) format('woff2') }`;
}

/**
 * Prints `body` on a 120 × 60 mm page in 11 pt Test Serif: tagged, at its CSS page size, as the
 * PDF stage prints. `prepare` runs in the page before it is printed.
 */
export async function printSample(body: string, prepare?: () => void): Promise<Uint8Array> {
  const html = `<!doctype html><html lang="en"><head><style>${await testSerifFace()} @page { size: 120mm 60mm; margin: 10mm } body { font: 11pt 'Test Serif' }</style></head><body>${body}</body></html>`;
  const chromium = await launchChromium({ timeoutMs: 120_000 });
  try {
    const tab = await chromium.browser.newPage();
    await tab.setContent(html);
    if (prepare) await tab.evaluate(prepare);
    await tab.evaluateHandle('document.fonts.ready');
    const pdf = await tab.pdf({ tagged: true, preferCSSPageSize: true });
    await tab.close();
    return pdf;
  } finally {
    await chromium.close();
  }
}
