/**
 * File names as reports carry them: absolute paths, never file: URLs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Converts a file: URL to a path; anything else is returned unchanged.
 *
 * @example
 *   toPath('file:///app/src/cache.ts') // => '/app/src/cache.ts'
 *   toPath('node:events')              // => 'node:events'
 */
export function toPath(file: string): string {
  if (!file.startsWith('file:')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    // A malformed URL is still more useful shown than dropped.
    return file;
  }
}

/**
 * The name to print for `file`: relative to `cwd` when the file lies under it.
 *
 * @example
 *   displayPath('/app/src/cache.ts', '/app') // => 'src/cache.ts'
 *   displayPath('/lib/x.js', '/app')         // => '/lib/x.js'
 */
export function displayPath(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) return file;
  return rel;
}

/**
 * False for the runtime's pseudo files (`node:events`, `<anonymous>`, ...) and
 * frames without a file: nothing there to open or link to.
 *
 * @example
 *   isSourceFile('/app/src/cache.ts') // => true
 *   isSourceFile('node:events')       // => false
 */
export function isSourceFile(file: string): boolean {
  return file !== '' && !file.startsWith('<') && (path.isAbsolute(file) || !/^[a-z][a-z0-9+.-]+:/i.test(file));
}

/**
 * `file` relative to `cwd` with '/' separators, or undefined when it lies
 * outside `cwd` (a relative `file` is taken as relative to `cwd`).
 *
 * @example
 *   pathUnder('/app/src/cache.ts', '/app') // => 'src/cache.ts'
 *   pathUnder('/lib/x.js', '/app')         // => undefined
 */
export function pathUnder(file: string, cwd: string): string | undefined {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}
