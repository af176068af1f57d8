/**
 * Fills the transform cache of the repository (cache_dir=auto:
 * node_modules/.cache/asyncrace) for fixture files that tests run in child
 * processes with the repository as working directory, in one process that
 * loads Babel once. Each child then starts as it would on a second run of the
 * suite, from the cache, instead of loading Babel for itself: the code it runs
 * is the same (a cold child writes the very entry this writes), only sooner.
 * Starting cold is what test/register/transform-cache.test.ts tests.
 *
 * @example
 *   prewarm(THIS_NODE.path, ['/repo/test/semantics/fixtures/maps.js']);
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { childEnv } from './child-pool';

const ROOT = path.resolve(__dirname, '..', '..');
const TRANSFORM = path.join(ROOT, 'dist', 'register', 'transform.js');

// A CommonJS module is named by its path in V8's frames and an ES module by its
// URL (the cache key holds the name), and a .js file can be either: both.
const SCRIPT = `
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { instrumentSource } = require(${JSON.stringify(TRANSFORM)});
for (const file of process.argv.slice(1)) {
  const code = fs.readFileSync(file, 'utf8');
  instrumentSource(code, file, file);
  instrumentSource(code, file, pathToFileURL(file).href);
}`;

/** Transforms `files` (JavaScript) into the repository's cache, as `node` would; throws if that process fails. */
export function prewarm(node: string, files: string[]): void {
  if (!files.length) return;
  const out = spawnSync(node, ['-e', SCRIPT, ...files], { cwd: ROOT, env: childEnv(), encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`prewarming the transform cache failed (${out.status ?? out.signal}):\n${out.stderr}`);
}
