/**
 * Which files get instrumented: include / exclude globs (picomatch) against the
 * absolute path and the path relative to the working directory; node_modules
 * excluded by default unless an include pattern names the file; never
 * asyncrace's own code, Node builtins or non-file URLs.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';

/** Filter settings (the `include` / `exclude` options). */
export interface FilterOptions {
  /** When non-empty, only files matching one of these globs. */
  include: string[];
  /** Files matching one of these globs are never instrumented. */
  exclude: string[];
}

const DEFAULT_EXCLUDE = ['**/node_modules/**'];
const EXTENSIONS = new Set(['.js', '.jsx', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '']);

// The package root: this file is <root>/dist/instrument/filter.js (or <root>/src/instrument/filter.ts).
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
/** asyncrace's own code inside its package (its examples and tests are user code). */
const OWN_DIRS = ['dist', 'src', 'bin', 'node_modules'].map((d) => path.join(PACKAGE_ROOT, d) + path.sep);

type Matcher = (file: string) => boolean;
const cache = new Map<string, Matcher>();

function matcher(patterns: string[]): Matcher {
  const key = patterns.join('\0');
  let m = cache.get(key);
  if (!m) {
    const test = picomatch(patterns, { dot: true });
    m = (file) => {
      if (test(file)) return true;
      const rel = path.relative(process.cwd(), file).split(path.sep).join('/');
      return rel !== '' && test(rel);
    };
    cache.set(key, m);
  }
  return m;
}

/** The absolute path of a filename or file: URL; undefined for builtins and other URLs. */
function absolutePath(filename: string): string | undefined {
  if (filename.startsWith('file:')) {
    try {
      return fileURLToPath(filename);
    } catch {
      return undefined;
    }
  }
  // node:fs, data:, http:, and bundlers' virtual ids ("\0id"); a Windows drive letter is a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(filename) || filename.startsWith('\0')) return undefined;
  return path.resolve(filename);
}

/**
 * Whether to instrument a file.
 *
 * @example
 * shouldInstrument('/app/src/a.ts', { include: [], exclude: [] })                                // true
 * shouldInstrument('/app/node_modules/p/i.js', { include: [], exclude: [] })                     // false
 * shouldInstrument('/app/node_modules/p/i.js', { include: ['**\/node_modules/p/**'], exclude: [] }) // true
 */
export function shouldInstrument(filename: string, opts: FilterOptions): boolean {
  const file = absolutePath(filename);
  if (!file) return false;
  if (!EXTENSIONS.has(path.extname(file).toLowerCase())) return false;
  if (OWN_DIRS.some((d) => file.startsWith(d))) return false;
  const posix = file.split(path.sep).join('/');
  const included = opts.include.length > 0 && matcher(opts.include)(posix);
  if (opts.include.length > 0 && !included) return false;
  if (opts.exclude.length > 0 && matcher(opts.exclude)(posix)) return false;
  if (!included && matcher(DEFAULT_EXCLUDE)(posix)) return false;
  return true;
}
