/**
 * Words as the fidelity check counts them: runs of letters and digits, every CJK character a
 * word of its own, compared after Unicode normalisation (never rewritten in the text itself).
 */

const token = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}\p{M}])+/gu;

// Printable ASCII is its own NFKC form: most running text is spared the normalisation.
const ascii = /^[ -~\t\n\r]*$/;

// A number glued to the end of a word is a footnote call as the extraction prints it
// (`power1`); the manuscript writes the call apart, so the two are always read as two words.
const callGlued = /(?<=\p{L})(?=\p{N})/u;

/** The words of a text, in order. */
export function words(text: string): string[] {
  const found = (ascii.test(text) ? text : text.normalize('NFKC')).match(token) ?? [];
  return found.some((w) => callGlued.test(w)) ? found.flatMap((w) => w.split(callGlued)) : found;
}

/** What one list of words has that the other lacks, as counts by word. */
export function wordDifference(expected: readonly string[], actual: readonly string[]): { lost: string[]; added: string[] } {
  const counts = new Map<string, number>();
  for (const w of expected) counts.set(w, (counts.get(w) ?? 0) + 1);
  const added: string[] = [];
  for (const w of actual) {
    const c = counts.get(w) ?? 0;
    if (c > 0) counts.set(w, c - 1);
    else added.push(w);
  }
  const lost: string[] = [];
  for (const [w, c] of counts) for (let k = 0; k < c; k += 1) lost.push(w);
  return { lost, added };
}
