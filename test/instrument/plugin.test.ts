import { describe, it, expect } from 'vitest';
import { transformSync } from '@babel/core';
import asyncraceBabelPlugin from '../../src/instrument/babel-plugin';
import { PlainRuntime, install, metaOf, runModule } from './harness';

function babel(code: string, filename: string, options: object = {}, extra: object = {}): string {
  const out = transformSync(code, { filename, configFile: false, babelrc: false, plugins: [[asyncraceBabelPlugin, options]], ...extra });
  return out!.code!;
}

describe('babel plugin', () => {
  const src = 'const m = new Map();\nfunction bump(k) {\n  m.set(k, (m.get(k) ?? 0) + 1);\n  return m.get(k);\n}\nmodule.exports = [bump("a"), bump("a"), m.size];';

  it('instruments like instrument(), without a map in the registration', () => {
    const out = babel(src, '/virtual/plugin.js');
    expect(out).toContain('(_f = m.set, _t = _f, _ar.tl(_arS + 3, m, _t))(_t, m, _t2 = k, _ar.k(_arS + 3, _t, m, ((_f = m.get, _ar.t(_arS + 2, m, _f))(_f, m, k) ?? 0) + 1, 1, _t2));');
    expect(out).toMatch(/function bump\(k\) \{\s*var _arc = .*,\s*_f,\s*_t,\s*_t2;\s*try/);
    const meta = metaOf(out);
    expect(meta.map).toBeUndefined();
    expect(meta.sites.find((s) => s[0] === 'set')).toEqual(['set', 0, 3, 5, 'bump', 'm.set is not a function']);
    const rt = new PlainRuntime();
    const uninstall = install(rt);
    try {
      expect(runModule(out)).toEqual([1, 2, 1]);
      expect(rt.kinds()).toContain('call:set');
    } finally {
      uninstall();
    }
  });

  it('respects include / exclude and the default node_modules exclusion', () => {
    expect(babel(src, '/virtual/node_modules/dep/index.js')).not.toContain('_ar');
    expect(babel(src, '/virtual/a.test.js', { exclude: ['**/*.test.js'] })).not.toContain('_ar');
    expect(babel(src, '/virtual/node_modules/dep/index.js', { include: ['**/node_modules/dep/**'] })).toContain('_ar.tl(_arS + 3, m, _t))(_t, m, _t2 = k,');
  });

  it('does not instrument twice', () => {
    const once = babel(src, '/virtual/twice.js');
    expect(babel(once, '/virtual/twice.js')).toBe(once);
  });

  it('never types generated declarations (presets strip types before the prelude is added)', () => {
    const ts = 'const m = new Map<string, number>();\nexport function get(k: string): number | undefined { return m.get(k); }';
    const out = babel(ts, '/virtual/plugin.ts', {}, { parserOpts: { plugins: ['typescript'] } });
    expect(out).toContain('return (_f = m.get, _ar.t(_arS + 2, m, _f))(_f, m, k);');
    expect(out).toContain('new Map<string, number>()');
    expect(out).not.toContain(': any');
    expect(out).not.toContain('_arT');
  });
});
