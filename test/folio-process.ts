/** Runs the `folio` command as a person or a script meets it, for the tests that spawn it. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What one run of the command did. */
export interface FolioRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/folio.js ARGS` in the repository, stdin closed, streams captured (not a terminal). */
export function runFolio(args: string[], env: Record<string, string> = {}): Promise<FolioRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'folio.js'), ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
