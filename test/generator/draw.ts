/**
 * Draws a generated issue's options and articles from a seed: geometry, surviving folios,
 * marked page starts, title and note styles, which articles and in what order.
 */
import type { Article } from './content.js';
import { random, type IssueOptions } from './issue.js';

const seasons = ['Spring', 'Summer', 'Autumn', 'Winter'];

/** Options for seed `seed` over `count` articles. */
export function drawOptions(seed: number, count: number, overrides: Partial<IssueOptions> = {}): IssueOptions {
  const rand = random(seed * 7919 + 17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const between = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const latinLines = between(26, 40);
  // An article (never the first) printed without its title; the generator skips a pick that is no article.
  const untitled = rand() < 0.6 ? [between(1, Math.max(1, count - 2))] : [];
  return {
    seed,
    journal: 'Foreign Affairs Journal',
    issue: `${pick(seasons)} ${between(2019, 2025)}`,
    latin: { linesPerPage: latinLines, charsPerLine: between(52, 74) },
    cjk: { linesPerPage: between(24, 34), charsPerLine: between(30, 42) },
    folios: between(3, 16),
    marked: pick([0.67, 0.9, 0.97, 1, 1]),
    titleStyle: rand() < 0.9 ? 'after-body' : 'before-body',
    untitled,
    noteCalls: rand() < 0.5 ? 'word' : 'punctuation',
    extraNotes: between(0, 3),
    ...overrides,
  };
}

/**
 * A selection of the articles in a new order: some English articles, maybe the news, then the
 * Chinese versions of some of them, and maybe the back page. Keeps the journal's shape
 * (English first, Chinese after) without its article list.
 */
export function pickArticles(all: readonly Article[], seed: number): Article[] {
  const rand = random(seed * 104729 + 3);
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i -= 1) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  };
  const english = shuffle(all.filter((a) => a.language === 'en' && a.kind === 'article'));
  const chinese = shuffle(all.filter((a) => a.language === 'zh' && a.kind === 'article'));
  const news = all.filter((a) => a.kind === 'news');
  const back = all.filter((a) => a.kind !== 'article' && a.kind !== 'news');
  const chosen = english.slice(0, 2 + Math.floor(rand() * 3));
  if (rand() < 0.7) chosen.push(...news.map((n) => ({ ...n, blocks: n.blocks.slice(0, 20 + Math.floor(rand() * 40)) })));
  chosen.push(...chinese.slice(0, 1 + Math.floor(rand() * 2)));
  if (rand() < 0.5) chosen.push(...back);
  return chosen;
}
