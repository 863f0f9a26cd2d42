/** Small rules of the import, one case a line. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fundamentalBudget } from '../src/import/candidates.js';
import { bylineAuthors, parseCjkByline } from '../src/import/bylines.js';
import { layoutHints } from '../src/import/hints.js';
import { escapeMarkdown } from '../src/import/markdown.js';
import { joinLines, titleCaseShare } from '../src/import/text.js';

test('Chinese bylines: a spaced-out name, two people, and text that is not a byline', () => {
  assert.deepEqual(parseCjkByline('王  毅  国务委员兼外交部长'), { name: '王毅', names: ['王毅'], position: '国务委员兼外交部长' });
  assert.deepEqual(parseCjkByline('张宇燕  中国社会科学院世界经济与政治研究所所长'), {
    name: '张宇燕',
    names: ['张宇燕'],
    position: '中国社会科学院世界经济与政治研究所所长',
  });
  assert.deepEqual(parseCjkByline('王毅  李华  研究员'), { name: '王毅、李华', names: ['王毅', '李华'], position: '研究员' });
  assert.equal(parseCjkByline('党的十八大以来，习近平总书记以马克思主义政治家'), undefined);
  assert.equal(parseCjkByline('征途漫漫 再进一步'), undefined);
});

test('English bylines: one author, several, and a sentence that starts with By', () => {
  const hints = (line: string) => layoutHints([{ n: 1, text: line, blank: false, indented: false }]).openingLines.size;
  assert.equal(hints('By Wang Yi*'), 1);
  assert.equal(hints('By Ana Li and Tom Roe**'), 1);
  assert.equal(hints('By providing both immediate, much-needed help and'), 0);
  assert.deepEqual(bylineAuthors('Ana Li and Tom Roe'), ['Ana Li', 'Tom Roe']);
  assert.deepEqual(bylineAuthors('A. Smith, B. Jones & C. Wu'), ['A. Smith', 'B. Jones', 'C. Wu']);
});

test('joining lines: a space in English, none after a line-end hyphen, none in CJK', () => {
  assert.equal(joinLines('the major-', 'country diplomacy'), 'the major-country diplomacy');
  assert.equal(joinLines('China and', 'Russia'), 'China and Russia');
  assert.equal(joinLines('党的十八大以来，', '习近平'), '党的十八大以来，习近平');
  assert.equal(joinLines('an em dash —', 'and more'), 'an em dash — and more');
});

test('escaping: what Markdown would read as syntax, and only that', () => {
  assert.equal(escapeMarkdown('# 1. * _ [x] <b> & :word'), '\\# 1. \\* \\_ \\[x\\] \\<b\\> \\& \\:word');
  assert.equal(escapeMarkdown('1. at a paragraph start'), '1\\. at a paragraph start');
  assert.equal(escapeMarkdown('http://example.org stays'), 'http://example.org stays');
  assert.equal(escapeMarkdown('— an em dash opens'), '— an em dash opens');
});

test('title case: titles score high, sentences low', () => {
  assert.ok(titleCaseShare('The Third Meeting of the US-China Eminent Persons Forum') >= 0.9);
  assert.ok(titleCaseShare('the sixth annual conference of the forum was held') < 0.3);
});

test('page budget: the page the common distance is a multiple of, but never from one stray distance', () => {
  // Page starts missing: the common distance (48) is two pages, and two distances show the page.
  assert.equal(fundamentalBudget([48, 96, 24, 48, 72, 24]), 24);
  // One distance of a quarter of the common one is a stray space-started line, not a page.
  assert.equal(fundamentalBudget([32, 8, 24, 32, 14]), 32);
  assert.equal(fundamentalBudget([33, 33, 32, 33]), 33);
  assert.equal(fundamentalBudget([]), undefined);
});
