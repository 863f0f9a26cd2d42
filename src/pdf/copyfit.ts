/**
 * The copyfit ladder: the stated limits within which one printed page may be tightened to hold
 * its original text. Spacing first (word, then letter), then the type size: the leading closes
 * up first (the design's 18 pt is generous), then the type itself shrinks a little.
 * Level 0 is the design; the last level is the most a page may be squeezed: spacing -0.08 em
 * between words and -0.015 em between letters, leading at 80 %, type at 91 %.
 */

/** One rung: spacing in em; leading and type as factors of the design. */
export interface CopyfitLevel {
  level: number;
  wordSpacing: number;
  letterSpacing: number;
  leading: number;
  scale: number;
}

/** The ladder, from the lightest touch to the limit. */
export const copyfitLevels: readonly CopyfitLevel[] = [
  { level: 1, wordSpacing: -0.04, letterSpacing: 0, leading: 1, scale: 1 },
  { level: 2, wordSpacing: -0.06, letterSpacing: -0.005, leading: 1, scale: 1 },
  { level: 3, wordSpacing: -0.08, letterSpacing: -0.01, leading: 1, scale: 1 },
  { level: 4, wordSpacing: -0.08, letterSpacing: -0.01, leading: 0.94, scale: 1 },
  { level: 5, wordSpacing: -0.08, letterSpacing: -0.01, leading: 0.89, scale: 0.97 },
  { level: 6, wordSpacing: -0.08, letterSpacing: -0.015, leading: 0.84, scale: 0.94 },
  { level: 7, wordSpacing: -0.08, letterSpacing: -0.015, leading: 0.8, scale: 0.91 },
];

/** The highest level a page may reach before it is reported as not fitting. */
export const maxCopyfitLevel = copyfitLevels.length;

/** Words a person reads in a message: what a level did to the page. */
export function describeLevel(level: number): string {
  const rung = copyfitLevels[level - 1];
  if (!rung) return 'as designed';
  const parts = [`word spacing ${rung.wordSpacing}em`];
  if (rung.letterSpacing !== 0) parts.push(`letter spacing ${rung.letterSpacing}em`);
  if (rung.leading !== 1) parts.push(`leading at ${Math.round(rung.leading * 100)}%`);
  if (rung.scale !== 1) parts.push(`type at ${Math.round(rung.scale * 100)}%`);
  return parts.join(', ');
}

/** The CSS rules of the ladder, written into the issue's own style block. */
export function copyfitCss(): string {
  return copyfitLevels
    .map((rung) => `[data-fit="${rung.level}"] { --fit-word: ${rung.wordSpacing}em; --fit-letter: ${rung.letterSpacing}em; --fit-leading: ${rung.leading}; --fit-scale: ${rung.scale}; }`)
    .join('\n');
}
