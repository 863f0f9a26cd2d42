#!/usr/bin/env node
/* global process, setTimeout */
// The `folio` command. The TypeScript sources are bundled by esbuild into plain JavaScript in
// a folder node_modules/.folio-<key>/ (two folders down, like src/<area>/, so paths the code
// takes from its own location still hold), made again whenever a file under src/ changes: Node
// then loads plain JavaScript instead of compiling every module through tsx's loader at each
// start (about half a second a command). The bundle is split (esbuild's code splitting): each
// command's module is a file of its own, loaded only when that command runs, with only the
// packages it needs. Without esbuild, or where node_modules cannot be written, tsx runs the
// sources as they are.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'src', 'cli', 'index.ts');
const modulesDir = path.join(root, 'node_modules');
/** A bundle's folder is named by the sources it was made of. */
const bundlePrefix = '.folio-';

/** What the bundle is made of: every file under src/ (path, size, time), the lock file and this one (how it bundles). */
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
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  return hash.digest('hex');
}

/** The bundle's entry, made now if the sources changed since it was; undefined if it cannot be. */
async function bundled() {
  if (process.env.FOLIO_NO_BUNDLE === '1') return undefined;
  try {
    const key = sourcesKey().slice(0, 24);
    const dir = path.join(modulesDir, `${bundlePrefix}${key}`);
    const bundle = path.join(dir, 'cli.mjs');
    if (!existsSync(bundle)) {
      const { build } = await import('esbuild');
      // Made in a folder of its own and renamed whole: two commands started at once never load
      // half a bundle; the second to finish finds the folder made and drops its own.
      const temporary = `${dir}.${process.pid}.tmp`;
      try {
        await build({ entryPoints: { cli: entry }, outdir: temporary, bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outExtension: { '.js': '.mjs' }, logLevel: 'silent', legalComments: 'none' });
        try {
          renameSync(temporary, dir);
        } catch (error) {
          if (!existsSync(bundle)) throw error;
        }
      } finally {
        rmSync(temporary, { recursive: true, force: true });
      }
      sweepOldBundles(dir);
    }
    return bundle;
  } catch {
    return undefined;
  }
}

/**
 * Bundles of older sources, and the bundle of the layout before it was split, are removed once
 * they are a minute old (a command started just before them may still be loading its files).
 */
function sweepOldBundles(current) {
  const now = Date.now();
  for (const name of readdirSync(modulesDir)) {
    const file = path.join(modulesDir, name);
    if (file === current || !(name.startsWith(bundlePrefix) || name === '.folio')) continue;
    try {
      if (now - statSync(file).mtimeMs > 60_000) rmSync(file, { recursive: true, force: true });
    } catch {
      // Gone already.
    }
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
