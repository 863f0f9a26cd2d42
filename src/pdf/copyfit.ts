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

/** The scripts the capacity of a level is estimated for. */
export type Script = 'latin' | 'cjk';

/**
 * The width a line of running text takes per character, in em, and the word gaps a character
 * brings, by script: in Latin about 0.5 em a letter and a 0.25 em gap every six characters; in
 * Chinese a full em a character and no gaps. The basis of `levelCapacity`'s estimate of what
 * tighter spacing wins.
 */
const lineShape: Record<Script, { emPerCharacter: number; gapsPerCharacter: number }> = {
  latin: { emPerCharacter: 0.5 + 0.25 / 6, gapsPerCharacter: 1 / 6 },
  cjk: { emPerCharacter: 1, gapsPerCharacter: 0 },
};

/**
 * How much more text a printed page holds at `level` than as designed, as a factor (1 at level
 * 0): the leading gives lines (exactly: every line of the page closes up by it), the type size
 * and the spacing give characters a line (the lines of a paragraph shrink by about as much). An
 * estimate, meant on the generous side (a line's worth of text can shrink by less than its
 * characters do), so that a level chosen by it is rarely tighter than the lightest that holds
 * the text; a level that is not enough is found by the next layout.
 */
export function levelCapacity(level: number, script: Script = 'latin'): number {
  const rung = copyfitLevels[Math.min(level, maxCopyfitLevel) - 1];
  if (!rung) return 1;
  const shape = lineShape[script];
  const saved = (-rung.letterSpacing - rung.wordSpacing * shape.gapsPerCharacter) / shape.emPerCharacter;
  return 1 / ((1 - saved) * rung.leading * rung.scale);
}

/** How far a printed page ran over: a share of a page, and whether it was measured or only seen (a clipped line, a shared page). */
export interface Spill {
  excess: number;
  measured: boolean;
}

/**
 * The next level for a printed page at `current` that spilled, decided from the measurement in
 * one step: the lightest level whose capacity holds the page's text,
 * `levelCapacity(current) × (1 + excess)`, and at least a rung up. A spill seen but not
 * measured goes a rung up. Above the ladder: undefined, the page cannot be fitted.
 */
export function nextLevel(current: number, spill: Spill, script: Script = 'latin'): number | undefined {
  if (current >= maxCopyfitLevel) return undefined;
  if (!spill.measured) return current + 1;
  const needed = levelCapacity(current, script) * (1 + spill.excess);
  for (let level = current + 1; level < maxCopyfitLevel; level += 1) if (levelCapacity(level, script) >= needed) return level;
  return maxCopyfitLevel;
}
