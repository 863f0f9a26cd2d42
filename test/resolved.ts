/**
 * A run resolved for a test (`resolve()`), asserting that the manuscript loads: the value every
 * stage takes. The build folder is the one asked for, else the folder of the PDF or EPUB named,
 * else a `build` folder beside the manuscript.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { formatMessage } from '../src/messages.js';
import { resolve, resolvedFor, type ResolveInput, type Resolved } from '../src/resolve/index.js';
import type { Manuscript } from '../src/manuscript/index.js';

/** What a test names: the outputs, and any setting it overrides. */
export interface TestRun extends Omit<ResolveInput, 'manuscriptDir' | 'files'> {
  pdf?: string;
  epub?: string;
}

function input(manuscriptDir: string, run: TestRun): ResolveInput {
  const { pdf, epub, outDir, ...rest } = run;
  const named = pdf ?? epub;
  return {
    ...rest,
    manuscriptDir,
    outDir: outDir ?? (named !== undefined ? path.dirname(named) : path.join(path.dirname(path.resolve(manuscriptDir)), 'build')),
    files: { ...(pdf !== undefined ? { pdf } : {}), ...(epub !== undefined ? { epub } : {}) },
  };
}

/** The manuscript folder read and the run settled; fails the test when it does not load. */
export async function resolved(manuscriptDir: string, run: TestRun = {}): Promise<Resolved> {
  const result = await resolve(input(manuscriptDir, run));
  assert.ok(result.output, `the manuscript ${manuscriptDir} does not load:\n${result.messages.map((m) => formatMessage(m)).join('\n')}`);
  return result.output;
}

/** A manuscript made in memory, as a run. */
export function resolvedManuscript(manuscript: Manuscript, run: TestRun = {}): Resolved {
  return resolvedFor(manuscript, input(manuscript.dir, run));
}
