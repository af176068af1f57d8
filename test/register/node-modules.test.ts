/**
 * Which files are instrumented: by default every file but those under
 * node_modules; `include` brings a package in, `exclude` keeps a file out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES, NODES, run } from './helpers';

// node_modules cannot live among the committed fixtures: the app is written
// to a temporary folder.
let app: string;

// Each probe reports how many times its `m.get(1)` call site was rewritten.
const PROBE = 'function probe(m) {\n  return m.get(1);\n}\n';
const COUNT = "(f) => f.toString().split('.t(_arS').length - 1";

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
  fs.writeFileSync(path.join(app, file), text);
}

beforeAll(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-register-'));
  write('node_modules/probe-cjs/package.json', JSON.stringify({ name: 'probe-cjs', main: 'index.js' }));
  write('node_modules/probe-cjs/index.js', `${PROBE}exports.probe = probe;\n`);
  write('node_modules/probe-esm/package.json', JSON.stringify({ name: 'probe-esm', type: 'module', exports: './index.js' }));
  write('node_modules/probe-esm/index.js', `${PROBE}export { probe };\n`);
  write('app.cjs', `${PROBE}const count = ${COUNT};\nconsole.log('app', count(probe), 'cjs', count(require('probe-cjs').probe));\n`);
  write(
    'app.mjs',
    `${PROBE}import { probe as esm } from 'probe-esm';\nimport cjs from 'probe-cjs';\nconst count = ${COUNT};\nconsole.log('app', count(probe), 'esm', count(esm), 'cjs', count(cjs.probe));\n`,
  );
});

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

describe.each(NODES)('$name', (node) => {
  describe.each(ENTRIES)('$name', (entry) => {
    it('leaves node_modules alone by default (CommonJS)', () => {
      const res = run(node, [...entry.args, path.join(app, 'app.cjs')], { cwd: app });
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe('app 1 cjs 0\n');
    });

    it('leaves node_modules alone by default (ESM)', () => {
      const res = run(node, [...entry.args, path.join(app, 'app.mjs')], { cwd: app });
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe('app 1 esm 0 cjs 0\n');
    });

    it('instruments a package named by include', () => {
      const res = run(node, [...entry.args, path.join(app, 'app.mjs')], {
        cwd: app,
        env: { ASYNCRACE_OPTIONS: 'include=**/node_modules/probe-esm/**' },
      });
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(/ esm 1 cjs 0\n$/);
    });

    it('leaves a file named by exclude alone', () => {
      const res = run(node, [...entry.args, path.join(app, 'app.cjs')], { cwd: app, env: { ASYNCRACE_OPTIONS: 'exclude=**/app.cjs' } });
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(/^app 0 /);
    });
  });
});
