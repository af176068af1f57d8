/**
 * The package as users get it: `npm pack` of this repository, installed into
 * a fresh project without the network (the tarball extracted into its
 * node_modules, the dependencies linked from this repository's), where
 * vitest with the plugin reports a race and prints no warning about
 * asyncrace's own files (a source map that points to sources the package
 * does not ship made Vite warn for the setup file it loads).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODES } from '../register/helpers';
import { cleanEnv, ROOT } from '../vitest/run-vitest';

const built = fs.existsSync(path.join(ROOT, 'dist', 'vitest', 'setup.mjs'));

const CONFIG = `import { defineConfig } from 'vitest/config';
import asyncrace from 'asyncrace/vitest';

export default defineConfig({
  plugins: [asyncrace()],
  test: { include: ['test/**/*.test.ts'] },
});
`;

// A check-then-act across an await; the plugin fails the test with the report.
const TEST = `import { createRequire } from 'node:module';
import { expect, test } from 'vitest';

const cache = new Map<string, number>();
const turn = () => new Promise((resolve) => setImmediate(resolve));
async function load(key: string): Promise<void> {
  if (!cache.has(key)) {
    await turn();
    cache.set(key, key.length);
  }
}

test('two loads at once', async () => {
  console.log('asyncrace from ' + createRequire(import.meta.url).resolve('asyncrace/vitest'));
  await Promise.all([load('k'), load('k')]);
  expect(cache.get('k')).toBe(1);
});
`;

let work: string;
let project: string;
let installed: string;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!built) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-package-'));
  // What `npm publish` would upload; the build is the one the suite runs on (no prepare script again).
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, {
    ...cleanEnv({}),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];

  project = path.join(work, 'project');
  installed = path.join(project, 'node_modules', 'asyncrace');
  fs.mkdirSync(installed, { recursive: true });
  const untar = run('tar', ['-xzf', path.join(work, filename), '-C', installed, '--strip-components=1'], work, process.env);
  if (untar.status !== 0) throw new Error(`tar failed:\n${untar.stderr}`);
  // asyncrace's dependencies and vitest, as an install would place them beside it.
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name.startsWith('.') || name === 'asyncrace') continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name));
  }
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  fs.writeFileSync(path.join(project, 'vitest.config.mjs'), CONFIG);
  fs.mkdirSync(path.join(project, 'test'));
  fs.writeFileSync(path.join(project, 'test', 'cache.test.ts'), TEST);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

describe.skipIf(!built)('the packed package, installed', () => {
  it('ships source maps whose every source is inside them or inside the package', () => {
    const maps = filesUnder(installed).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const dangling: string[] = [];
    for (const map of maps) {
      const { sources, sourcesContent, sourceRoot } = JSON.parse(fs.readFileSync(path.join(installed, map), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
        sourceRoot?: string;
      };
      sources.forEach((source, i) => {
        const file = path.resolve(path.dirname(path.join(installed, map)), sourceRoot ?? '', source);
        if (typeof sourcesContent?.[i] !== 'string' && !fs.existsSync(file)) dangling.push(`${map}: ${source}`);
      });
    }
    expect(dangling).toEqual([]);
  });

  for (const node of NODES) {
    it(`runs vitest with the plugin: the race is reported, and nothing warns about asyncrace's files (${node.name})`, () => {
      const r = run(node.path, [path.join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], project, cleanEnv({ ASYNCRACE: '1', NO_COLOR: '1' }));
      const output = `${r.stdout}\n${r.stderr}`;
      // The installed copy ran, not this repository's.
      expect(output).toContain(`asyncrace from ${path.join(installed, 'dist', 'vitest', 'plugin.js')}`);
      expect(r.status, output).toBe(1);
      expect(output).toContain('AsyncRaceError: 1 async race(s) detected during test "two loads at once"');
      expect(output).toContain('WARNING: ASYNC RACE (atomicity violation)');
      expect(output).toMatch(/at load \(test\/cache\.test\.ts:\d+:\d+\)/);
      // Vite's "Sourcemap for .../node_modules/asyncrace/dist/vitest/setup.mjs points to missing source files".
      expect(output).not.toMatch(/source ?map/i);
    });
  }
});
