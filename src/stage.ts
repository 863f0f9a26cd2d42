/**
 * The contract every stage keeps: it never throws for a problem of its input, never prints,
 * and returns its output (when it made one) with its messages and the milliseconds of its steps.
 */
import type { Message } from './messages.js';

/** What every stage returns besides its output: its messages, and the milliseconds each step took. */
export interface StageReport {
  messages: Message[];
  timings: Record<string, number>;
}

/** A stage's result: its output, when it made one (none when its messages hold an error), with its report. */
export interface StageResult<T> extends StageReport {
  output?: T;
}
