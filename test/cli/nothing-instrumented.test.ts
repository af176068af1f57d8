/**
 * A run under the CLI that detected nothing says so: when the command ran
 * Node but no instrumented code ran in any of its processes (a program that
 * the options leave out, vitest without the plugin), one line on stderr says
 * why and what to change. Wherever a file was instrumented (the CommonJS
 * hook, the ESM hook, the transform cache, a child process, a worker thread,
 * the vitest plugin), the line does not appear, also when the process is
 * killed right after.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/asyncrace.js');
const built = fs.existsSync(path.join(root, 'dist/register/register.js'));
const VITEST = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

const NOTICE = 'asyncrace: warning: no file was instrumented in any Node process, so no race could be found';
const ANY_NOTICE = 'no file was instrumented';

// A Map in use, no race: the program prints the same with and without asyncrace.
const USES_MAP = `const m = new Map();
m.set('k', 1);
console.log('ran', m.get('k'));
`;

const FILES: Record<string, string> = {
  'app.cjs': USES_MAP,
  'lib.mjs': `export const m = new Map([['k', 1]]);\n`,
  'app.mjs': `import { m } from './lib.mjs';\nconsole.log('ran', m.get('k'));\n`,
  'excluded/tool.cjs': USES_MAP,
  // A build step: a tool from node_modules, which the default options leave out.
  'node_modules/tool/index.cjs': USES_MAP,
  // Only a worker thread runs instrumented code; the starter is left out.
  'excluded/starts-worker.cjs': `const { Worker } = require('node:worker_threads');
new Worker(require('node:path').join(__dirname, '..', 'app.cjs')).on('exit', () => console.log('worker done'));
`,
  // Only a child process runs instrumented code.
  'excluded/starts-child.cjs': `const { execFileSync } = require('node:child_process');
process.stdout.write(execFileSync(process.execPath, [require('node:path').join(__dirname, '..', 'app.cjs')]));
`,
  // Killed by SIGKILL once instrumented code has run: nothing at exit could tell the CLI.
  'killed.cjs': `require('./app.cjs');
process.kill(process.pid, 'SIGKILL');
`,
};

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-notice-'));
  for (const [name, source] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), source);
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function asyncrace(cwd: string, args: string[], options = '') {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('VITEST') || k.startsWith('ASYNCRACE') || ['NODE_OPTIONS', 'NODE_V8_COVERAGE', 'GITHUB_ACTIONS'].includes(k)) continue;
    env[k] = v;
  }
  if (options) env.ASYNCRACE_OPTIONS = options;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of `stderr` that are the notice. */
function notices(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes(ANY_NOTICE));
}

describe.skipIf(!built)('a run under the CLI in which nothing was instrumented', () => {
  it('says so once, with what to check, for a program the exclude option leaves out', () => {
    const r = asyncrace(dir, ['--', process.execPath, 'excluded/tool.cjs'], 'exclude=**/excluded/**');
    expect(r.stdout).toBe('ran 1\n');
    expect(r.code).toBe(0);
    const lines = notices(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(NOTICE);
    expect(lines[0]).toContain('check the include and exclude options');
    expect(r.stderr).not.toContain('no Node process reported');
  });

  it('says so for a tool in node_modules (a build step), keeping the command\'s exit code', () => {
    const r = asyncrace(dir, ['--', process.execPath, '-e', "require('./node_modules/tool/index.cjs'); process.exitCode = 3"]);
    expect(r.stdout).toBe('ran 1\n');
    expect(r.code).toBe(3);
    expect(notices(r.stderr)).toHaveLength(1);
  });

  it('names the vitest plugin when vitest ran without it', () => {
    const project = path.join(__dirname, 'fixtures', 'vitest-without-plugin');
    const r = asyncrace(project, ['--', process.execPath, VITEST, 'run']);
    // The tests pass (nothing detects their race), and the run says why nothing was found.
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = notices(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("vitest ran without the asyncrace plugin: add plugins: [asyncrace()] from 'asyncrace/vitest'");
  });

  it('points at the plugin\'s include and exclude when vitest has the plugin but they leave every file out', () => {
    const r = asyncrace(path.join(root, 'examples', 'vitest-app'), ['--', process.execPath, VITEST, 'run'], 'include=nothing/**');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = notices(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('check the include and exclude options of the asyncrace vitest plugin');
  });
});

describe.skipIf(!built)('a run under the CLI in which something was instrumented', () => {
  it.each([
    ['a CommonJS program', ['app.cjs'], ''],
    ['an ES module program', ['app.mjs'], ''],
    ['a worker thread of a program left out', ['excluded/starts-worker.cjs'], 'exclude=**/excluded/**'],
    ['a child process of a program left out', ['excluded/starts-child.cjs'], 'exclude=**/excluded/**'],
  ])('says nothing for %s', (_what, args, options) => {
    const r = asyncrace(dir, ['--', process.execPath, ...args], options);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ran 1\n');
    expect(r.stderr).toBe('');
  });

  it('says nothing for a warm start, whose modules come instrumented from the transform cache', () => {
    const cache = path.join(dir, 'cache');
    for (const run of ['cold', 'warm']) {
      const r = asyncrace(dir, ['--', process.execPath, 'app.mjs'], `cache_dir=${cache}`);
      expect(r.stdout, run).toBe('ran 1\n');
      expect(r.stderr, run).toBe('');
      // The cold start filled the cache that the warm one reads.
      expect(fs.readdirSync(cache).length, run).toBeGreaterThan(0);
    }
  });

  it('says nothing for a process killed by SIGKILL after its instrumented code ran', () => {
    const r = asyncrace(dir, ['--', process.execPath, 'killed.cjs']);
    expect(r.stdout).toBe('ran 1\n');
    expect(r.signal).toBe('SIGKILL');
    expect(notices(r.stderr)).toEqual([]);
  });
});
