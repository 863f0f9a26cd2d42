/**
 * The check's small parts, on their own: words broken at a line end rejoined only when the
 * original has the whole word, pdftotext's bbox output read, running heads told by phrase.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePage } from '../src/check/pages.js';
import { furnitureNumbers, joinLines } from '../src/check/pdf-reading.js';
import { parseBboxLayout } from '../src/check/pdf-text.js';
import { words, wordDifference } from '../src/check/words.js';

test('a word hyphenated by the typesetter is rejoined when the original page has it whole', () => {
  const vocabulary = new Set(words('the diplomacy of China and LAC countries'));
  assert.deepEqual(joinLines(['the diplo-', 'macy of China-', 'LAC countries'], vocabulary), ['the', 'diplomacy', 'of', 'China', 'LAC', 'countries']);
});

test('a soft hyphen inside a word is no break; at a line end it is a typeset hyphen', () => {
  const vocabulary = new Set(words('cooperation and development'));
  assert.deepEqual(joinLines(['coopera\u00ADtion and develop\u00AD', 'ment'], vocabulary), ['cooperation', 'and', 'development']);
  // Chromium's text layer: soft hyphens left in every hyphenation point, and a printed hyphen after the one used.
  const leadership = new Set(words('the leadership of the Party'));
  assert.deepEqual(joinLines(['the lead\u00AD-', 'er\u00ADship of the Par\u00ADty'], leadership), ['the', 'leadership', 'of', 'the', 'Party']);
});

test('a hyphen at a line end stays a separator when the joined word is not in the original', () => {
  assert.deepEqual(joinLines(['a well-', 'known expert'], new Set(words('a well-known expert'))), ['a', 'well', 'known', 'expert']);
});

test('CJK text is a word per character, and hyphens separate Latin words', () => {
  assert.deepEqual(words('中拉关系 China-LAC 2021'), ['中', '拉', '关', '系', 'China', 'LAC', '2021']);
  assert.deepEqual(wordDifference(words('a b b c'), words('a b c d')), { lost: ['b'], added: ['d'] });
});

test('extra words an output may print are forgiven, once each', () => {
  assert.deepEqual(comparePage(['a', 'b'], ['1', 'a', 'b', '1', '1'], ['1', '1']), { lost: [], added: ['1'] });
});

test('pdftotext -bbox-layout: pages, lines and words with their boxes, entities decoded', () => {
  const pages = parseBboxLayout(`<doc>
  <page width="400.0" height="600.0">
    <flow><block xMin="1" yMin="2" xMax="3" yMax="4">
      <line xMin="40.0" yMin="23.8" xMax="98.7" yMax="31.9">
        <word xMin="40.0" yMin="23.8" xMax="44.5" yMax="31.9">2</word>
        <word xMin="51.2" yMin="23.8" xMax="70.2" yMax="31.9">Visits &amp; Events</word>
      </line>
    </block></flow>
  </page>
  <page width="400.0" height="600.0">
  </page>
</doc>`);
  assert.equal(pages.length, 2);
  assert.equal(pages[0]?.lines[0]?.words.map((w) => w.text).join('|'), '2|Visits & Events');
  assert.equal(pages[0]?.lines[0]?.yMin, 23.8);
  assert.deepEqual(pages[1]?.lines, []);
});

test('a running head is whole phrases of the issue metadata and a folio; running text is not', () => {
  const phrases = [words('Foreign Affairs Journal'), words('Winter 2021'), words('Visits & Events')].map((p) => p.map((w) => w.toLowerCase()));
  assert.deepEqual(furnitureNumbers(words('2 Foreign Affairs Journal · Winter 2021'), phrases), ['2']);
  assert.deepEqual(furnitureNumbers(words('VISITS & EVENTS 93'), phrases), ['93']);
  assert.deepEqual(furnitureNumbers(words('167'), phrases), ['167']);
  assert.equal(furnitureNumbers(words('In Winter 2021 the Journal'), phrases), undefined);
  assert.equal(furnitureNumbers(words('1 2 3'), phrases), undefined);
});
