#!/usr/bin/env node
/* global process, setTimeout */
// The `folio` command. The TypeScript sources are bundled by esbuild into one module under
// node_modules/.folio/ (two folders down, like src/<area>/, so paths the code takes from its own
// location still hold), rebuilt whenever a file under src/ changes: Node then loads plain
// JavaScript instead of compiling every module through tsx's loader at each start (about half
// a second a command). Without esbuild, or where node_modules cannot be written, tsx runs the
// sources as they are.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'src', 'cli', 'index.ts');
const bundleDir = path.join(root, 'node_modules', '.folio');
const bundle = path.join(bundleDir, 'cli.mjs');

/** What the bundle is made of: every file under src/ (path, size, time) and the lock file. */
function sourcesKey() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const item of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, item.name);
      if (item.isDirectory()) walk(file);
      else {
        const stat = statSync(file);
        hash.update(`${path.relative(root, file)} ${stat.size} ${stat.mtimeMs}\n`);
      }
    }
  };
  walk(path.join(root, 'src'));
  hash.update(readFileSync(path.join(root, 'package-lock.json')));
  return hash.digest('hex');
}

/** The bundle, made now if the sources changed since it was; undefined if it cannot be. */
async function bundled() {
  if (process.env.FOLIO_NO_BUNDLE === '1') return undefined;
  try {
    const key = sourcesKey();
    const keyFile = path.join(bundleDir, 'cli.key');
    let current = '';
    try {
      current = readFileSync(keyFile, 'utf8');
    } catch {
      // Not made yet.
    }
    if (current !== key) {
      const { build } = await import('esbuild');
      mkdirSync(bundleDir, { recursive: true });
      // Written under a name of its own and renamed: two commands started at once never load half a file.
      const temporary = `${bundle}.${process.pid}.tmp`;
      try {
        await build({ entryPoints: [entry], outfile: temporary, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent', legalComments: 'none' });
        renameSync(temporary, bundle);
        writeFileSync(`${keyFile}.${process.pid}.tmp`, key);
        renameSync(`${keyFile}.${process.pid}.tmp`, keyFile);
      } finally {
        rmSync(temporary, { force: true });
      }
    }
    return bundle;
  } catch {
    return undefined;
  }
}

const made = await bundled();
let main;
if (made) ({ main } = await import(pathToFileURL(made).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/index.ts'));
}
process.exitCode = await main(process.argv.slice(2));
// The command is over. Whatever still holds the process open (the work of a stage its watchdog
// abandoned, a tool that never answers) must not keep it from ending: a few seconds' grace, then
// exit, which also runs the handlers that kill a browser still up and remove its profile.
setTimeout(() => process.exit(), 5000).unref();
