/**
 * Golden tests of the HTML stage: each case under test/fixtures/html/<case>/ holds input.md,
 * expected.html and messages.txt; the case name ends in its target (-print or -epub).
 * UPDATE_GOLDEN=1 rewrites the goldens for a person to review.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderChapter, type Target } from '../src/html/index.js';
import { formatMessage } from '../src/messages.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'html');
const update = process.env.UPDATE_GOLDEN === '1';

async function readOr(file: string, fallback: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return fallback;
  }
}

for (const name of (await readdir(root)).sort()) {
  const target = name.endsWith('-print') ? 'print' : name.endsWith('-epub') ? 'epub' : undefined;
  if (!target) continue;
  test(`html golden: ${name}`, async () => {
    const dir = path.join(root, name);
    const markdown = await readFile(path.join(dir, 'input.md'), 'utf8');
    const result = renderChapter({ path: 'input.md', markdown }, { target: target as Target });
    const html = `${result.html}\n`;
    const messages = result.messages.map(formatMessage).join('\n') + (result.messages.length > 0 ? '\n' : '');
    if (update) {
      await writeFile(path.join(dir, 'expected.html'), html);
      await writeFile(path.join(dir, 'messages.txt'), messages);
      return;
    }
    assert.equal(html, await readOr(path.join(dir, 'expected.html'), '(missing expected.html)'));
    assert.equal(messages, await readOr(path.join(dir, 'messages.txt'), '(missing messages.txt)'));
  });
}

/**
 * A small well-formedness check: tags balance, attributes are quoted, empty elements close
 * themselves, and only XML's own or numeric character references appear.
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!#x[0-9A-Fa-f]+;|#\d+;|amp;|lt;|gt;|quot;|apos;)/g)) {
    const [whole, closing, name, , selfClosing] = match;
    if (name === undefined) {
      problems.push(`stray \`${whole}\` at ${match.index}`);
    } else if (closing) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}> at ${match.index}`);
    } else if (!selfClosing) {
      stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}

test('html: every fragment is well-formed XML', async () => {
  // The EPUB stage wraps fragments in XHTML: an unclosed or unquoted tag would break it.
  for (const name of (await readdir(root)).sort()) {
    const markdown = await readOr(path.join(root, name, 'input.md'), '');
    for (const target of ['print', 'epub'] as const) {
      const { html } = renderChapter({ path: 'input.md', markdown }, { target });
      assert.deepEqual(xmlProblems(`<body>${html}</body>`), [], `${name} (${target})`);
    }
  }
  assert.notDeepEqual(xmlProblems('<p><br></p>'), [], 'the check itself finds an unclosed <br>');
});

test('html: print splits at every page marker, epub keeps them inline', () => {
  const markdown = '---\nslug: x\n---\n\n:page[1]\n\n# T\n\nOne :page[2]two *three :page[3]four* five.\n';
  const print = renderChapter({ path: 'x.md', markdown }, { target: 'print' });
  assert.deepEqual(
    [...print.html.matchAll(/data-folio-start="(\d+)"/g)].map((m) => m[1]),
    ['1', '2', '3'],
  );
  const epub = renderChapter({ path: 'x.md', markdown }, { target: 'epub' });
  assert.equal((epub.html.match(/<p>/g) ?? []).length, 1);
  assert.equal((epub.html.match(/epub:type="pagebreak"/g) ?? []).length, 3);
});
