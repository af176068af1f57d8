/**
 * The transform's output against the real runtime (src/runtime), in a child
 * process: the runtime installs process-wide hooks and a non-configurable global.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface ChildResult {
  original: unknown;
  instrumented: unknown;
  races: Array<{ kind: string; current: { frames: Array<{ line: number }> }; previous: { frames: Array<{ line: number }> } }>;
}

/** Runs `program` (a CommonJS module whose exports may be a promise) plain, then instrumented with the real runtime. */
function runWithRuntime(program: string, name = 'program.js'): ChildResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-rt-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, program);
    const runner = path.join(dir, 'runner.ts');
    fs.writeFileSync(
      runner,
      `import * as fs from 'node:fs';
      import Module from 'node:module';
      import { instrument } from ${JSON.stringify(path.join(ROOT, 'src/instrument/index.ts'))};
      import { installRuntime } from ${JSON.stringify(path.join(ROOT, 'src/runtime/index.ts'))};
      import { collectedRaces } from ${JSON.stringify(path.join(ROOT, 'src/report/collect.ts'))};
      const file = ${JSON.stringify(file)};
      const load = (code: string) => { const m = new Module(file); m.filename = file; (m as any)._compile(code, file); return m.exports; };
      (async () => {
        const code = fs.readFileSync(file, 'utf8');
        const original = await load(code);
        installRuntime({ strict: false });
        const instrumented = await load(instrument(code, file, { moduleName: file })!.code);
        await new Promise((r) => setTimeout(r, 50));
        process.stdout.write(JSON.stringify({ original, instrumented, races: collectedRaces() }));
        process.exit(0);
      })();`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', runner], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out) as ChildResult;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('with the real runtime', () => {
  it('keeps results of collection code, optional chains, classes and async functions', () => {
    const r = runWithRuntime(`
      const m = new Map([[1, { x: 'a' }]]);
      const s = new Set([1, 2, 3]);
      class Counting extends Map { get(k) { return (super.get(k) ?? 0) + 1; } }
      const c = new Counting([['k', 1]]);
      const wm = new WeakMap(); const key = {}; wm.set(key, 'w');
      async function work(k) {
        try { await null; if (!m.has(k)) m.set(k, { x: 'b' + k }); return m.get(k)?.x; }
        finally { s.add(k); }
      }
      module.exports = Promise.all([work(1), work(2), work(3)]).then((xs) => [
        xs, [...m.keys()], m.size, s.size, [...s], c.get('k'), c.get('z'), wm.get(key), m?.get(9)?.x, m.get?.(1).x,
        Array.from(s, (v) => v * 2), Object.fromEntries(m.entries()),
      ]);
    `);
    expect(r.instrumented).toEqual(r.original);
    expect(r.races).toEqual([]);
  });

  it('lets the runtime see a cache stampede at the original lines', () => {
    const r = runWithRuntime(
      [
        "const { setTimeout: sleep } = require('node:timers/promises');",
        'const users = new Map();',
        'async function getUser(id) {',
        '  if (!users.has(id)) {',
        '    await sleep(5);',
        '    users.set(id, { id });',
        '  }',
        '  return users.get(id);',
        '}',
        "module.exports = Promise.all([getUser('u'), getUser('u')]).then(() => users.size);",
      ].join('\n'),
    );
    expect(r.instrumented).toBe(1);
    expect(r.races.length).toBeGreaterThan(0);
    const lines = r.races.flatMap((race) => [race.current.frames[0]!.line, race.previous.frames[0]!.line]);
    expect(lines.every((l) => [4, 6, 8].includes(l))).toBe(true);
  });
});
