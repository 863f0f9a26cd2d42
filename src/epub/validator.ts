/**
 * One contract for the EPUB's validators, EPUBCheck and Ace: each validates a written EPUB,
 * one-shot (a process per validation) or through a process kept running between builds, with
 * the same findings either way, and reports them as messages.
 */
import type { Message } from '../messages.js';

/** What a validator found in one EPUB. */
export interface ValidationResult<Finding> {
  /** The findings as messages, or the one message saying why the tool could not run. */
  messages: Message[];
  /** What the tool found, tied to places inside the EPUB, when it ran to the end (absent when it could not run). */
  findings?: Finding[];
}

/**
 * A validator of EPUBs: one-shot, or a server kept running (whose `close` ends its process; a
 * one-shot validator has nothing to close). A server that cannot serve a validation runs it
 * one-shot, so a caller never needs to know which it was given.
 */
export interface Validator<Options, Result extends ValidationResult<unknown>> {
  /** Validates the EPUB at `epub`. */
  validate(epub: string, options: Options): Promise<Result>;
  /** Ends what the validator keeps running; later validations run one-shot. */
  close(): Promise<void>;
}

/** A one-shot validator of `validate`: nothing kept, nothing to close. */
export function oneShot<Options, Result extends ValidationResult<unknown>>(validate: (epub: string, options: Options) => Promise<Result>): Validator<Options, Result> {
  return { validate, close: async () => undefined };
}
