/**
 * The copyfit ladder: the stated limits within which one printed page may be tightened to hold
 * its original text. Spacing first (word, then letter), then type size with its leading.
 * Level 0 is the design; the last level is the most a page may be squeezed.
 */

/** One rung: spacing in em, type and leading scale as a factor. */
export interface CopyfitLevel {
  level: number;
  wordSpacing: number;
  letterSpacing: number;
  scale: number;
}

/** The ladder, from the lightest touch to the limit. */
export const copyfitLevels: readonly CopyfitLevel[] = [
  { level: 1, wordSpacing: -0.04, letterSpacing: 0, scale: 1 },
  { level: 2, wordSpacing: -0.06, letterSpacing: -0.005, scale: 1 },
  { level: 3, wordSpacing: -0.08, letterSpacing: -0.01, scale: 1 },
  { level: 4, wordSpacing: -0.08, letterSpacing: -0.01, scale: 0.97 },
  { level: 5, wordSpacing: -0.08, letterSpacing: -0.01, scale: 0.94 },
  { level: 6, wordSpacing: -0.08, letterSpacing: -0.015, scale: 0.91 },
];

/** The highest level a page may reach before it is reported as not fitting. */
export const maxCopyfitLevel = copyfitLevels.length;

/** Words a person reads in a message: what a level did to the page. */
export function describeLevel(level: number): string {
  const rung = copyfitLevels[level - 1];
  if (!rung) return 'as designed';
  const parts = [`word spacing ${rung.wordSpacing}em`];
  if (rung.letterSpacing !== 0) parts.push(`letter spacing ${rung.letterSpacing}em`);
  if (rung.scale !== 1) parts.push(`type and leading at ${Math.round(rung.scale * 100)}%`);
  return parts.join(', ');
}

/** The CSS rules of the ladder, written into the issue's own style block. */
export function copyfitCss(): string {
  return copyfitLevels
    .map((rung) => `[data-fit="${rung.level}"] { --fit-word: ${rung.wordSpacing}em; --fit-letter: ${rung.letterSpacing}em; --fit-scale: ${rung.scale}; }`)
    .join('\n');
}
