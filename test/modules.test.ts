/**
 * The source has no import cycle. In a cycle, the module through which a process enters it is
 * evaluated last, and a binding another module of the cycle reads at load time is still
 * uninitialised: it worked through the bundle's order and failed in tests entering elsewhere
 * (six test files, "Cannot access 'jvmFlags' before initialization"). The graph is esbuild's own,
 * from every module of src/, with type-only imports gone as they are at run time.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every strongly connected component of more than one module (or a module importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('cycles(): finds a cycle through three modules and none in a chain', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), []);
});

test('no module of src/ is part of an import cycle', async () => {
  const entries = (await readdir(path.join(repo, 'src'), { recursive: true }))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => path.join(repo, 'src', name));
  assert.ok(entries.length > 50, `src/ holds ${entries.length} modules`);
  const result = await build({
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: path.join(repo, 'node_modules/.modules-test'),
    logLevel: 'silent',
    absWorkingDir: repo,
  });
  const graph = new Map<string, string[]>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (!file.startsWith('src/')) continue;
    graph.set(file, input.imports.filter((i) => !i.external && i.path.startsWith('src/') && i.kind !== 'dynamic-import').map((i) => i.path));
  }
  assert.ok(graph.size >= entries.length * 0.9, `esbuild read ${graph.size} of ${entries.length} modules`);
  assert.deepEqual(cycles(graph), []);
});
