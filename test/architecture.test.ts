// The layers of src/ (docs/architecture.md): each folder may import only the ones below it, so the
// contract stays at the bottom, the runtime never reaches the report side, and wiring stays on top.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');

/** The layer of a file under src/: its folder, or its own name for a top-level module. */
function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel.length === 1) return rel[0]!.replace(/\.m?ts$/, '');
  if (rel[0] === 'runtime' && rel[1] === 'api.ts') return 'contract';
  return rel[0]!;
}

/** What each layer may import besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: [],
  options: [],
  instrument: ['contract'],
  runtime: ['contract'],
  report: ['contract', 'runtime', 'options'],
  'start-detection': ['contract', 'runtime', 'report', 'options'],
  register: ['contract', 'runtime', 'report', 'options', 'instrument', 'start-detection'],
  vitest: ['contract', 'runtime', 'report', 'options', 'instrument', 'register', 'start-detection'],
  cli: ['report', 'options', 'register'],
  index: ['contract', 'options', 'instrument', 'report'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : /\.m?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Relative imports and requires of a source file, resolved to files under src/. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => {
    const base = path.resolve(path.dirname(file), s.replace(/\.m?js$/, ''));
    return ['.ts', '.mts', '/index.ts'].map((ext) => base + ext).find((f) => fs.existsSync(f)) ?? base;
  });
}

describe('layers', () => {
  const files = sources(SRC);

  it('every source file belongs to a known layer', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map(layerOf).filter((l) => !(l in MAY_IMPORT))).toEqual([]);
  });

  it('each layer imports only itself and the layers below it', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to !== from && !MAY_IMPORT[from]!.includes(to)) wrong.push(`${path.relative(SRC, file)} (${from}) imports ${path.relative(SRC, target)} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds a wrong import (the check can fail)', () => {
    // The runtime reaching the report side is what the layers forbid.
    expect(MAY_IMPORT.runtime).not.toContain('report');
    expect(importsOf(path.join(SRC, 'start-detection.ts')).map(layerOf)).toContain('report');
  });
});
