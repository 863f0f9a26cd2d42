/**
 * The check's small parts, on their own: words broken at a line end rejoined only when the
 * original has the whole word, pdftotext's bbox output read, running heads told by phrase.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePage } from '../src/check/pages.js';
import { furnitureNumbers, joinLines, readPdfPage } from '../src/check/pdf-reading.js';
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

test('readPdfPage: notes set closer than the running text, below the note area\'s gap, are notes even where their rows measure nearly as tall (CJK)', () => {
  // As pdftotext measured a generated issue's Chinese page: text at 9.9/17.4 pt, rows 14.2 pt
  // tall; notes at 8/12.55 pt, rows 13.2 pt tall (0.93 of the text's, above the size test's 0.88).
  const line = (text: string, yMin: number, tall = 14.2) => ({ xMin: 88, xMax: 456, yMin, yMax: yMin + tall, words: [{ text, xMin: 88, xMax: 456, yMin, yMax: yMin + tall }] });
  const read = (lines: ReturnType<typeof line>[]) =>
    readPdfPage({ index: 1, width: 525, height: 737, lines }, lines.map((l) => ({ lines: [l], yMin: l.yMin, yMax: l.yMax })), { lineHeight: 14.2, pitch: 17.4 }, [], new Set());
  const text = ['甲乙', '丙丁', '戊己', '庚辛', '壬癸'];
  const body = text.map((t, k) => line(t, 100 + k * 17.4));
  const notes = ['1 子丑', '寅卯', '2 辰巳'].map((t, k) => line(t, 200 + k * 12.75, 13.2));
  const withNotes = read([...body, ...notes]);
  assert.equal(withNotes.body.join(''), '甲乙丙丁戊己庚辛壬癸');
  assert.ok(withNotes.words.join('').includes('辰巳'), 'the notes are still read as words of the page');
  // The same rows without the note area's gap above them are running text set close (a list).
  const noGap = read([...body, ...notes.map((l, k) => line(l.words[0]?.text ?? '', 100 + 5 * 17.4 + k * 12.75, 13.2))]);
  assert.equal(noGap.body.join(''), '甲乙丙丁戊己庚辛壬癸1子丑寅卯2辰巳');
  // A page copyfitted to a tighter leading, its text at one pitch throughout, has no notes.
  const tight = read(text.map((t, k) => line(t, 100 + k * 13.9)));
  assert.equal(tight.body.join(''), '甲乙丙丁戊己庚辛壬癸');
  // A title's wide spacing above the text does not make the text look close-set.
  const titled = read([line('标题', 80, 26.6), line('标题', 107, 26.6), line('作者', 147, 17), line('甲乙', 187), line('丙丁', 206), line('一', 280, 17.7), ...text.map((t, k) => line(t, 300 + k * 18.7))]);
  assert.equal(titled.body.join(''), '标题标题作者甲乙丙丁一甲乙丙丁戊己庚辛壬癸');
  // A short page (an article's last lines, a heading, one more line): too little text to measure.
  const short = read([line('继续', 64), line('会议背景', 98, 17.2), line('最后一段', 118)]);
  assert.equal(short.body.join(''), '继续会议背景最后一段');
});
