/**
 * The PDF stage's pieces that need no browser: hyphenation of English only, the copyfit
 * ladder's order and limits, and how spilled pages are found from page facts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Root } from 'hast';
import { unified } from 'unified';
import { copyfitLevels, describeLevel, maxCopyfitLevel, overflowingFolios, planFlows, type PageFacts } from '../src/pdf/index.js';
import { levelCapacity, nextLevel } from '../src/pdf/copyfit.js';
import { copyfitStep, pageSpills } from '../src/pdf/layout.js';
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

test('copyfit in one step: the lightest level whose capacity holds the measured spill, a rung where it was only seen', () => {
  for (const script of ['latin', 'cjk'] as const) {
    assert.equal(levelCapacity(0, script), 1);
    // Never less room a rung up (word spacing wins nothing in Chinese: its first rung holds what the design does).
    for (let level = 1; level <= maxCopyfitLevel; level += 1) assert.ok(levelCapacity(level, script) >= levelCapacity(level - 1, script), `${script} ${level}`);
    assert.ok(levelCapacity(maxCopyfitLevel, script) > 1.3);
    // The leading gives lines exactly; the type and spacing give a little more on top.
    for (const rung of copyfitLevels) assert.ok(levelCapacity(rung.level, script) >= 1 / rung.leading);
  }
  // Spacing wins less in Chinese (no word gaps): a line over goes to the first leading rung there.
  assert.ok(levelCapacity(3, 'cjk') < levelCapacity(3, 'latin'));
  const line = 1 / 32;
  assert.equal(nextLevel(0, { excess: line, measured: true }, 'latin'), 3);
  assert.equal(nextLevel(0, { excess: line, measured: true }, 'cjk'), 4);
  // Measured: exactly the lightest level that holds it, from wherever the page is.
  for (const current of [0, 2, 4]) {
    for (const excess of [0.01, 0.05, 0.1, 0.2, 0.3]) {
      const next = nextLevel(current, { excess, measured: true }) as number;
      const needed = levelCapacity(current) * (1 + excess);
      assert.ok(next > current);
      assert.ok(next === maxCopyfitLevel || levelCapacity(next) >= needed, `${current} ${excess}`);
      assert.ok(next === current + 1 || levelCapacity(next - 1) < needed, `${current} ${excess}`);
    }
  }
  // Far over: the limit, then no further.
  assert.equal(nextLevel(0, { excess: 0.9, measured: true }), maxCopyfitLevel);
  assert.equal(nextLevel(maxCopyfitLevel, { excess: 0.01, measured: true }), undefined);
  // Seen, not measured (clipped, or on a shared page): a rung at a time.
  assert.equal(nextLevel(2, { excess: 0.5, measured: false }), 3);

  // The spills of a layout: page 1 ran onto a page of its own (measured), 3 was clipped (seen).
  const facts = [page(1, [1], [1], 1), page(2, [], [1], 0.1), page(3, [2], [2]), page(4, [3], [3], 1, [3])];
  assert.deepEqual([...pageSpills(facts)], [
    [1, { excess: 0.1, measured: true }],
    [3, { excess: 0.05, measured: false }],
  ]);
  const fit = new Map([[3, maxCopyfitLevel]]);
  assert.deepEqual(copyfitStep(fit, pageSpills(facts), () => 'latin'), [3]);
  assert.deepEqual([...fit], [[3, maxCopyfitLevel], [1, nextLevel(0, { excess: 0.1, measured: true })]]);
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
