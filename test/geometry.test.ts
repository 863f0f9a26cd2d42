/** The print geometry derived from what a page of the original holds (src/manuscript/geometry.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derivePrintGeometry, houseGeometry, houseMeasured, textBlock, typeLimits } from '../src/manuscript/index.js';

test('the bundled issue measured gives the house geometry exactly', () => {
  assert.deepEqual(derivePrintGeometry({ ...houseMeasured }), { ...houseGeometry, trim: { ...houseGeometry.trim }, margins: { ...houseGeometry.margins }, latin: { ...houseGeometry.latin }, cjk: { ...houseGeometry.cjk } });
});

test('a denser original gets smaller type and tighter leading on the same page, in proportion', () => {
  const print = derivePrintGeometry({ latin: { linesPerPage: 40, charsPerLine: 70 } });
  assert.deepEqual(print.trim, houseGeometry.trim);
  // 11 pt x 62/70 and 18 pt x 31/40, rounded down to 0.05 pt.
  assert.equal(print.latin.size, 9.7);
  assert.equal(print.latin.leading, 13.95);
  assert.deepEqual(print.cjk, houseGeometry.cjk, 'a script not measured keeps the house type');
});

test('a sparser original gets larger type and leading, so its full pages are full here too', () => {
  const print = derivePrintGeometry({ latin: { linesPerPage: 26, charsPerLine: 54 } });
  assert.deepEqual(print.trim, houseGeometry.trim);
  assert.equal(print.latin.size, 12.6);
  assert.equal(print.latin.leading, 21.45);
  // Far sparser: the type stops at its largest, and the rest of the page stays white.
  const sparse = derivePrintGeometry({ latin: { linesPerPage: 12, charsPerLine: 30 } });
  assert.equal(sparse.latin.size, typeLimits.latin.maxSize);
  assert.ok(sparse.latin.leading <= typeLimits.latin.maxSize * typeLimits.latin.maxLeading + 1e-9);
  assert.deepEqual(sparse.trim, houseGeometry.trim);
});

test('an original too dense for the smallest type gets a larger text block, margins kept', () => {
  const print = derivePrintGeometry({ latin: { linesPerPage: 60, charsPerLine: 110 } });
  assert.equal(print.latin.size, typeLimits.latin.size);
  assert.ok(print.trim.width > houseGeometry.trim.width && print.trim.height > houseGeometry.trim.height, JSON.stringify(print.trim));
  assert.deepEqual(print.margins, houseGeometry.margins);
  // The block holds the original's line: 110 characters at 8 pt where the house holds 62 at 11.
  assert.ok(textBlock(print).measure / 8 >= (textBlock(houseGeometry).measure / 11) * (110 / 62) - 0.5);
});
