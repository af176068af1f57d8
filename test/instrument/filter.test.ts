import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shouldInstrument } from '../../src/instrument/index';

const none = { include: [], exclude: [] };
const root = path.resolve(__dirname, '..', '..');

describe('shouldInstrument', () => {
  it('instruments user files, paths and file: URLs alike', () => {
    expect(shouldInstrument('/app/src/a.ts', none)).toBe(true);
    expect(shouldInstrument('file:///app/src/a.mjs', none)).toBe(true);
    expect(shouldInstrument('/app/bin/cli', none)).toBe(true);
    expect(shouldInstrument('relative/b.js', none)).toBe(true);
  });

  it('never instruments builtins, other URLs, non-code files or virtual ids', () => {
    expect(shouldInstrument('node:fs', none)).toBe(false);
    expect(shouldInstrument('data:text/javascript,1', none)).toBe(false);
    expect(shouldInstrument('https://example.com/a.js', none)).toBe(false);
    expect(shouldInstrument('/app/data.json', none)).toBe(false);
    expect(shouldInstrument('/app/addon.node', none)).toBe(false);
    expect(shouldInstrument('\0virtual:thing', none)).toBe(false);
  });

  it("never instruments asyncrace's own code, even when included", () => {
    const all = { include: ['**'], exclude: [] };
    expect(shouldInstrument(path.join(root, 'dist', 'runtime', 'index.js'), all)).toBe(false);
    expect(shouldInstrument(path.join(root, 'src', 'instrument', 'visitor.ts'), all)).toBe(false);
    expect(shouldInstrument(pathToFileURL(path.join(root, 'dist', 'register', 'register.js')).href, all)).toBe(false);
    expect(shouldInstrument(path.join(root, 'node_modules', '@babel', 'core', 'lib', 'index.js'), all)).toBe(false);
    // Its examples are user programs.
    expect(shouldInstrument(path.join(root, 'examples', 'cache.js'), none)).toBe(true);
  });

  it('excludes node_modules by default; an include pattern wins', () => {
    expect(shouldInstrument('/app/node_modules/foo/index.js', none)).toBe(false);
    const foo = { include: ['**/node_modules/foo/**'], exclude: [] };
    expect(shouldInstrument('/app/node_modules/foo/index.js', foo)).toBe(true);
    expect(shouldInstrument('/app/node_modules/bar/index.js', foo)).toBe(false);
    // A non-empty include restricts to matching files.
    expect(shouldInstrument('/app/src/a.js', foo)).toBe(false);
  });

  it('applies exclude patterns, absolute or relative to the working directory', () => {
    const cwd = process.cwd();
    expect(shouldInstrument(path.join(cwd, 'app', 'a.test.ts'), { include: [], exclude: ['**/*.test.ts'] })).toBe(false);
    expect(shouldInstrument(path.join(cwd, 'app', 'a.ts'), { include: [], exclude: ['**/*.test.ts'] })).toBe(true);
    expect(shouldInstrument(path.join(cwd, 'gen', 'x.js'), { include: [], exclude: ['gen/**'] })).toBe(false);
    expect(shouldInstrument(path.join(cwd, 'lib', 'x.js'), { include: ['lib/**'], exclude: [] })).toBe(true);
    expect(shouldInstrument(path.join(cwd, 'app', 'x.js'), { include: ['lib/**'], exclude: [] })).toBe(false);
    expect(shouldInstrument(path.join(cwd, 'lib', 'x.js'), { include: ['lib/**'], exclude: ['lib/x.js'] })).toBe(false);
  });
});
