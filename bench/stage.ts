/**
 * One benchmark run of one stage, in a process of its own so that its peak memory (with the
 * browsers it starts) can be read from /proc: `tsx bench/stage.ts STAGE MANUSCRIPT OUTDIR`.
 * Prints one line of JSON: the stage's own seconds and what it reported.
 */
import path from 'node:path';
import { check } from '../src/check/index.js';
import { buildEpub } from '../src/epub/index.js';
import { importIssue } from '../src/import/index.js';
import { loadManuscript } from '../src/manuscript/index.js';
import { hasErrors } from '../src/messages.js';
import { copyPrintAssets, projectDir } from '../src/pdf/assets.js';
import { buildPrintHtml, renderIssue } from '../src/pdf/print-document.js';
import { issueSlug, renderPdf } from '../src/pdf/index.js';
import { resolve } from '../src/resolve/index.js';

const [stage, manuscriptArg, outArg] = process.argv.slice(2);
if (!stage || !manuscriptArg || !outArg) throw new Error('Usage: tsx bench/stage.ts STAGE MANUSCRIPT OUTDIR');
const manuscriptDir = path.resolve(manuscriptArg);
const outDir = path.resolve(outArg);
const loaded = await loadManuscript(manuscriptDir);
if (!loaded.manuscript) throw new Error(`Unexpected manuscript that does not load: ${manuscriptDir}`);
const manuscript = loaded.manuscript;
const slug = issueSlug(manuscript);
const pdf = path.join(outDir, `${slug}.pdf`);
/** The run, resolved as `folio build` resolves it. */
async function resolvedRun() {
  const run = await resolve({ manuscriptDir, outDir });
  if (!run.output) throw new Error(`Unexpected manuscript that does not resolve: ${manuscriptDir}`);
  return run.output;
}
const epub = path.join(outDir, `${slug}.epub`);

const started = performance.now();
let facts: Record<string, unknown> = {};
let errors = false;
switch (stage) {
  case 'import': {
    const source = manuscript.issue.source;
    if (!source) throw new Error('Unexpected manuscript without a source to import');
    const result = await importIssue({ source: path.resolve(manuscriptDir, source), out: path.join(outDir, 'imported'), editorial: path.join(manuscriptDir, 'editorial.yaml') });
    errors = hasErrors(result.messages);
    break;
  }
  case 'html': {
    const issue = renderIssue(manuscript);
    const assets = await copyPrintAssets(outDir);
    const html = await buildPrintHtml(manuscript, issue, { templateDir: path.join(projectDir, 'templates', 'print'), ...assets }, new Map());
    facts = { bytes: html.length };
    errors = hasErrors(issue.messages);
    break;
  }
  case 'pdf': {
    const result = await renderPdf({ resolved: await resolvedRun() });
    facts = { pages: result.pages, passes: result.passes, timings: result.timings, chunks: result.chunks };
    errors = hasErrors(result.messages);
    break;
  }
  case 'epub': {
    const result = await buildEpub({ resolved: await resolvedRun() });
    errors = hasErrors(result.messages);
    break;
  }
  case 'check': {
    const result = await check({ resolved: await resolvedRun(), outDir, pdf, epub, reader: false });
    facts = { pagesChecked: result.report?.pagesChecked, pagesFaithful: result.report?.pagesFaithful };
    errors = hasErrors(result.messages) || result.failedToRun;
    break;
  }
  default:
    throw new Error(`Unexpected stage ${stage}`);
}
console.log(JSON.stringify({ stage, seconds: (performance.now() - started) / 1000, errors, facts }));
