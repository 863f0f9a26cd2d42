/** The import's result as the tests read it: the issue it made, or the messages that stopped it. */
import assert from 'node:assert/strict';
import type { ImportedIssue, ImportResult } from '../src/import/index.js';
import { formatMessage } from '../src/messages.js';

/** The issue an import made; fails the test, showing the messages, when it made none. */
export function imported(result: ImportResult): ImportedIssue {
  assert.ok(result.output, `expected an imported issue, got:\n${result.messages.map((m) => formatMessage(m)).join('\n')}`);
  return result.output;
}

/** The errors that stopped an import, formatted with `file` for the source's name; fails the test when it was not stopped. */
export function importStops(result: ImportResult, file?: string): string[] {
  assert.equal(result.output, undefined, 'expected the import to stop, with no issue made');
  const errors = result.messages.filter((m) => m.severity === 'error');
  assert.ok(errors.length > 0, 'expected an error among the messages');
  return result.messages.map((m) => formatMessage(file && m.place ? { ...m, place: { ...m.place, file } } : m));
}
