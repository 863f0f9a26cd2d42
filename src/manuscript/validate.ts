/**
 * Parses YAML and validates it against a zod schema, pointing every problem at the file
 * and line of the offending value.
 */
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { message, type Message, type RuleId } from '../messages.js';

/** The result of validating one YAML text: the value when valid, and the messages. */
export interface Validated<T> {
  value?: T;
  messages: Message[];
}

/**
 * Validates YAML text against a schema. `lineOffset` shifts line numbers, for YAML that sits
 * inside another file (front matter starts on the line after `---`). `ruleId` is the rule every
 * problem is reported under: the manuscript's own files use `manuscript-001`, other files that
 * share this machinery (catalogue.yaml) their own.
 */
export function validateYaml<S extends z.ZodTypeAny>(
  text: string,
  file: string,
  schema: S,
  lineOffset = 0,
  ruleId: RuleId = 'manuscript-001',
): Validated<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const messages: Message[] = [];
  for (const error of doc.errors) {
    const pos = lineCounter.linePos(unclosedStart(doc, error) ?? error.pos[0]);
    messages.push(
      message(ruleId, `Unexpected YAML syntax: ${error.message.split('\n')[0]}`, {
        file,
        line: pos.line + lineOffset,
        column: pos.col,
      }),
    );
  }
  if (messages.length > 0) return { messages };
  const result = schema.safeParse(doc.toJS());
  if (result.success) return { value: result.data, messages };
  for (const issue of result.error.issues) {
    const path = issue.path;
    const where = path.length > 0 ? `\`${path.join('.')}\`` : 'the document';
    if (issue.code === 'unrecognized_keys') {
      // An unknown key is its own bad value: point at the key, not at the map holding it.
      const map = doc.getIn(path, true);
      for (const key of issue.keys) {
        const pair = isMap(map) ? map.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
        const keyNode = pair?.key;
        const offset = isNode(keyNode) && keyNode.range ? keyNode.range[0] : isNode(map) && map.range ? map.range[0] : 0;
        const pos = lineCounter.linePos(offset);
        messages.push(message(ruleId, `Unexpected key \`${key}\` in ${where}, expected only the keys the schema names`, { file, line: pos.line + lineOffset, column: pos.col }));
      }
      continue;
    }
    let node: unknown = doc.getIn(path, true);
    // A missing key has no node: point at its parent, the nearest thing that exists.
    for (let depth = path.length - 1; !isNode(node) && depth >= 0; depth -= 1) {
      node = doc.getIn(path.slice(0, depth), true);
    }
    const offset = isNode(node) && node.range ? node.range[0] : 0;
    const pos = lineCounter.linePos(offset);
    const missing = issue.code === 'invalid_type' && issue.received === 'undefined' && path.length > 0;
    const parent = path.length > 1 ? `\`${path.slice(0, -1).join('.')}\`` : 'the document';
    const reason = missing ? `Unexpected missing key \`${String(path[path.length - 1])}\` in ${parent}, expected it to be set` : `Unexpected value at ${where}: ${issue.message}`;
    messages.push(
      message(ruleId, reason, {
        file,
        line: pos.line + lineOffset,
        column: pos.col,
      }),
    );
  }
  return { messages };
}

/**
 * Where the value an unclosed quote or bracket opened starts. The parser notices only at the
 * end of the file (or of the block), which is no help to a person; the value itself is.
 */
/**
 * Where the value at `path` (`['corrections', 2]`) opens in a YAML text, 1-based, shifted by
 * `lineOffset`; undefined when the text does not hold it.
 */
export function yamlPlace(text: string, path: readonly (string | number)[], lineOffset = 0): { line: number; column: number } | undefined {
  const lineCounter = new LineCounter();
  const node = parseDocument(text, { lineCounter, prettyErrors: false }).getIn(path, true);
  if (!isNode(node) || !node.range) return undefined;
  const pos = lineCounter.linePos(node.range[0]);
  return { line: pos.line + lineOffset, column: pos.col };
}

function unclosedStart(doc: Document, error: YAMLError): number | undefined {
  if (error.code !== 'MISSING_CHAR' && error.code !== 'BAD_INDENT') return undefined;
  const at = error.pos[0];
  let start: number | undefined;
  visit(doc, (key, node) => {
    if (key === null || !isNode(node) || !node.range) return;
    const [from, , to] = node.range;
    if (from < at && at <= to && (start === undefined || from > start)) start = from;
  });
  return start;
}
