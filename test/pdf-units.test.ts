/**
 * The PDF stage's pieces that need no browser: hyphenation of English only, the copyfit
 * ladder's order and limits, and how spilled pages are found from page facts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Root } from 'hast';
import { unified } from 'unified';
import { copyfitLevels, describeLevel, maxCopyfitLevel, overflowingFolios, planFlows, type PageFacts } from '../src/pdf/index.js';
import rehypeHyphenate from '../src/pdf/rehype-hyphenate.js';

function tree(children: Root['children']): Root {
  return { type: 'root', children };
}

test('hyphenate: English words of seven letters or more get soft hyphens; headings, Chinese and short words do not', () => {
  const root = tree([
    { type: 'element', tagName: 'h2', properties: {}, children: [{ type: 'text', value: 'International' }] },
    { type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: 'International cooperation is good.' }] },
    { type: 'element', tagName: 'p', properties: { lang: 'zh-Hans' }, children: [{ type: 'text', value: '国际合作 cooperation' }] },
  ]);
  unified().use(rehypeHyphenate, { lang: 'en' }).runSync(root);
  const texts = root.children.map((node) => (node.type === 'element' && node.children[0]?.type === 'text' ? node.children[0].value : ''));
  assert.deepEqual(texts, ['International', 'Inter\u00ADna\u00ADtional coop\u00ADer\u00ADa\u00ADtion is good.', '国际合作 cooperation']);
  assert.throws(() => unified().use(rehypeHyphenate, { lang: 'en', leftMin: 0 }).runSync(tree([])), /leftMin/);
});

test('copyfit: spacing before size, every rung at least as tight as the one before, limits stated', () => {
  assert.equal(maxCopyfitLevel, copyfitLevels.length);
  for (const [index, rung] of copyfitLevels.entries()) {
    const before = copyfitLevels[index - 1];
    assert.equal(rung.level, index + 1);
    if (before) {
      assert.ok(rung.wordSpacing <= before.wordSpacing && rung.letterSpacing <= before.letterSpacing);
      assert.ok(rung.leading <= before.leading && rung.scale <= before.scale);
    }
    // Type only shrinks once spacing is at its tightest.
    if (rung.scale < 1 || rung.leading < 1) assert.equal(rung.wordSpacing, Math.min(...copyfitLevels.map((r) => r.wordSpacing)));
  }
  assert.match(describeLevel(maxCopyfitLevel), /word spacing -0\.08em, letter spacing -0\.015em, leading at 80%, type at 91%/);
});

function page(index: number, starts: number[], folios: number[], fill = 0.5, clipped: number[] = []): PageFacts {
  return { index, starts, folios, clipped, headings: [], opening: false, height: 1000, fill };
}

test('overflow: a printed page on two PDF pages, or clipped, is found with how far it ran over', () => {
  assert.deepEqual([...overflowingFolios([page(1, [1], [1]), page(2, [2], [2])])], []);
  assert.deepEqual(
    [...overflowingFolios([page(1, [1], [1], 1), page(2, [], [1], 0.3), page(3, [2], [2]), page(4, [3], [3], 1, [3])])],
    [
      [1, 0.3],
      [3, 0.05],
    ],
  );
});

test('flows: as many as there are jobs, of about equal pages, never across a cached chunk, never past the limit', () => {
  const item = (first: number, last: number) => ({ chunk: { from: 0, to: 0, firstFolio: first, lastFolio: last } });
  const pages = (flows: Array<Array<ReturnType<typeof item>>>) => flows.map((flow) => flow.map((i) => `${i.chunk.firstFolio}-${i.chunk.lastFolio}`).join(' '));
  const issue = [item(1, 48), item(49, 91), item(92, 133), item(134, 167)];
  // Two jobs: 91 and 76 pages, not 133 and 34.
  assert.deepEqual(pages(planFlows([issue], 2, 160)), ['1-48 49-91', '92-133 134-167']);
  assert.deepEqual(pages(planFlows([issue], 1, 160)), ['1-48 49-91 92-133', '134-167']);
  assert.deepEqual(pages(planFlows([issue], 1, 200)), ['1-48 49-91 92-133 134-167']);
  assert.deepEqual(pages(planFlows([issue], 4, 160)), ['1-48', '49-91', '92-133', '134-167']);
  // A cached chunk (49-91) between two runs: each run is its own flow.
  assert.deepEqual(pages(planFlows([[item(1, 48)], [item(92, 133), item(134, 167)]], 1, 160)), ['1-48', '92-133 134-167']);
  assert.deepEqual(planFlows([], 2, 160), []);
});
