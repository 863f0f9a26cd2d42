/**
 * Writes a generated issue for trying the import on text it has never seen:
 *
 *   tsx scripts/generate-issue.ts --out DIR [--seed N] [--manuscript DIR]
 *
 * DIR gets `source.txt` (the issue in the extraction's conventions) and `truth.json` (where every
 * page starts and every chapter opens, from the generator). The options are drawn from the seed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readArticles } from '../test/generator/content.js';
import { drawOptions, pickArticles } from '../test/generator/draw.js';
import { generateIssue } from '../test/generator/issue.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string', default: '1' }, manuscript: { type: 'string', default: 'manuscript' } } });
if (!values.out) {
  process.stderr.write('usage: tsx scripts/generate-issue.ts --out DIR [--seed N] [--manuscript DIR]\n');
  process.exit(2);
}
const seed = Number(values.seed);
const articles = pickArticles(await readArticles(values.manuscript), seed);
const generated = generateIssue(articles, drawOptions(seed, articles.length));
await mkdir(values.out, { recursive: true });
await writeFile(path.join(values.out, 'source.txt'), generated.text);
const { text: _text, ...truth } = generated;
void _text;
await writeFile(path.join(values.out, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
process.stdout.write(`${values.out}: ${generated.pages} pages, ${generated.chapters.length} chapters\n`);
